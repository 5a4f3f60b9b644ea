"""Wagtail admin views for H5P packages, wired up in courses/wagtail_hooks.py.

Only creation differs from a plain snippet: the row is made by
`h5p_package_create` from the uploaded file, never by saving the form.
"""

from __future__ import annotations

from django.db import transaction
from wagtail.actions import DeleteAction
from wagtail.log_actions import log
from wagtail.snippets.views.snippets import CreateView

from .forms import as_form_error
from .models import H5PPackage
from .services import h5p_package_create, h5p_package_delete
from .validation import H5PValidationError


class H5PPackageCreateView(CreateView):
    def save_instance(self) -> H5PPackage:
        package = h5p_package_create(
            uploaded_file=self.form.cleaned_data["file"],
            uploaded_by=self.request.user,
            title=self.form.cleaned_data.get("title") or None,
        )
        log(instance=package, action="wagtail.create", user=self.request.user)
        return package

    def form_valid(self, form):
        # The form validated the manifests; extraction can still refuse the
        # package (an entry inflating past its declared size). That is the
        # editor's problem to fix, so it is shown on the form, not as a 500.
        try:
            return super().form_valid(form)
        except H5PValidationError as error:
            form.add_error("file", as_form_error(error))
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class H5PPackageDeleteAction(DeleteAction):
    """Deleting a package also removes its extracted files (after commit)."""

    def _delete(self):
        with transaction.atomic():
            if self.log_action:
                log(instance=self.instance, action=self.log_action, user=self.user, deleted=True)
            h5p_package_delete(package=self.instance)
