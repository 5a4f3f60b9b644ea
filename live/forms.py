"""Forms of the live pages. They parse and offer choices already limited to
the user's scope; the scheduling rules are checked by live/scheduling.py,
whose ValidationErrors land back on these forms' fields."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from learning.trainer_selectors import courses_for_cohort_creation
from partners.models import Partner

from .joining import DISPLAY_NAME_MAX, display_name_clean
from .models import TIME_ZONE_CHOICES, LiveSeries, LiveSession
from .selectors import cohorts_for_partners, partners_for_scheduling, trainers_for_partners


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Join code"),
        max_length=32,
        help_text=_("Eight letters and digits, as XXXX-XXXX. Capitals and dashes do not matter."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class GuestJoinForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"), max_length=200, strip=False, error_messages={"required": _("Enter a name.")}
    )
    consent = forms.BooleanField(required=False)

    def __init__(self, *args, session: LiveSession, consent_age: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        name = self.fields["display_name"]
        name.widget.attrs.update({"autocomplete": "off", "maxlength": str(DISPLAY_NAME_MAX)})
        if session.is_youth:
            name.label = _("Your first name")
            name.help_text = _("Your first name only. Everyone in the session will see it.")
        else:
            name.help_text = _("The name the others in the session will see. No email address or phone number.")
        if session.consent_required:
            consent = self.fields["consent"]
            consent.required = True
            consent.label = _(
                "I am %(age)d or older, or a parent or guardian has agreed that I take part in this session."
            ) % {"age": consent_age}
            consent.error_messages["required"] = _("Please confirm the consent statement to join.")
        else:
            del self.fields["consent"]

    def clean_display_name(self) -> str:
        return display_name_clean(self.cleaned_data["display_name"], first_name_only=self.session.is_youth)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class WallClockField(forms.DateTimeField):
    """A date and time as typed, without a time zone: the session's own
    time zone (another field) gives it meaning, not the server's."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        return forms.fields.BaseTemporalField.to_python(self, str(value).strip())

    def strptime(self, value, format):
        return dt.datetime.strptime(value, format)

    def prepare_value(self, value):
        return value


class SessionForm(forms.Form):
    """All a trainer sets on a session. The start is typed as a wall-clock
    time in the chosen time zone and converted to UTC here."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    starts_at_local = WallClockField(
        label=_("Starts at"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=_("Local time in the time zone below."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=600, initial=60)
    language = forms.ChoiceField(label=_("Language"), choices=LiveSession._meta.get_field("language").choices)
    audience = forms.ChoiceField(
        label=_("Audience"),
        choices=LiveSession.Audience.choices,
        help_text=_("Sessions with young people always use the lobby, need two trainers and admit guests by code with a first name only."),
    )
    partner = forms.ModelChoiceField(label=_("Partner organisation"), queryset=None)
    trainers = forms.ModelMultipleChoiceField(
        label=_("Trainers"), queryset=None, widget=forms.CheckboxSelectMultiple,
        help_text=_("Trainers and coordinators of the partner. Sessions with young people need at least two."),
    )
    course_key = forms.ChoiceField(label=_("Course"), required=False, help_text=_("Attendance counts for this course."))
    cohort = forms.ModelChoiceField(label=_("Cohort"), queryset=None, required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=2, max_value=1000, initial=100)
    lobby_enabled = forms.BooleanField(label=_("Lobby: participants wait until a trainer admits them"), required=False, initial=True)
    allow_guests = forms.BooleanField(
        label=_("Guests may join with the code (display name only)"), required=False,
        help_text=_("For sessions with professionals; sessions with young people always use guest access."),
    )
    consent_required = forms.BooleanField(label=_("Guests must confirm the consent statement"), required=False)
    provider = forms.ChoiceField(label=_("Video"), choices=LiveSession.Provider.choices)
    stream_url = forms.URLField(
        label=_("External stream link"), required=False, assume_scheme="https",
        help_text=_("Required when there is no video in the room."),
    )
    certificate_min_percent = forms.IntegerField(
        label=_("Attendance certificate threshold (percentage of the scheduled time)"), required=False, min_value=1, max_value=100,
        help_text=_("Leave empty for no attendance certificate."),
    )
    series = forms.ModelChoiceField(
        label=_("Series"), queryset=None, required=False,
        help_text=_("Sessions of a series can earn one attendance certificate together (set in the series)."),
    )

    FIELDSETS = (
        (_("What and when"), ("title", "description", "starts_at_local", "time_zone", "duration_minutes", "language")),
        (_("Who"), ("audience", "partner", "trainers", "course_key", "cohort", "capacity")),
        (_("Room"), ("lobby_enabled", "allow_guests", "consent_required", "provider", "stream_url", "certificate_min_percent", "series")),
    )

    def fieldsets(self) -> list[tuple[str, list]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.FIELDSETS]

    def __init__(self, *args, user, session: LiveSession | None = None, **kwargs):
        if session is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(session)
        super().__init__(*args, **kwargs)
        partners = partners_for_scheduling(user=user)
        if session is not None:
            # Editing: the session's partner stays offered (staff may have
            # lost a membership since; the page itself is scoped).
            partners = Partner.objects.filter(Q(pk__in=partners.values("pk")) | Q(pk=session.partner_id))
        self.fields["partner"].queryset = partners
        self.fields["trainers"].queryset = trainers_for_partners(partners=partners)
        self.fields["cohort"].queryset = cohorts_for_partners(partners=partners)
        self.fields["series"].queryset = LiveSeries.objects.filter(partner__in=partners)
        courses = courses_for_cohort_creation(user=user)
        self.fields["course_key"].choices = [("", _("No course"))] + [
            (str(course.translation_key), course.display_title) for course in courses
        ]
        if session is not None and session.course_key and str(session.course_key) not in dict(self.fields["course_key"].choices):
            self.fields["course_key"].choices.append((str(session.course_key), str(session.course_key)))
        self.fields["trainers"].label_from_instance = lambda u: u.get_full_name()

    @staticmethod
    def initial_from(session: LiveSession) -> dict:
        return {
            "title": session.title, "description": session.description,
            "starts_at_local": session.starts_at.astimezone(session.tz).replace(tzinfo=None),
            "time_zone": session.time_zone, "duration_minutes": session.duration_minutes,
            "language": session.language, "audience": session.audience, "partner": session.partner_id,
            "trainers": list(session.trainers.values_list("pk", flat=True)),
            "course_key": str(session.course_key) if session.course_key else "", "cohort": session.cohort_id,
            "capacity": session.capacity, "lobby_enabled": session.lobby_enabled, "allow_guests": session.allow_guests,
            "consent_required": session.consent_required, "provider": session.provider, "stream_url": session.stream_url,
            "certificate_min_percent": session.certificate_min_percent, "series": session.series_id,
        }

    def clean(self):
        data = super().clean()
        local, zone = data.get("starts_at_local"), data.get("time_zone")
        if local is not None and zone:
            tz = zoneinfo.ZoneInfo(zone)
            aware = local.replace(tzinfo=tz)
            # A wall-clock time skipped by the change to summer time does not exist.
            if aware.astimezone(dt.timezone.utc).astimezone(tz).replace(tzinfo=None) != local:
                self.add_error("starts_at_local", _("This time does not exist in that time zone (the clocks go forward)."))
            else:
                data["starts_at"] = aware.astimezone(dt.timezone.utc)
        return data

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"], "description": data["description"], "starts_at": data["starts_at"],
            "duration_minutes": data["duration_minutes"], "time_zone": data["time_zone"], "language": data["language"],
            "audience": data["audience"], "partner": data["partner"],
            "course_key": data["course_key"] or None, "cohort": data["cohort"], "capacity": data["capacity"],
            "lobby_enabled": data["lobby_enabled"], "allow_guests": data["allow_guests"],
            "consent_required": data["consent_required"], "provider": data["provider"],
            "stream_url": data["stream_url"], "certificate_min_percent": data["certificate_min_percent"],
            "series": data["series"],
        }

    def add_service_errors(self, error: ValidationError) -> None:
        renamed = {"starts_at": "starts_at_local"}
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                field = renamed.get(field, field)
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error.messages)


class CorrectionForm(forms.Form):
    participant = forms.TypedChoiceField(label=_("Participant"), coerce=int)
    minutes = forms.IntegerField(label=_("Minutes present"), min_value=0)
    reason = forms.CharField(label=_("Reason"), max_length=300, help_text=_("Required: why the measured time is wrong."))

    def __init__(self, *args, session: LiveSession, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].choices = [(p.pk, p.staff_name) for p in participants]
        self.fields["minutes"].max_value = session.duration_minutes
        self.fields["minutes"].validators.append(MaxValueValidator(session.duration_minutes))
        self.fields["minutes"].widget.attrs["max"] = session.duration_minutes
        self.fields["minutes"].help_text = _("Between 0 and %(max)d (the scheduled duration).") % {
            "max": session.duration_minutes
        }

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise ValidationError(_("Give the reason for the correction."), code="required")
        return reason


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the report."),
    )
