"""Forms of the trainers' pages. They parse and offer choices already
limited to the user's scope; the rules themselves are checked by the
services in learning/cohorts.py, whose ValidationErrors land back on the
form's fields."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from partners.models import Membership

from .trainer_selectors import TRAINER_ROLES, courses_for_cohort_creation, partners_for_cohort_creation

MAX_EMAILS = 200


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CohortCreateForm(forms.Form):
    course_key = forms.TypedChoiceField(label=_("Course"), coerce=str)
    partner = forms.ModelChoiceField(label=_("Partner organisation"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("For example “Spring 2027 — Lille”."))
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DateInput())
    trainers = forms.ModelMultipleChoiceField(
        label=_("Trainers"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("If you are a trainer and choose nobody, you train the cohort."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course_key"].choices = [("", "---------")] + [
            (str(course.translation_key), course.display_title) for course in courses_for_cohort_creation(user=user)
        ]
        partners = partners_for_cohort_creation(user=user)
        self.fields["partner"].queryset = partners
        self.fields["trainers"].queryset = (
            User.objects.filter(
                pk__in=Membership.objects.filter(partner__in=partners, role__in=TRAINER_ROLES).values("user_id")
            ).order_by("full_name", "email")
        )


class GridFilterForm(forms.Form):
    """The grid's GET filters: one module (by its key), and a name or email
    search. The module choices come from the grid (`set_modules`); a key
    that is not a module of the course is an error on the field."""

    module = forms.UUIDField(label=_("Module"), required=False, widget=forms.Select)
    q = forms.CharField(label=_("Name or email"), required=False, max_length=100, strip=True)

    def set_modules(self, modules) -> None:
        self.fields["module"].widget.choices = [("", _("All modules"))] + [(str(m.key), m.title) for m in modules]
        chosen = getattr(self, "cleaned_data", {}).get("module")
        if chosen is not None and chosen not in {m.key for m in modules}:
            self.add_error("module", _("Choose one of this course's modules."))


_SEPARATORS = re.compile(r"[\s,;]+")


class EnrolForm(forms.Form):
    emails = forms.CharField(
        label=_("Email addresses"),
        widget=forms.Textarea(attrs={"rows": 8, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("One address per line (commas and semicolons work too). People must already have an account "
                    "and be members of the cohort's partner."),
    )

    def clean_emails(self) -> list[str]:
        emails = [email for email in _SEPARATORS.split(self.cleaned_data["emails"]) if email]
        if not emails:
            raise forms.ValidationError(_("Enter at least one email address."))
        if len(emails) > MAX_EMAILS:
            raise forms.ValidationError(
                _("Enter at most %(max)d addresses at a time.") % {"max": MAX_EMAILS}
            )
        return emails


class AttendanceForm(forms.Form):
    present = forms.TypedMultipleChoiceField(
        label=_("Present"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, learners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(learner.pk, learner.get_full_name()) for learner in learners]
