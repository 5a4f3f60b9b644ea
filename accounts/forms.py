from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from .models import User


def _language_choices() -> list[tuple[str, str]]:
    # Each language in its own name ("Nederlands", not "Dutch"): someone who
    # landed in the wrong language must still recognise theirs.
    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


class ProfileForm(forms.ModelForm):
    """What a user may change about themselves; email and password have their
    own allauth pages (verification, notification mails, reauthentication)."""

    class Meta:
        model = User
        fields = ["full_name", "preferred_language"]
        help_texts = {
            "full_name": _("As it should be printed on your certificates."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].choices = _language_choices()
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"


class _EmailUniqueMixin:
    """The email is the login: refuse one that differs from an existing
    account only in case (the model's unique constraint is case-sensitive)."""

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        others = User.objects.filter(email__iexact=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                self.instance.unique_error_message(User, ["email"]), code="unique"
            )
        return email


class AdminUserCreationForm(_EmailUniqueMixin, auth_forms.AdminUserCreationForm):
    """Django's admin add form for our email-only user (Django's own form
    expects a username field)."""

    class Meta:
        model = User
        fields = ("email", "full_name", "preferred_language")
        field_classes: dict = {}


class AdminUserChangeForm(_EmailUniqueMixin, auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict = {}
