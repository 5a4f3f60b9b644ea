"""People who log in. Identity is the email address (allauth); a person's
organisation and role come from `partners.Membership`, not from this model."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from .names import name_parts_split, validate_person_name


class UserManager(DjangoUserManager):
    """Email is the login; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("email address"), unique=True)
    # The name as the person gives it, in two parts (asked at sign-up, changed
    # on the profile page): certificates print "given family", the other
    # people in a live session see "given f." (live.joining). Blank only for
    # accounts from before the two fields existed; they are asked for it
    # before a certificate is printed. Together with a space they fit
    # `full_name` and a certificate's printed name (200 characters).
    first_name = models.CharField(
        _("given name"), max_length=80, blank=True, validators=[validate_person_name]
    )
    last_name = models.CharField(
        _("family name"), max_length=100, blank=True, validators=[validate_person_name]
    )
    # "Given Family", kept in step by save() whenever either part is set;
    # search and sorting use it. Accounts created before the two parts
    # existed (and fixtures that only set this) may have only this field.
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("interface language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_name() or self.email

    def save(self, *args, **kwargs) -> None:
        composed = " ".join(part for part in (self.first_name.strip(), self.last_name.strip()) if part)
        if composed and composed != self.full_name:
            self.full_name = composed
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "full_name"}
        super().save(*args, **kwargs)

    def name_parts(self) -> tuple[str, str]:
        """(given, family) as the person gave them; for an account that only
        has the one-field name of before, that name split at its first space."""
        given, family = self.first_name.strip(), self.last_name.strip()
        if given or family:
            return given, family
        return name_parts_split(self.full_name)

    def get_name(self) -> str:
        """The name as printed ("Marie Dubois"), or "" when the person has given
        none. Never the email address: certificates print this, and pages
        other people see show it."""
        return " ".join(part for part in self.name_parts() if part)

    @property
    def has_name(self) -> bool:
        return bool(self.get_name())

    def get_full_name(self) -> str:
        """The name, else the email address: for the admin and the staff pages
        that list their own partner's people (they show the email anyway).
        Pages other people see use get_name(), live rooms their display names."""
        return self.get_name() or self.email

    def get_short_name(self) -> str:
        """How mails to the person themselves greet them."""
        return self.name_parts()[0] or self.email.split("@")[0]
