"""The questions an organiser adds to a training's registration form.

A training's `questions` is a JSON list; each question is an object:

    {"key": "organisation",            # a-z, 0-9, _; unique in the list
     "label": "Organisation" | {"en": "Organisation", "fr": "Organisme", "nl": "Organisatie"},
     "kind": "text" | "choice" | "checkbox",
     "required": true | false,         # optional, default false
     "max_length": 200,                # text only, 1..2000, default 200
     "choices": [{"value": "vegetarian", "label": "Vegetarian" | {...}}]}  # choice only

The configuration itself is validated (`validate_questions`) when a
training is saved, so a broken form can never reach a registrant. Answers
are validated against it on the server (`answers_clean`), whatever the
browser sent: unknown keys are dropped, a text longer than `max_length` is
refused. Registration asks nothing else (data minimisation).
"""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

KINDS = ("text", "choice", "checkbox")
MAX_QUESTIONS = 20
MAX_TEXT_LENGTH = 2000
DEFAULT_TEXT_LENGTH = 200
MAX_LABEL_LENGTH = 300
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_ALLOWED = {"key", "label", "kind", "required", "max_length", "choices"}
_RESERVED = {"privacy_consent"}


def _label_ok(label) -> bool:
    if isinstance(label, str):
        return 0 < len(label.strip()) <= MAX_LABEL_LENGTH
    if isinstance(label, dict) and label:
        languages = {code for code, _name in settings.LANGUAGES}
        return set(label) <= languages and all(
            isinstance(text, str) and 0 < len(text.strip()) <= MAX_LABEL_LENGTH for text in label.values()
        )
    return False


def label_text(label, language: str | None = None) -> str:
    """The label in `language` (the active one by default), else English,
    else any."""
    if isinstance(label, str):
        return label
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return label.get(language) or label.get(settings.LANGUAGE_CODE) or next(iter(label.values()), "")


def validate_questions(value) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("The questions must be a list."))
    if len(value) > MAX_QUESTIONS:
        raise ValidationError(_("At most %(max)d questions."), params={"max": MAX_QUESTIONS})
    errors = []
    seen = set()
    for number, question in enumerate(value, start=1):
        def bad(message, **params):
            errors.append(ValidationError(_("Question %(number)d: %(problem)s"), params={"number": number, "problem": message % params if params else message}))

        if not isinstance(question, dict):
            bad(_("must be an object."))
            continue
        extra = set(question) - _ALLOWED
        if extra:
            bad(_("unknown setting(s) %(names)s."), names=", ".join(sorted(extra)))
        key = question.get("key")
        if not isinstance(key, str) or not _KEY.match(key) or key in _RESERVED:
            bad(_("the key must be lowercase letters, digits and _ (up to 40), starting with a letter."))
        elif key in seen:
            bad(_("the key “%(key)s” is used twice."), key=key)
        else:
            seen.add(key)
        if not _label_ok(question.get("label")):
            bad(_("give a label (text, or one text per language)."))
        kind = question.get("kind")
        if kind not in KINDS:
            bad(_("the kind must be text, choice or checkbox."))
        if not isinstance(question.get("required", False), bool):
            bad(_("“required” must be true or false."))
        if "max_length" in question:
            length = question["max_length"]
            if kind != "text":
                bad(_("only text questions have a maximum length."))
            elif not isinstance(length, int) or isinstance(length, bool) or not 1 <= length <= MAX_TEXT_LENGTH:
                bad(_("the maximum length is a number from 1 to %(max)d."), max=MAX_TEXT_LENGTH)
        choices = question.get("choices")
        if kind == "choice":
            if not isinstance(choices, list) or not choices:
                bad(_("a choice question needs choices."))
            else:
                values = []
                for choice in choices:
                    if (
                        not isinstance(choice, dict) or set(choice) != {"value", "label"}
                        or not isinstance(choice["value"], str) or not 0 < len(choice["value"]) <= 100
                        or not _label_ok(choice["label"])
                    ):
                        bad(_("each choice needs a value (up to 100 characters) and a label."))
                        break
                    values.append(choice["value"])
                else:
                    if len(set(values)) != len(values):
                        bad(_("each choice value may appear once."))
        elif choices is not None:
            bad(_("only choice questions have choices."))
    if errors:
        raise ValidationError(errors)


def question_field(question: dict) -> forms.Field:
    """The form field of one (validated) question, labelled in the active language."""
    label = label_text(question["label"])
    required = bool(question.get("required", False))
    kind = question["kind"]
    if kind == "text":
        max_length = question.get("max_length", DEFAULT_TEXT_LENGTH)
        widget = forms.Textarea(attrs={"rows": 3}) if max_length > 200 else forms.TextInput
        return forms.CharField(label=label, required=required, max_length=max_length, widget=widget)
    if kind == "choice":
        choices = [(choice["value"], label_text(choice["label"])) for choice in question["choices"]]
        if not required:
            choices = [("", "—")] + choices
        return forms.ChoiceField(label=label, required=required, choices=choices)
    return forms.BooleanField(label=label, required=required)


def answers_clean(questions: list[dict], raw: dict) -> dict:
    """The answers to store: one per configured question, checked against
    it (the service's own check, whatever the form did). Raises
    ValidationError keyed by question."""
    answers: dict = {}
    errors: dict[str, list] = {}
    for question in questions:
        key = question["key"]
        value = raw.get(key)
        kind = question["kind"]
        required = bool(question.get("required", False))
        if kind == "checkbox":
            value = bool(value)
            if required and not value:
                errors[key] = [_("This box must be ticked to register.")]
            answers[key] = value
            continue
        value = "" if value is None else str(value).strip()
        if required and not value:
            errors[key] = [_("This question must be answered.")]
        elif kind == "text":
            limit = question.get("max_length", DEFAULT_TEXT_LENGTH)
            if len(value) > limit:
                errors[key] = [_("At most %(max)d characters (you wrote %(length)d).") % {"max": limit, "length": len(value)}]
        elif kind == "choice" and value and value not in {choice["value"] for choice in question["choices"]}:
            errors[key] = [_("Choose one of the options.")]
        answers[key] = value
    if errors:
        raise ValidationError(errors)
    return answers


def answer_display(question: dict, value) -> str:
    """An answer as the organiser reads it (list, CSV)."""
    if question["kind"] == "checkbox":
        return str(_("yes")) if value else str(_("no"))
    if question["kind"] == "choice":
        for choice in question["choices"]:
            if choice["value"] == value:
                return label_text(choice["label"])
    return "" if value is None else str(value)
