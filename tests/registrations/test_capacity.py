"""Capacity under concurrency, against the suite's real PostgreSQL: many
threads, each with its own database connection, register for the same
training at the same moment; the database never confirms more than the
places. Then cancellations promote the waiting list in order."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from registrations.models import Registration, Training
from registrations.services import registration_cancel, registration_create

from .factories import make_training, make_user

THREADS = 40
PLACES = 10


def _register_all_at_once(training, users):
    barrier = threading.Barrier(len(users), timeout=30)
    results, errors = {}, []

    def run(user):
        try:
            barrier.wait()
            results[user.pk] = registration_create(training=training, user=user, answers={}, privacy_consent=True)
        except Exception as error:  # pragma: no cover - reported by the assertion
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


# serialized_rollback: the flush after this test leaves the tables empty, so a
# later asgi_live_server test restores the migrated rows cleanly.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_registrations_never_overbook_and_cancellations_promote_in_order(mailoutbox):
    assert connection.vendor == "postgresql"
    training = make_training(capacity=PLACES)
    users = [make_user(name=f"Person {n:02d}") for n in range(THREADS)]

    results, errors = _register_all_at_once(training, users)

    assert errors == []
    assert len(results) == THREADS  # none lost
    statuses = [registration.status for registration in results.values()]
    assert statuses.count(Registration.Status.CONFIRMED) == PLACES
    assert statuses.count(Registration.Status.WAITING) == THREADS - PLACES
    training.refresh_from_db()
    assert training.confirmed_count == PLACES
    assert Registration.objects.filter(training=training, status="confirmed").count() == PLACES

    # Cancellations give each place to the oldest waiting registration.
    waiting = list(Registration.objects.filter(training=training, status="waiting").order_by("created_at", "pk"))
    confirmed = list(Registration.objects.filter(training=training, status="confirmed").order_by("pk"))
    for number, registration in enumerate(confirmed[:3]):
        result = registration_cancel(registration=registration)
        assert result.promoted is not None
        assert result.promoted.pk == waiting[number].pk
    for registration in waiting[:3]:
        registration.refresh_from_db()
        assert registration.status == "confirmed"
        assert registration.promoted_at is not None
    assert waiting[3].__class__.objects.get(pk=waiting[3].pk).status == "waiting"
    training.refresh_from_db()
    assert training.confirmed_count == PLACES
    promoted_mail = [m for m in mailoutbox if waiting[0].user.email in m.to and "place is free" in m.subject]
    assert len(promoted_mail) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_cancellations_and_registrations_keep_the_count_right():
    """Confirmed people cancel while newcomers register: the count stays
    equal to the confirmed rows and never above the places."""
    training = make_training(capacity=5)
    first = [make_user() for _ in range(8)]
    for user in first:
        registration_create(training=training, user=user, answers={}, privacy_consent=True)
    to_cancel = list(Registration.objects.filter(training=training, status="confirmed"))[:3]
    newcomers = [make_user() for _ in range(10)]
    barrier = threading.Barrier(len(to_cancel) + len(newcomers), timeout=30)
    errors = []

    def cancel(registration):
        try:
            barrier.wait()
            registration_cancel(registration=registration)
        except Exception as error:  # pragma: no cover
            errors.append(repr(error))
        finally:
            connections.close_all()

    def register(user):
        try:
            barrier.wait()
            registration_create(training=training, user=user, answers={}, privacy_consent=True)
        except Exception as error:  # pragma: no cover
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cancel, args=(r,)) for r in to_cancel]
    threads += [threading.Thread(target=register, args=(u,)) for u in newcomers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    training.refresh_from_db()
    confirmed = Registration.objects.filter(training=training, status="confirmed").count()
    assert confirmed == training.confirmed_count == 5
    # The three freed places went to the three oldest of the first waiting list
    # (promotion happens in the cancelling transaction, before any newcomer).
    first_waiting = Registration.objects.filter(training=training, user__in=first[5:])
    assert {r.status for r in first_waiting} == {"confirmed"}
    assert Registration.objects.filter(training=training, user__in=newcomers, status="waiting").count() == 10


@pytest.mark.django_db
def test_the_database_refuses_overbooking_whatever_the_code_path():
    training = make_training(capacity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Training.objects.filter(pk=training.pk).update(confirmed_count=3)


@pytest.mark.django_db
def test_the_database_refuses_two_active_registrations_of_one_person():
    training = make_training()
    user = make_user()
    registration_create(training=training, user=user, answers={}, privacy_consent=True)
    from django.utils import timezone

    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(training=training, user=user, status="waiting", privacy_consent_at=timezone.now())


@pytest.mark.django_db
def test_saving_a_stale_training_never_overwrites_the_count_and_places_cannot_drop_below_it():
    from django.core.exceptions import ValidationError

    training = make_training(capacity=3)
    stale = Training.objects.get(pk=training.pk)
    for _ in range(2):
        registration_create(training=training, user=make_user(), answers={}, privacy_consent=True)
    stale.title = "Renamed"
    stale.save()
    training.refresh_from_db()
    assert training.confirmed_count == 2 and training.title == "Renamed"
    training.capacity = 1
    with pytest.raises(ValidationError) as error:
        training.full_clean()
    assert "capacity" in error.value.message_dict


@pytest.mark.django_db
def test_raising_the_places_promotes_the_waiting_list_in_order(django_capture_on_commit_callbacks):
    from registrations.services import waiting_list_promote

    training = make_training(capacity=1)
    registrations = [registration_create(training=training, user=make_user(), answers={}, privacy_consent=True) for _ in range(4)]
    training.capacity = 3
    training.save()
    promoted = waiting_list_promote(training=training)
    assert [r.pk for r in promoted] == [registrations[1].pk, registrations[2].pk]
    assert Registration.objects.get(pk=registrations[3].pk).status == "waiting"
