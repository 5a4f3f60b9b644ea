"""People's given and family names: how they are cleaned and checked
wherever a person (sign-up, profile) or staff (admin) type one.

A name is printed on certificates and shown, shortened, to the other people
in a live session: it must be a name, never an email address, and must not
carry invisible characters that change how the text around it reads.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Joiners some scripts need inside a word (Persian, the Indic scripts): the
# only format characters a name may hold.
_ALLOWED_FORMAT = {"\u200c", "\u200d"}

GIVEN_NAME_REQUIRED = _("Enter your given name.")
FAMILY_NAME_REQUIRED = _("Enter your family name.")
CONTROL_MESSAGE = _("Remove the line breaks, tabs and other invisible control characters from this name.")
EMAIL_MESSAGE = _("Enter a name, not an email address.")


def _is_control(ch: str) -> bool:
    # Cc: controls (tab, line breaks, NUL); Cf: format (bidi overrides,
    # zero-width spaces); Cs/Co/Cn: surrogates, private use, unassigned.
    return unicodedata.category(ch)[0] == "C" and ch not in _ALLOWED_FORMAT


def validate_person_name(value: str) -> None:
    """Refuse control characters and email addresses (model and form validator)."""
    if any(_is_control(ch) for ch in value):
        raise ValidationError(CONTROL_MESSAGE, code="control_character")
    if "@" in value:
        raise ValidationError(EMAIL_MESSAGE, code="email")


def person_name_normalise(value: str) -> str:
    """NFC, surrounding whitespace stripped and inner runs of spaces made one
    space. Run after `validate_person_name`: tabs and line breaks are refused
    there, not quietly turned into spaces here."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def name_parts_split(full_name: str) -> tuple[str, str]:
    """(given, family) from a name written in one field, split at its first
    space: "Noor van den Berg" -> ("Noor", "van den Berg"). Only for names
    typed before the two fields existed; joined again with a space, the
    parts print exactly what the person wrote."""
    given, _space, family = " ".join(full_name.split()).partition(" ")
    return given, family
