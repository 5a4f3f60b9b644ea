"""The tracking filter: course, cohort and a date range, read from the query
string of the dashboards, the CSV and the ZIP request. Parsing only: what
the filter means is decided in certificates.tracking."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import Partner

from .tracking import TrackingFilters, cohort_choices, course_choices


class CohortChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, cohort) -> str:
        return f"{cohort.name} ({cohort.partner.name})" if self.show_partner else cohort.name

    show_partner = False


class TrackingFilterForm(forms.Form):
    course = forms.ChoiceField(label=_("Course"), required=False)
    cohort = CohortChoiceField(label=_("Cohort"), queryset=None, required=False, empty_label=_("All cohorts"))
    date_from = forms.DateField(
        label=_("Issued or enrolled from"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("Issued or enrolled until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, data=None, *, partner: Partner | None, **kwargs):
        """`partner` None: the staff overview (every course and cohort)."""
        super().__init__(data, **kwargs)
        self.fields["course"].choices = [("", _("All courses"))] + course_choices(partner=partner)
        self.fields["cohort"].queryset = cohort_choices(partner=partner)
        self.fields["cohort"].show_partner = partner is None

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        cohort, course = data.get("cohort"), data.get("course")
        if cohort is not None and course and str(cohort.course_key) != course:
            self.add_error("cohort", _("This cohort runs another course than the one chosen."))
        return data

    def filters(self) -> TrackingFilters:
        """The validated filter (call after is_valid())."""
        data = self.cleaned_data
        return TrackingFilters(
            course_key=UUID(data["course"]) if data.get("course") else None,
            cohort=data.get("cohort"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )

    @property
    def filtered(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)


def tracking_filter_form(query, *, partner: Partner | None) -> TrackingFilterForm:
    """Bound to the query string when it carries any filter field, else unbound
    (the whole record)."""
    names = ("course", "cohort", "date_from", "date_to")
    data = query if any(name in query for name in names) else None
    return TrackingFilterForm(data, partner=partner)
