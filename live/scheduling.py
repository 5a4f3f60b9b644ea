"""Scheduling live sessions: create and change them, invite the learners,
plan the reminders.

The rules hold whoever calls (the trainer's form, the admin's actions, the
`live_session_create` command, the demo):
- the start is in the future (when it is set or moved);
- sessions with young people keep their lobby on and have at least two
  trainers (safeguarding: two staff, nobody walks in unseen);
- a session without built-in or hosted video needs its external stream link;
- trainers are trainers or coordinators of the session's partner; the
  cohort belongs to that partner and to the chosen course.

Mail and reminders are queued after the transaction commits, so a rolled
back session never mails anyone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Membership, Partner

from .codes import join_code_generate
from .models import LiveSession
from .selectors import STAFF_ROLES

# Every field a trainer may set; the service takes these by keyword.
EDITABLE_FIELDS = (
    "title", "description", "starts_at", "duration_minutes", "time_zone", "language", "audience", "partner",
    "course_key", "cohort", "capacity", "lobby_enabled", "allow_guests", "consent_required", "provider",
    "stream_url", "certificate_min_percent", "series",
)
YOUTH_MIN_TRAINERS = 2
JOIN_CODE_ATTEMPTS = 10
REMINDER_OFFSETS = (dt.timedelta(hours=24), dt.timedelta(hours=1))


def session_validate(*, values: dict, trainers: list, starts_at_changed: bool, now: dt.datetime) -> None:
    errors: dict[str, list] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    starts_at = values.get("starts_at")
    if starts_at is not None and starts_at_changed and starts_at < now:
        add("starts_at", _("The start must be in the future."))
    duration = values.get("duration_minutes")
    if duration is not None and not 5 <= duration <= 600:
        add("duration_minutes", _("A session lasts between 5 and 600 minutes."))
    capacity = values.get("capacity")
    if capacity is not None and not 2 <= capacity <= 1000:
        add("capacity", _("Capacity is between 2 and 1,000 participants."))
    percent = values.get("certificate_min_percent")
    if percent is not None and not 1 <= percent <= 100:
        add("certificate_min_percent", _("Give a percentage between 1 and 100, or leave it empty."))
    if values.get("provider") == LiveSession.Provider.NONE and not values.get("stream_url"):
        add("stream_url", _("Without video in the room, give the link of the external stream."))
    if values.get("audience") == LiveSession.Audience.YOUNG_PEOPLE:
        if not values.get("lobby_enabled"):
            add("lobby_enabled", _("Sessions with young people always use the lobby, so that nobody walks in unseen."))
        if len(trainers) < YOUTH_MIN_TRAINERS:
            add(
                "trainers",
                _("Sessions with young people need at least two trainers (two-staff rule). Add a second trainer."),
            )
    elif not trainers:
        add("trainers", _("Choose at least one trainer."))
    partner: Partner | None = values.get("partner")
    if partner is not None and trainers:
        allowed = set(
            Membership.objects.filter(partner=partner, role__in=STAFF_ROLES, user__in=trainers).values_list("user_id", flat=True)
        )
        outsiders = [t for t in trainers if t.pk not in allowed]
        if outsiders:
            add(
                "trainers",
                _("%(names)s cannot train this session: trainers must be trainers or coordinators of its partner.")
                % {"names": ", ".join(t.get_full_name() for t in outsiders)},
            )
    cohort = values.get("cohort")
    if cohort is not None and partner is not None:
        if cohort.partner_id != partner.pk:
            add("cohort", _("This cohort belongs to another partner."))
        course_key = values.get("course_key")
        if course_key and UUID(str(course_key)) != cohort.course_key:
            add("cohort", _("This cohort runs another course."))
    series = values.get("series")
    if series is not None and partner is not None and series.partner_id != partner.pk:
        add("series", _("This series belongs to another partner."))
    if errors:
        raise ValidationError(errors)


def _new_join_code() -> str:
    return join_code_generate()


@transaction.atomic
def session_create(*, created_by, trainers: Iterable, now: dt.datetime | None = None, invite: bool = True, **values) -> LiveSession:
    """A new session with a fresh join code; invitations and reminders are
    queued after commit."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown session fields: {sorted(unknown)}")
    trainers = list(trainers)
    now = now or timezone.now()
    session_validate(values=values, trainers=trainers, starts_at_changed=True, now=now)
    if values.get("cohort") is not None and not values.get("course_key"):
        values["course_key"] = values["cohort"].course_key
    session = LiveSession(created_by=created_by, **values)
    for _attempt in range(JOIN_CODE_ATTEMPTS):
        session.join_code = _new_join_code()
        session.full_clean(exclude=["join_code"])
        try:
            with transaction.atomic():
                session.save()
        except IntegrityError:
            if LiveSession.objects.filter(join_code=session.join_code).exists():
                session.pk = None
                continue  # a code collision (2**40 codes): draw again
            raise
        break
    else:  # pragma: no cover - 10 collisions in a row in 2**40 codes
        raise RuntimeError("could not draw a free join code")
    session.trainers.set(trainers)
    if invite:
        transaction.on_commit(lambda: invitations_enqueue(session_id=session.pk))
    transaction.on_commit(lambda: reminders_plan(session_id=session.pk))
    return session


@transaction.atomic
def session_update(*, session: LiveSession, trainers: Iterable, now: dt.datetime | None = None, **values) -> LiveSession:
    """Change a session. Moving the start plans new reminders (the old ones
    see the session moved and send nothing)."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown session fields: {sorted(unknown)}")
    trainers = list(trainers)
    now = now or timezone.now()
    session = LiveSession.objects.select_for_update().get(pk=session.pk)
    if session.status == LiveSession.Status.ENDED:
        raise ValidationError(_("This session has ended and can no longer be changed."))
    merged = {field: getattr(session, field) for field in EDITABLE_FIELDS}
    merged.update(values)
    starts_at_changed = "starts_at" in values and values["starts_at"] != session.starts_at
    session_validate(values=merged, trainers=trainers, starts_at_changed=starts_at_changed, now=now)
    if merged.get("cohort") is not None and not merged.get("course_key"):
        merged["course_key"] = merged["cohort"].course_key
    for field, value in merged.items():
        setattr(session, field, value)
    session.full_clean()
    session.save()
    session.trainers.set(trainers)
    if session.reminders_planned_for != session.starts_at:
        transaction.on_commit(lambda: reminders_plan(session_id=session.pk))
    return session


# --- Invitations and reminders --------------------------------------------------------


def invitations_enqueue(*, session_id: int) -> None:
    from .tasks import session_invitations_send

    session_invitations_send.enqueue(session_id)


def reminders_plan(*, session_id: int, now: dt.datetime | None = None) -> list[dt.datetime]:
    """Queue the 24-hour and 1-hour reminders for the session's current
    start (those still in the future), and remember which start they are
    for. Each reminder re-checks the start before mailing, so reminders of
    a moved session fall silent. A task backend that cannot run tasks later
    (the immediate backend of the tests) gets none: mailing a reminder now
    would be wrong. Returns the planned times."""
    from .tasks import session_reminder_send

    now = now or timezone.now()
    backend = session_reminder_send.get_backend()
    if not backend.supports_defer:
        return []
    session = LiveSession.objects.filter(pk=session_id, status=LiveSession.Status.SCHEDULED).first()
    if session is None:
        return []
    planned = []
    for offset in REMINDER_OFFSETS:
        run_after = session.starts_at - offset
        if run_after <= now:
            continue
        session_reminder_send.using(run_after=run_after).enqueue(
            session.pk, session.starts_at.isoformat(), int(offset.total_seconds() // 60)
        )
        planned.append(run_after)
    LiveSession.objects.filter(pk=session.pk).update(reminders_planned_for=session.starts_at)
    return planned
