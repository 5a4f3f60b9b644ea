"""Background work of registrations (django-tasks). Tasks take ids and
re-read the database: what they act on may have changed since they were
queued (a registration cancelled, a training moved)."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from .models import OrganiserMessage, Registration

logger = logging.getLogger(__name__)


@task()
def registration_mail_send(registration_id: int, kind: str, expected_status: str) -> bool:
    """Mail about a registration, unless its status has changed since (a
    "confirmed" mail for a registration cancelled meanwhile is not sent)."""
    from .emails import registration_mail

    registration = Registration.objects.select_related("training", "training__partner", "user").filter(pk=registration_id).first()
    if registration is None or registration.status != expected_status:
        return False
    registration_mail(registration=registration, kind=kind).send()
    logger.info("registration %s: %s mail sent", registration_id, kind)
    return True


@task()
def registration_reminder_send(registration_id: int, planned_start: str, minutes_before: int) -> bool:
    """A reminder planned for the training starting at `planned_start`:
    sent only if the registration is still confirmed and the start has not
    moved (a moved start has reminders of its own)."""
    from .emails import registration_mail

    registration = Registration.objects.select_related("training", "training__partner", "user").filter(pk=registration_id).first()
    if registration is None or registration.status != Registration.Status.CONFIRMED:
        return False
    if registration.training.starts_at != dt.datetime.fromisoformat(planned_start):
        return False
    registration_mail(registration=registration, kind="reminder", minutes_before=minutes_before).send()
    return True


@task()
def organiser_message_deliver(message_id: int) -> int:
    """One mail per active registrant (confirmed, and waiting when asked),
    each logged; returns how many were sent."""
    from .emails import organiser_mail

    message = OrganiserMessage.objects.select_related("training", "training__partner").filter(pk=message_id).first()
    if message is None or message.sent_at is not None:
        return 0
    statuses = [Registration.Status.CONFIRMED] + ([Registration.Status.WAITING] if message.include_waiting else [])
    sent = 0
    for registration in (
        Registration.objects.filter(training=message.training, status__in=statuses).select_related("user").order_by("pk")
    ):
        registration.training = message.training
        organiser_mail(message=message, registration=registration).send()
        logger.info("organiser message %s sent to registration %s", message.pk, registration.pk)
        sent += 1
    OrganiserMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(), sent_count=sent)
    return sent
