"""Forms of the registration pages. They parse; the rules (places, open or
closed, one registration per person, what an answer may be) are the
services' and come back onto the form as errors."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from courses.pages import Audience
from partners.models import Country, Partner

from .models import Training
from .questions import question_field


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ListingFilterForm(forms.Form):
    """The public listing's GET filters. An inverted date range is an error
    (and the listing is then shown unfiltered by date)."""

    language = forms.ChoiceField(label=_("Language"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    partner = forms.ModelChoiceField(label=_("Partner organisation"), required=False, queryset=Partner.objects.none(), empty_label=_("All"))
    audience = forms.ChoiceField(label=_("Audience"), required=False)
    format = forms.ChoiceField(label=_("Online or on site"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["language"].choices = everything + list(settings.LANGUAGES)
        self.fields["country"].choices = everything + list(Country.choices)
        self.fields["partner"].queryset = Partner.objects.filter(is_active=True).order_by("country", "name")
        self.fields["audience"].choices = everything + list(Audience.choices)
        self.fields["format"].choices = everything + list(Training.Format.choices)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period is before its start."))
        return cleaned


class RegistrationForm(forms.Form):
    """Only what the organiser configured, plus the privacy consent."""

    def __init__(self, *args, training: Training, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(training.questions or [])
        for question in self.questions:
            self.fields[f"q_{question['key']}"] = question_field(question)
        self.fields["privacy_consent"] = forms.BooleanField(
            label=_("I agree that my name, email address and answers are shared with the organising partner to run "
                    "this training, as the privacy statement explains."),
            required=True,
            error_messages={"required": _("Registration needs your consent to the privacy statement.")},
        )

    @property
    def question_fields(self):
        return [self[f"q_{question['key']}"] for question in self.questions]

    def answers(self) -> dict:
        return {question["key"]: self.cleaned_data.get(f"q_{question['key']}") for question in self.questions}

    def add_answer_errors(self, error) -> None:
        for key, messages in error.message_dict.items():
            field = f"q_{key}"
            self.add_error(field if field in self.fields else None, messages)


class MessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))
    include_waiting = forms.BooleanField(label=_("Also send it to the people on the waiting list"), required=False)


ATTENDANCE_CHOICES = [("", _("Not recorded")), ("present", _("Present")), ("absent", _("Absent"))]


class AttendanceForm(forms.Form):
    """One choice per confirmed registrant (present, absent, not recorded)."""

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = list(registrations)
        for registration in self.registrations:
            self.fields[f"r{registration.pk}"] = forms.ChoiceField(
                label=registration.user.get_full_name(), choices=ATTENDANCE_CHOICES, required=False,
                widget=forms.RadioSelect,
                initial={True: "present", False: "absent", None: ""}[registration.attended],
            )

    def rows(self):
        return [(registration, self[f"r{registration.pk}"]) for registration in self.registrations]

    def marks(self) -> dict[int, bool | None]:
        mapping = {"present": True, "absent": False, "": None}
        return {registration.pk: mapping[self.cleaned_data.get(f"r{registration.pk}") or ""] for registration in self.registrations}
