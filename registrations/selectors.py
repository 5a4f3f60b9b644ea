"""Questions about trainings and registrations.

Scope: the organisers' pages fetch every training through
`trainings_managed_by` (the one choke point): its trainers, the trainers and
coordinators of its partner, and programme staff. Anyone else gets a 404,
never a 403. A person's own registrations are fetched through
`registrations_of`, so another person's registration is a 404 too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from partners.models import Role
from partners.selectors import partners_for

from .models import Registration, Training

STAFF_ROLES = (Role.TRAINER, Role.COORDINATOR)


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


# --- The public listing -----------------------------------------------------------------


@dataclass(frozen=True)
class ListingFilters:
    language: str = ""
    country: str = ""
    partner_id: int | None = None
    audience: str = ""
    format: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def trainings_public(*, filters: ListingFilters | None = None, now: dt.datetime | None = None) -> QuerySet[Training]:
    """Published trainings that have not ended, soonest first, with their
    partner (places left come from the row itself: no extra query)."""
    now = now or timezone.now()
    filters = filters or ListingFilters()
    trainings = Training.objects.filter(is_published=True, ends_at__gt=now).select_related("partner")
    if filters.language:
        trainings = trainings.filter(language=filters.language)
    if filters.country:
        trainings = trainings.filter(partner__country=filters.country)
    if filters.partner_id:
        trainings = trainings.filter(partner_id=filters.partner_id)
    if filters.format:
        trainings = trainings.filter(format=filters.format)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        trainings = trainings.filter(starts_at__gte=dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=tz))
    if filters.date_to:
        trainings = trainings.filter(starts_at__lt=dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    if filters.audience:
        if connection.features.supports_json_field_contains:
            trainings = trainings.filter(audience__contains=[filters.audience])
        else:  # SQLite (`make run`): JSON containment is done in Python, in one query.
            ids = [pk for pk, audience in trainings.values_list("pk", "audience") if filters.audience in (audience or [])]
            trainings = trainings.filter(pk__in=ids)
    return trainings.order_by("starts_at", "pk")


def training_public(*, training_id: int) -> Training | None:
    """A published training (also after it ended: its page stays)."""
    return Training.objects.select_related("partner", "live_session").filter(pk=training_id, is_published=True).first()


# --- A person's registrations ----------------------------------------------------------


def registrations_of(*, user) -> QuerySet[Registration]:
    if not _authenticated(user):
        return Registration.objects.none()
    return Registration.objects.filter(user=user).select_related("training", "training__partner")


def active_registration(*, user, training: Training) -> Registration | None:
    if not _authenticated(user):
        return None
    return Registration.objects.filter(user=user, training=training, status__in=Registration.ACTIVE).first()


def upcoming_registrations_of(*, user, now: dt.datetime | None = None) -> list[Registration]:
    """Active registrations for trainings that have not ended, soonest
    first (the dashboard). One query."""
    now = now or timezone.now()
    return list(
        registrations_of(user=user)
        .filter(status__in=Registration.ACTIVE, training__ends_at__gt=now)
        .order_by("training__starts_at", "pk")
    )


def has_confirmed_registration(user, live_session) -> bool:
    """Whether `user` holds a confirmed registration for the training linked
    to `live_session` (registering for a live session gives access to it).
    For the live join page (see the README)."""
    if not _authenticated(user) or live_session is None:
        return False
    return Registration.objects.filter(
        user=user, training__live_session=live_session, status=Registration.Status.CONFIRMED
    ).exists()


def live_session_requires_registration(live_session) -> bool:
    """Whether a published training with places is linked to `live_session`
    (then professionals join after registering)."""
    return Training.objects.filter(live_session=live_session, is_published=True).exists()


# --- The organisers' side ------------------------------------------------------------------


def trainings_managed_by(*, user) -> QuerySet[Training]:
    """The trainings whose registrations `user` manages."""
    if not _authenticated(user):
        return Training.objects.none()
    if user.is_staff or user.is_superuser:
        return Training.objects.all()
    partners = partners_for(user=user, roles=STAFF_ROLES)
    return Training.objects.filter(pk__in=Training.objects.filter(Q(trainers=user) | Q(partner__in=partners)).values("pk"))


def is_training_staff_user(*, user) -> bool:
    """Whether the organisers' pages exist for `user` at all."""
    if not _authenticated(user):
        return False
    return user.is_staff or user.is_superuser or partners_for(user=user, roles=STAFF_ROLES).exists() or Training.objects.filter(trainers=user).exists()


def managed_training_list(*, user, now: dt.datetime | None = None) -> tuple[list[Training], list[Training]]:
    """(upcoming, past) trainings `user` manages, with waiting counts. Two queries."""
    now = now or timezone.now()
    trainings = list(
        trainings_managed_by(user=user)
        .select_related("partner")
        .annotate(waiting_count=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITING)))
        .order_by("starts_at", "pk")
    )
    upcoming = [t for t in trainings if t.ends_at > now]
    past = sorted((t for t in trainings if t.ends_at <= now), key=lambda t: t.starts_at, reverse=True)
    return upcoming, past


def training_registrations(*, training: Training, statuses=None) -> QuerySet[Registration]:
    registrations = Registration.objects.filter(training=training).select_related("user")
    if statuses is not None:
        registrations = registrations.filter(status__in=list(statuses))
    return registrations.order_by("created_at", "pk")


def waiting_position(*, registration: Registration) -> int | None:
    """1 for the first person waiting; None when not waiting."""
    if registration.status != Registration.Status.WAITING:
        return None
    return Registration.objects.filter(
        training_id=registration.training_id, status=Registration.Status.WAITING
    ).filter(Q(created_at__lt=registration.created_at) | Q(created_at=registration.created_at, pk__lt=registration.pk)).count() + 1
