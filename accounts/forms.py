from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from .models import User
from .names import FAMILY_NAME_REQUIRED, GIVEN_NAME_REQUIRED, person_name_normalise, validate_person_name


def _language_choices() -> list[tuple[str, str]]:
    # Each language in its own name ("Nederlands", not "Dutch"): someone who
    # landed in the wrong language must still recognise theirs.
    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


class PersonNameField(forms.CharField):
    """A given or family name: required, stripped, at most as long as the
    user model's field, without control characters or an email address;
    inner runs of spaces become one (accounts.names)."""

    def __init__(self, *, model_field: str, autocomplete: str, required_message, **kwargs) -> None:
        field = User._meta.get_field(model_field)
        kwargs.setdefault("label", capfirst(field.verbose_name))
        super().__init__(
            max_length=field.max_length,
            required=True,
            strip=True,
            validators=[validate_person_name],
            error_messages={"required": required_message},
            **kwargs,
        )
        self.widget.attrs["autocomplete"] = autocomplete

    def clean(self, value):
        return person_name_normalise(super().clean(value))


NAMES_HELP = _(
    "Your certificates print your given and family name. In live sessions, the others see "
    "your given name and the initial of your family name."
)


def _given_name_field() -> PersonNameField:
    return PersonNameField(
        model_field="first_name", autocomplete="given-name", required_message=GIVEN_NAME_REQUIRED
    )


def _family_name_field() -> PersonNameField:
    return PersonNameField(
        model_field="last_name", autocomplete="family-name", required_message=FAMILY_NAME_REQUIRED,
        help_text=NAMES_HELP,
    )


class SignupNamesForm(forms.Form):
    """What allauth's sign-up form asks besides email and password
    (ACCOUNT_SIGNUP_FORM_CLASS: allauth's form inherits these fields).
    allauth's adapter stores `first_name` and `last_name` on the new user
    itself (DefaultAccountAdapter.save_user), so `signup` has nothing to add."""

    first_name = _given_name_field()
    last_name = _family_name_field()

    # allauth orders its sign-up form by this when the form class has it.
    field_order = ["first_name", "last_name", "email", "email2", "password1", "password2"]

    def signup(self, request, user) -> None:
        """Called by allauth after the user is saved: nothing left to do."""


class ProfileForm(forms.ModelForm):
    """What a user may change about themselves; email and password have their
    own allauth pages (verification, notification mails, reauthentication)."""

    first_name = _given_name_field()
    last_name = _family_name_field()

    class Meta:
        model = User
        fields = ["first_name", "last_name", "preferred_language"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].choices = _language_choices()
        if self.instance.pk and not (self.instance.first_name or self.instance.last_name):
            # An account from before the two fields: start from its one-field name.
            given, family = self.instance.name_parts()
            self.initial["first_name"], self.initial["last_name"] = given, family


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
        fields = ("email", "first_name", "last_name", "preferred_language")
        field_classes: dict = {}


class AdminUserChangeForm(_EmailUniqueMixin, auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict = {}
