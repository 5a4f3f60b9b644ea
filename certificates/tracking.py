"""Questions the coordinators' dashboards and the staff overview ask:
partner-country tracking of learners, certificates and attendance.

Scope. `tracked_partners(user=...)` is the one choke point: every tracking
view fetches its partner through it (`get_object_or_404(tracked_partners(
user=...), slug=...)`), so another partner's dashboard, CSV or export is a
404, never a 403 (tests/certificates/test_tracking_permissions.py walks every
tracking URL). Coordinators see the partners they coordinate; staff see all.

One function per dashboard panel, each taking a `TrackingScope` (which
partners, which filter) and answering per country with SQL aggregates
(Count, Sum, TruncMonth), so a panel costs the same few queries for 3 or
20,000 certificates. `live_summary` is the live-sessions panel (sessions
held, hours attended from server-recorded attendance).

Cached by generation. The pages (`dashboard`, `overview`, the filter's
course choices) keep the learner, certificate and per-month panels in the
cache under a tracking generation: any saved or deleted certificate,
enrolment, course completion, membership, cohort or partner starts a new
one (receivers in certificates/apps.py), as does a published course page
(its title, through the outline generation). Their aggregates over 20,000
certificates cost about two thirds of the page. The live panel depends on
the clock (a session starting counts as held) and on attendance written
without signals, so it is computed on every request. The CSV and the ZIP
never read the cache.

Which certificates count: every certificate except superseded ones (a
reissue replaces its predecessor, so counting both would count one
achievement twice). Revoked ones are counted as issued and reported with
their status in the CSV; the ZIP holds valid ones only.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import formats, translation

from config.cache_generations import generation, generation_bump

from courses.selectors import OUTLINE_GENERATION_KEY
from learning.models import Cohort, CourseCompletion, Enrollment
from learning.trainer_selectors import course_titles
from partners.models import Country, Membership, Partner, Role
from partners.selectors import partners_for

from .models import Certificate

COUNTRIES = [code for code, _label in Country.choices]

TRACKING_GENERATION_KEY = "certificates:tracking:generation"
TRACKING_CACHE_SECONDS = 60 * 60

# The fields of an enrolment a panel reads; a save of others only (the
# last lesson read, on every visit) starts no new generation.
_ENROLLMENT_FIELDS = frozenset({"status", "cohort", "cohort_id", "course_key", "learner", "learner_id", "enrolled_at"})


def tracking_cache_clear(sender=None, update_fields=None, **kwargs) -> None:
    """Start a new tracking generation (a post_save/post_delete receiver)."""
    if sender is Enrollment and update_fields is not None and not (_ENROLLMENT_FIELDS & set(update_fields)):
        return
    # Now (readers inside this transaction see the change at once) and
    # again on commit: a page computed by another request between the two
    # read the data before the change and must not be kept.
    generation_bump(TRACKING_GENERATION_KEY)
    transaction.on_commit(lambda: generation_bump(TRACKING_GENERATION_KEY))


def _cached(name: str, *, partner: Partner | None, filters: dict | None, compute):
    """`compute()`'s answer, kept for the current tracking and outline
    generations, per partner, filter and language (titles and labels)."""
    digest = hashlib.sha256(json.dumps(filters or {}, sort_keys=True).encode()).hexdigest()[:16]
    key = ":".join(
        [
            "certificates:tracking",
            str(generation(TRACKING_GENERATION_KEY)),
            str(generation(OUTLINE_GENERATION_KEY)),
            name,
            str(partner.pk if partner is not None else "all"),
            digest,
            translation.get_language() or "",
        ]
    )
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TRACKING_CACHE_SECONDS)
    return value


# --- Scope -------------------------------------------------------------------------


def tracked_partners(*, user) -> QuerySet[Partner]:
    """The partners whose tracking pages `user` may open: those they
    coordinate, every partner for staff, none for anyone else."""
    if not getattr(user, "is_authenticated", False):
        return Partner.objects.none()
    if user.is_staff:
        return Partner.objects.all()
    return partners_for(user=user, roles=[Role.COORDINATOR])


def may_see_overview(*, user) -> bool:
    """The all-countries overview is for programme staff only."""
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)


@dataclass(frozen=True)
class TrackingFilters:
    """A validated dashboard filter (see certificates.forms); empty = everything."""

    course_key: UUID | None = None
    cohort: Cohort | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    def as_json(self) -> dict:
        """What a CertificateExport keeps, to apply the same filter later."""
        return {
            "course": str(self.course_key) if self.course_key else None,
            "cohort": self.cohort.pk if self.cohort else None,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }

    @classmethod
    def from_json(cls, data: dict, *, partner: Partner | None) -> TrackingFilters:
        cohorts = Cohort.objects.all() if partner is None else Cohort.objects.filter(partner=partner)
        cohort_id = data.get("cohort")
        return cls(
            course_key=UUID(data["course"]) if data.get("course") else None,
            # A cohort deleted or moved since the request matches nothing,
            # rather than silently widening the export to every cohort.
            cohort=(cohorts.filter(pk=cohort_id).first() or Cohort(pk=0, course_key=UUID(int=0))) if cohort_id else None,
            date_from=datetime.date.fromisoformat(data["date_from"]) if data.get("date_from") else None,
            date_to=datetime.date.fromisoformat(data["date_to"]) if data.get("date_to") else None,
        )


@dataclass(frozen=True)
class TrackingScope:
    """Which partners (None: all of them, for the staff overview) and which filter."""

    partner: Partner | None
    filters: TrackingFilters = field(default_factory=TrackingFilters)


# --- The certificates counted --------------------------------------------------------


def certificates_in(*, scope: TrackingScope) -> QuerySet[Certificate]:
    """The scope's certificates (superseded ones left out, see the module
    docstring). With a cohort: its learners' certificates for its course,
    and their certificates with no course (attendance)."""
    certificates = Certificate.objects.exclude(status=Certificate.Status.SUPERSEDED)
    if scope.partner is not None:
        certificates = certificates.filter(partner=scope.partner)
    f = scope.filters
    if f.course_key is not None:
        certificates = certificates.filter(course_key=f.course_key)
    if f.cohort is not None:
        learners = Enrollment.objects.filter(cohort_id=f.cohort.pk).values("learner_id")
        certificates = certificates.filter(holder_id__in=learners).filter(
            Q(course_key=f.cohort.course_key) | Q(course_key__isnull=True)
        )
    if f.date_from is not None:
        certificates = certificates.filter(issued_on__gte=f.date_from)
    if f.date_to is not None:
        certificates = certificates.filter(issued_on__lte=f.date_to)
    return certificates


def _enrollments_in(*, scope: TrackingScope) -> QuerySet[Enrollment]:
    """Active enrolments, each counted for one partner and country: its
    cohort's partner, else the learner's own organisation (their first
    learner membership, as certificates are issued)."""
    own = Membership.objects.filter(user=OuterRef("learner_id"), role=Role.LEARNER).order_by("pk")
    enrollments = Enrollment.objects.filter(status=Enrollment.Status.ACTIVE).annotate(
        counted_partner=Coalesce(
            F("cohort__partner_id"), Subquery(own.values("partner_id")[:1]), output_field=BigIntegerField()
        ),
        counted_country=Coalesce(
            F("cohort__partner__country"), Subquery(own.values("partner__country")[:1]), output_field=CharField()
        ),
    )
    if scope.partner is not None:
        # Only the enrolments that can count for the partner get the
        # membership subquery: those of its cohorts, and those without a
        # cohort partner whose learner is one of its learners. Filtering on
        # the annotation alone would evaluate it for every enrolment of
        # every partner.
        learners = Membership.objects.filter(partner=scope.partner, role=Role.LEARNER).values("user_id")
        enrollments = enrollments.filter(
            Q(cohort__partner_id=scope.partner.pk) | Q(cohort__partner__isnull=True, learner_id__in=learners)
        ).filter(counted_partner=scope.partner.pk)
    f = scope.filters
    if f.course_key is not None:
        enrollments = enrollments.filter(course_key=f.course_key)
    if f.cohort is not None:
        enrollments = enrollments.filter(cohort_id=f.cohort.pk)
    if f.date_from is not None:
        enrollments = enrollments.filter(enrolled_at__date__gte=f.date_from)
    if f.date_to is not None:
        enrollments = enrollments.filter(enrolled_at__date__lte=f.date_to)
    return enrollments


# --- Panels --------------------------------------------------------------------------


@dataclass
class LearnerCounts:
    enrolled: int = 0
    completed: int = 0

    @property
    def in_progress(self) -> int:
        return self.enrolled - self.completed


def learner_summary(*, scope: TrackingScope) -> dict[str, LearnerCounts]:
    """Per country: active enrolments, and how many of them are completed
    (the learner has the course's CourseCompletion). One query."""
    completed = CourseCompletion.objects.filter(learner_id=OuterRef("learner_id"), course_key=OuterRef("course_key"))
    rows = (
        _enrollments_in(scope=scope)
        .annotate(is_completed=Exists(completed))
        .order_by()
        .values("counted_country")
        .annotate(enrolled=Count("pk"), completed=Count("pk", filter=Q(is_completed=True)))
    )
    return {
        row["counted_country"]: LearnerCounts(enrolled=row["enrolled"], completed=row["completed"])
        for row in rows
        if row["counted_country"]
    }


@dataclass
class CertificateCounts:
    issued: int = 0
    completion: int = 0
    attendance: int = 0
    attendance_hours: Decimal = Decimal(0)
    hours: Decimal = Decimal(0)
    revoked: int = 0


def certificate_summary(*, scope: TrackingScope) -> dict[str, CertificateCounts]:
    """Per country: certificates issued by kind, their hours, and the hours
    of attendance certificates (the attendance that is certified so far).
    One query."""
    attendance = Q(kind=Certificate.Kind.ATTENDANCE)
    zero = Value(Decimal(0))
    rows = (
        certificates_in(scope=scope)
        .order_by()
        .values("country")
        .annotate(
            issued=Count("pk"),
            completion=Count("pk", filter=Q(kind=Certificate.Kind.COMPLETION)),
            attendance=Count("pk", filter=attendance),
            attendance_hours=Coalesce(Sum("hours", filter=attendance), zero),
            hours=Coalesce(Sum("hours"), zero),
            revoked=Count("pk", filter=Q(status=Certificate.Status.REVOKED)),
        )
    )
    return {row.pop("country"): CertificateCounts(**row) for row in rows}


@dataclass
class LiveSummary:
    """The live-sessions panel: sessions held and hours attended, in all and
    per country (`by_country[code] = (sessions, hours)`)."""

    available: bool = False
    sessions_held: int = 0
    attendance_hours: Decimal = Decimal(0)
    by_country: dict[str, tuple[int, Decimal]] = field(default_factory=dict)


def live_summary(*, scope: TrackingScope) -> LiveSummary:
    """Live sessions held (started) in the scope and the hours their
    participants (not staff) attended, per country: server-recorded
    intervals clipped to the scheduled time, or a trainer's correction
    (live.attendance). Three queries whatever the number of sessions."""
    from django.utils import timezone

    from live.attendance import minutes_from_rows
    from live.models import AttendanceCorrection, AttendanceInterval, LiveSession, Participant

    sessions = LiveSession.objects.filter(starts_at__lte=timezone.now())
    if scope.partner is not None:
        sessions = sessions.filter(partner=scope.partner)
    f = scope.filters
    if f.course_key is not None:
        sessions = sessions.filter(Q(course_key=f.course_key) | Q(cohort__course_key=f.course_key))
    if f.cohort is not None:
        sessions = sessions.filter(cohort_id=f.cohort.pk)
    if f.date_from is not None:
        sessions = sessions.filter(starts_at__date__gte=f.date_from)
    if f.date_to is not None:
        sessions = sessions.filter(starts_at__date__lte=f.date_to)
    rows = {
        pk: (country, starts_at, duration)
        for pk, country, starts_at, duration in sessions.values_list("pk", "partner__country", "starts_at", "duration_minutes")
    }
    counted = Participant.objects.filter(session_id__in=list(rows)).exclude(role=Participant.Role.STAFF)
    intervals = AttendanceInterval.objects.filter(participant__in=counted).values_list(
        "participant_id", "participant__session_id", "started_at", "ended_at", "last_seen_at"
    )
    corrections = AttendanceCorrection.objects.filter(participant__in=counted).order_by("created_at", "pk").values_list(
        "participant_id", "participant__session_id", "minutes"
    )
    minutes_by_session = minutes_from_rows(
        sessions={pk: (starts_at, duration) for pk, (_c, starts_at, duration) in rows.items()},
        intervals=list(intervals),
        corrections=list(corrections),
    )
    by_country: dict[str, tuple[int, Decimal]] = {}
    for pk, (country, _starts_at, _duration) in rows.items():
        held, hours = by_country.get(country, (0, Decimal(0)))
        by_country[country] = (held + 1, hours + Decimal(str(minutes_by_session.get(pk, 0.0))) / 60)
    by_country = {code: (held, hours.quantize(Decimal("0.01"))) for code, (held, hours) in by_country.items()}
    return LiveSummary(
        available=True,
        sessions_held=sum(held for held, _ in by_country.values()),
        attendance_hours=sum((hours for _, hours in by_country.values()), Decimal(0)),
        by_country=by_country,
    )


@dataclass
class MonthlySeries:
    """Counts per month and per series (a course, or a country): the data of
    one bar chart and of its table. `months` are first days of months,
    ascending; `series` maps a label to one count per month."""

    months: list[datetime.date]
    series: dict[str, list[int]]

    @property
    def month_labels(self) -> list[str]:
        return [formats.date_format(month, "YEAR_MONTH_FORMAT") for month in self.months]

    @property
    def rows(self) -> list[tuple[str, list[int], int]]:
        """(month label, counts per series, total) for the table."""
        labels = self.month_labels
        return [
            (labels[i], [counts[i] for counts in self.series.values()], sum(c[i] for c in self.series.values()))
            for i in range(len(self.months))
        ]

    @property
    def totals(self) -> list[int]:
        return [sum(counts) for counts in self.series.values()]

    def chart_data(self) -> dict:
        return {"labels": self.month_labels, "datasets": [{"label": k, "data": v} for k, v in self.series.items()]}


def _series(rows, key_of, label_of) -> MonthlySeries:
    """Pivot aggregate rows into one series per key. Two keys with the same
    label (two courses both called "Introduction") stay two series, the
    second one numbered, rather than being added together."""
    counts: dict[object, dict[datetime.date, int]] = defaultdict(lambda: defaultdict(int))
    labels: dict[object, str] = {}
    months: set[datetime.date] = set()
    for row in rows:
        key = key_of(row)
        months.add(row["month"])
        counts[key][row["month"]] += row["n"]
        labels.setdefault(key, label_of(row))
    ordered = sorted(months)
    series: dict[str, list[int]] = {}
    for key in sorted(counts, key=lambda k: (labels[k].casefold(), str(k))):
        label, number = labels[key], 1
        while label in series:
            number += 1
            label = f"{labels[key]} ({number})"
        series[label] = [counts[key].get(month, 0) for month in ordered]
    return MonthlySeries(months=ordered, series=series)


def certificates_per_course_month(*, scope: TrackingScope) -> MonthlySeries:
    """Certificates issued per month, one series per course (attendance
    certificates without a course: one series per session title). Two
    queries: the aggregate and the course titles in the reader's language."""
    rows = list(
        certificates_in(scope=scope)
        .annotate(
            month=TruncMonth("issued_on"),
            # Without a course, the title is the subject itself (a session).
            subject=Case(When(course_key__isnull=True, then=F("title")), default=Value("")),
        )
        .order_by()
        .values("month", "course_key", "subject")
        # Certificates of one course print its title in their own language:
        # any one of them names the course when it has no live page.
        .annotate(n=Count("pk"), any_title=Min("title"))
    )
    titles = course_titles(course_keys={row["course_key"] for row in rows if row["course_key"]})
    return _series(
        rows,
        key_of=lambda row: row["course_key"] or row["subject"],
        label_of=lambda row: titles.get(row["course_key"]) or row["any_title"],
    )


def certificates_per_country_month(*, scope: TrackingScope) -> MonthlySeries:
    """Certificates issued per month, one series per country (staff overview). One query."""
    rows = (
        certificates_in(scope=scope)
        .annotate(month=TruncMonth("issued_on"))
        .order_by()
        .values("month", "country")
        .annotate(n=Count("pk"))
    )
    names = dict(Country.choices)
    return _series(
        rows,
        key_of=lambda row: row["country"],
        label_of=lambda row: str(names.get(row["country"], row["country"])),
    )


# --- Filter choices ------------------------------------------------------------------


def course_choices(*, partner: Partner | None) -> list[tuple[str, str]]:
    """(course key, title) of the courses the partner has certificates or
    cohorts in (all partners: every course with either), titled in the
    reader's language. Three queries, or none from the cache."""
    return _cached("courses", partner=partner, filters=None, compute=lambda: _course_choices(partner=partner))


def _course_choices(*, partner: Partner | None) -> list[tuple[str, str]]:
    certificates = Certificate.objects.filter(course_key__isnull=False)
    cohorts = Cohort.objects.all()
    if partner is not None:
        certificates = certificates.filter(partner=partner)
        cohorts = cohorts.filter(partner=partner)
    found: dict[UUID, str] = dict(
        certificates.order_by().values("course_key").annotate(title=Min("title")).values_list("course_key", "title")
    )
    for key in cohorts.order_by().values_list("course_key", flat=True).distinct():
        found.setdefault(key, "")
    titles = course_titles(course_keys=list(found))
    choices = [(str(key), titles.get(key) or title or str(key)) for key, title in found.items()]
    return sorted(choices, key=lambda choice: choice[1].casefold())


def cohort_choices(*, partner: Partner | None) -> QuerySet[Cohort]:
    cohorts = Cohort.objects.select_related("partner").order_by("partner__country", "-starts_on", "name")
    return cohorts if partner is None else cohorts.filter(partner=partner)


# --- What each page shows ------------------------------------------------------------


@dataclass
class CountryColumn:
    country: str
    name: str
    learners: LearnerCounts
    certificates: CertificateCounts
    live: tuple[int, Decimal] = (0, Decimal(0))


def _panels(scope: TrackingScope, *, per_country: bool) -> tuple[dict, dict, MonthlySeries]:
    """The cached panels: learners, certificates, and the monthly series
    (per course for a partner, per country for the overview)."""

    def compute():
        per_month = certificates_per_country_month if per_country else certificates_per_course_month
        return learner_summary(scope=scope), certificate_summary(scope=scope), per_month(scope=scope)

    return _cached(
        "overview" if per_country else "dashboard",
        partner=scope.partner,
        filters=scope.filters.as_json(),
        compute=compute,
    )


def dashboard(*, scope: TrackingScope) -> dict:
    """Every panel of one partner's dashboard."""
    country = scope.partner.country
    learners, certificates, per_course = _panels(scope, per_country=False)
    return {
        "learners": learners.get(country, LearnerCounts()),
        "certificates": certificates.get(country, CertificateCounts()),
        "live": live_summary(scope=scope),
        "per_course": per_course,
    }


def overview(*, scope: TrackingScope) -> dict:
    """Every panel of the staff overview: all countries side by side."""
    learners, certificates, per_country = _panels(scope, per_country=True)
    names = dict(Country.choices)
    live = live_summary(scope=scope)
    return {
        "per_country_total": sum(counts.issued for counts in certificates.values()),
        "columns": [
            CountryColumn(
                country=code,
                name=str(names[code]),
                learners=learners.get(code, LearnerCounts()),
                certificates=certificates.get(code, CertificateCounts()),
                live=live.by_country.get(code, (0, Decimal(0))),
            )
            for code in COUNTRIES
        ],
        "live": live,
        "per_country": per_country,
    }
