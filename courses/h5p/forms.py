"""The admin's upload form. It only collects the file and an optional title
and turns validation errors into form errors; storing is the service's job
(`h5p_package_create`), called by the create view."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from . import conf
from .validation import H5PValidationError, validate_h5p


def as_form_error(error: H5PValidationError) -> forms.ValidationError:
    """One error, one message: rendered lazily in the editor's language."""
    return forms.ValidationError(error.message_template, code=error.code, params=error.params)


def _file_help_text() -> str:
    return _("An .h5p file exported from an H5P editor, at most %(size)s uncompressed.") % {
        "size": filesizeformat(conf.max_total_bytes())
    }


class H5PPackageUploadForm(WagtailAdminModelForm):
    file = forms.FileField(
        label=_("H5P file"),
        help_text=lazy(_file_help_text, str)(),
        widget=forms.ClearableFileInput(attrs={"accept": ".h5p,application/zip"}),
    )
    # Optional here (the model requires one): an empty title means "use the
    # title inside the package", which the service fills in.
    title = forms.CharField(
        label=_("Title"),
        max_length=255,
        required=False,
        help_text=_("Leave empty to use the title stored in the package."),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        try:
            validate_h5p(upload)
        except H5PValidationError as error:
            raise as_form_error(error) from error
        return upload
