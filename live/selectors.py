"""Which live sessions and reports a user may see. Every view of the live
pages fetches through here, so the partner scope is one rule in one place:
another partner's session or report is a 404, never a 403.

- Staff of a session (same rule as live.identity.is_session_staff): its
  trainers, the trainers and coordinators of its partner, programme staff.
- A learner sees the sessions of the courses and cohorts they are actively
  enrolled in.
- Safeguarding reports: users with `live.review_safeguarding` who are
  members of the report's partner; superusers see all.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from learning.models import Cohort, Enrollment
from partners.models import Membership, Partner, Role
from partners.selectors import partners_for

from .models import LiveSession, Participant, Report

STAFF_ROLES = (Role.TRAINER, Role.COORDINATOR)
# The longest a session can last (the model's check constraint): anything
# that started earlier than this has ended.
_LONGEST = dt.timedelta(minutes=600)


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_live_staff_user(*, user) -> bool:
    """Whether the trainer-side live pages exist for `user` at all."""
    if not _authenticated(user):
        return False
    return user.is_staff or user.is_superuser or partners_for(user=user, roles=STAFF_ROLES).exists()


def sessions_visible_to(*, user) -> QuerySet[LiveSession]:
    """Sessions `user` runs or may run (the choke point of the staff pages)."""
    if not _authenticated(user):
        return LiveSession.objects.none()
    if user.is_staff or user.is_superuser:
        return LiveSession.objects.all()
    partners = partners_for(user=user, roles=STAFF_ROLES)
    return LiveSession.objects.filter(
        pk__in=LiveSession.objects.filter(Q(trainers=user) | Q(partner__in=partners)).values("pk")
    )


def session_list_for(*, user, now: dt.datetime | None = None) -> tuple[list[LiveSession], list[LiveSession]]:
    """(upcoming or running, past) sessions visible to `user`, with partner,
    trainers and participant counts. Four queries whatever the number."""
    now = now or timezone.now()
    sessions = list(
        sessions_visible_to(user=user)
        .select_related("partner", "cohort")
        .prefetch_related("trainers")
        .annotate(participant_count=Count("participants", filter=~Q(participants__status=Participant.Status.REMOVED)))
        .order_by("starts_at", "pk")
    )
    upcoming = [s for s in sessions if s.status == LiveSession.Status.SCHEDULED and s.ends_at > now]
    past = [s for s in sessions if s not in upcoming]
    past.sort(key=lambda s: s.starts_at, reverse=True)
    return upcoming, past


def partners_for_scheduling(*, user) -> QuerySet[Partner]:
    if _authenticated(user) and (user.is_staff or user.is_superuser):
        return Partner.objects.filter(is_active=True)
    return partners_for(user=user, roles=STAFF_ROLES).filter(is_active=True)


def trainers_for_partners(*, partners) -> QuerySet[User]:
    """Users who may be a session's trainers: trainers and coordinators of its partner."""
    return User.objects.filter(
        pk__in=Membership.objects.filter(partner__in=partners, role__in=STAFF_ROLES).values("user_id")
    ).order_by("full_name", "email")


def user_is_partner_trainer(*, user, partner: Partner) -> bool:
    return Membership.objects.filter(user=user, partner=partner, role__in=STAFF_ROLES).exists()


def cohorts_for_partners(*, partners) -> QuerySet[Cohort]:
    return Cohort.objects.filter(partner__in=partners).select_related("partner").order_by("partner__name", "-starts_on", "name")


# --- Learners ------------------------------------------------------------------------


def _learner_scope(user) -> Q:
    enrollments = Enrollment.objects.filter(learner=user, status=Enrollment.Status.ACTIVE)
    course_keys = enrollments.values("course_key")
    cohorts = enrollments.filter(cohort__isnull=False).values("cohort_id")
    return Q(course_key__in=course_keys) | Q(cohort__in=cohorts) | Q(cohort__course_key__in=course_keys)


def sessions_for_learner(*, user) -> QuerySet[LiveSession]:
    """Sessions of the courses and cohorts `user` is actively enrolled in."""
    if not _authenticated(user):
        return LiveSession.objects.none()
    return LiveSession.objects.filter(pk__in=LiveSession.objects.filter(_learner_scope(user)).values("pk"))


def upcoming_sessions_for_learner(*, user, now: dt.datetime | None = None, limit: int = 10) -> list[LiveSession]:
    """The learner's sessions that have not ended, soonest first. One query."""
    now = now or timezone.now()
    candidates = (
        sessions_for_learner(user=user)
        .filter(status=LiveSession.Status.SCHEDULED, starts_at__gt=now - _LONGEST)
        .order_by("starts_at", "pk")[: limit * 2]
    )
    return [s for s in candidates if s.ends_at > now][:limit]


def session_recipients(session: LiveSession) -> QuerySet[User]:
    """Who is invited to `session`: the active learners of its course (any
    cohort) or of its cohort."""
    scope = Q()
    if session.course_key:
        scope |= Q(course_key=session.course_key)
    if session.cohort_id:
        scope |= Q(cohort_id=session.cohort_id)
    if not scope:
        return User.objects.none()
    learners = Enrollment.objects.filter(scope, status=Enrollment.Status.ACTIVE).values("learner_id")
    return User.objects.filter(pk__in=learners, is_active=True).order_by("pk")


# --- Safeguarding --------------------------------------------------------------------


def may_review_safeguarding(*, user) -> bool:
    return _authenticated(user) and user.has_perm("live.review_safeguarding")


def reports_visible_to(*, user) -> QuerySet[Report]:
    if not may_review_safeguarding(user=user):
        return Report.objects.none()
    reports = Report.objects.all()
    if not user.is_superuser:
        reports = reports.filter(partner__in=Membership.objects.filter(user=user).values("partner_id"))
    return reports.select_related("partner", "handled_by", "session")
