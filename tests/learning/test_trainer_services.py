"""Trainer-side services (learning/cohorts.py): creating cohorts, enrolling
by email, taking learners out, and registering face-to-face attendance."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from learning.cohorts import cohort_create, cohort_enrol_learners, cohort_unenrol, session_attendance_register
from learning.models import BlockCompletion, CourseCompletion, Enrollment, Reflection, SessionAttendance
from learning.services import EvidenceRejected
from tests.learning.trainer_fixtures import blocks_of, make_user, make_world, reflect, visit, world  # noqa: F401

pytestmark = pytest.mark.django_db


# --- cohort_create -----------------------------------------------------------------------


def _create(world, **overrides):
    values = dict(
        created_by=world.trainer, course_key=world.course_key, partner=world.partner, name="Autumn 2027",
        starts_on=datetime.date(2027, 9, 1), ends_on=datetime.date(2027, 12, 1),
    )
    values.update(overrides)
    return cohort_create(**values)


def test_a_trainer_creates_a_cohort_and_trains_it(world):
    cohort = _create(world)

    assert cohort.partner == world.partner and cohort.created_by == world.trainer
    assert list(cohort.trainers.all()) == [world.trainer]


def test_a_coordinator_creates_a_cohort_naming_its_trainers(world):
    cohort = _create(world, created_by=world.coordinator, trainers=[world.trainer])

    assert list(cohort.trainers.all()) == [world.trainer]


def test_a_cohort_cannot_end_before_it_starts(world):
    with pytest.raises(ValidationError) as error:
        _create(world, starts_on=datetime.date(2027, 9, 1), ends_on=datetime.date(2027, 8, 31))
    assert "ends_on" in error.value.message_dict


def test_a_cohort_only_for_your_own_partner(world):
    with pytest.raises(ValidationError) as error:
        _create(world, created_by=world.other_trainer)
    # The other partner's trainer may not run this (non-public) course either.
    assert set(error.value.message_dict) == {"partner", "course_key"}


def test_a_cohort_of_another_partners_private_course_is_refused(world):
    with pytest.raises(ValidationError) as error:
        _create(world, created_by=world.other_trainer, partner=world.other_partner)
    assert set(error.value.message_dict) == {"course_key"}


def test_a_public_course_may_be_run_by_any_partner(db):
    world = make_world(public=True)
    cohort = _create(world, created_by=world.other_trainer, partner=world.other_partner)
    assert cohort.partner == world.other_partner


def test_trainers_must_belong_to_the_partner(world):
    with pytest.raises(ValidationError) as error:
        _create(world, trainers=[world.other_trainer])
    assert "trainers" in error.value.message_dict


def test_a_learner_cannot_create_a_cohort(world):
    with pytest.raises(ValidationError):
        _create(world, created_by=world.learner)


# --- cohort_enrol_learners ---------------------------------------------------------------


def test_enrol_by_email_reports_per_address_and_leaks_nothing(world):
    newcomer = make_user(partner=world.partner, name="Zoë Ørsted")

    result = cohort_enrol_learners(
        cohort=world.cohort,
        emails=[f"  {newcomer.email.upper()} ", "nobody@example.org", world.other_learner.email, "not-an-email",
                world.learner.email],
        enrolled_by=world.trainer,
    )

    assert result.status_of(newcomer.email) == "enrolled"
    assert result.status_of(world.learner.email) == "already_enrolled"
    assert result.status_of("not-an-email") == "invalid"
    # An unknown address and another partner's member look the same to the trainer.
    unknown = next(o for o in result.outcomes if o.email == "nobody@example.org")
    foreign = next(o for o in result.outcomes if o.email == world.other_learner.email)
    assert unknown.status == foreign.status == "not_found"
    assert unknown.message == foreign.message
    assert [o.email for o in result.outcomes][0] == newcomer.email  # the trainer's order
    assert not Enrollment.objects.filter(learner=world.other_learner).exists()
    enrollment = Enrollment.objects.get(learner=newcomer)
    assert enrollment.cohort == world.cohort and enrollment.enrolled_by == world.trainer
    assert enrollment.course_key == world.course_key


def test_enrolling_twice_changes_nothing(world):
    newcomer = make_user(partner=world.partner)
    cohort_enrol_learners(cohort=world.cohort, emails=[newcomer.email], enrolled_by=world.trainer)
    result = cohort_enrol_learners(cohort=world.cohort, emails=[newcomer.email, newcomer.email], enrolled_by=world.trainer)

    assert [o.status for o in result.outcomes] == ["already_enrolled"]
    assert Enrollment.objects.filter(learner=newcomer).count() == 1


def test_no_account_is_created(world):
    from accounts.models import User

    before = User.objects.count()
    cohort_enrol_learners(cohort=world.cohort, emails=["new.person@example.org"], enrolled_by=world.trainer)
    assert User.objects.count() == before


# --- cohort_unenrol -----------------------------------------------------------------------


def test_unenrol_withdraws_and_keeps_the_evidence(world):
    lesson_key, session_id = world.session(0)
    session_attendance_register(
        registered_by=world.trainer, cohort=world.cohort, lesson_key=lesson_key, block_id=session_id,
        present_learner_ids={world.learner.pk},
    )

    enrollment = cohort_unenrol(cohort=world.cohort, learner=world.learner)

    assert enrollment.status == Enrollment.Status.WITHDRAWN and enrollment.withdrawn_at is not None
    assert SessionAttendance.objects.filter(learner=world.learner, present=True).count() == 1
    assert BlockCompletion.objects.filter(learner=world.learner, block_id=session_id).exists()
    # Enrolling again reactivates the same enrolment.
    result = cohort_enrol_learners(cohort=world.cohort, emails=[world.learner.email], enrolled_by=world.trainer)
    assert result.status_of(world.learner.email) == "enrolled"
    assert Enrollment.objects.get(learner=world.learner).status == Enrollment.Status.ACTIVE


# --- session_attendance_register ---------------------------------------------------------------


def _register(world, present, index=0, **overrides):
    lesson_key, block_id = world.session(index)
    values = dict(registered_by=world.trainer, cohort=world.cohort, lesson_key=lesson_key, block_id=block_id,
                  present_learner_ids=present)
    values.update(overrides)
    return session_attendance_register(**values)


def test_attendance_is_registered_for_every_learner_and_completes_the_block(db):
    world = make_world(learners=3)
    present, absent, _third = world.learners
    _, block_id = world.session(0)

    result = _register(world, {present.pk})

    rows = {row.learner_id: row for row in SessionAttendance.objects.filter(block_id=block_id)}
    assert set(rows) == {learner.pk for learner in world.learners}
    assert rows[present.pk].present and not rows[absent.pk].present
    assert rows[present.pk].registered_by == world.trainer
    assert rows[present.pk].course_key == world.course_key and rows[present.pk].lesson_key == world.lessons[0].translation_key
    assert result.created == 3
    assert BlockCompletion.objects.filter(learner=present, block_id=block_id, kind="session").exists()
    assert not BlockCompletion.objects.filter(learner=absent, block_id=block_id).exists()


def test_registering_again_is_idempotent(world):
    _register(world, {world.learner.pk})
    result = _register(world, {world.learner.pk})

    assert (result.created, result.updated, result.changed) == (0, 0, 0)
    assert SessionAttendance.objects.filter(learner=world.learner).count() == 1
    assert BlockCompletion.objects.filter(learner=world.learner).count() == 1


def test_correcting_present_to_absent_removes_the_block_completion(world):
    _, block_id = world.session(0)
    _register(world, {world.learner.pk})
    result = _register(world, set(), registered_by=world.coordinator)

    row = SessionAttendance.objects.get(learner=world.learner, block_id=block_id)
    assert not row.present and row.registered_by == world.coordinator
    assert result.updated == 1
    assert not BlockCompletion.objects.filter(learner=world.learner, block_id=block_id).exists()


def test_the_last_session_completes_the_course(db):
    world = make_world(modules=1)
    lesson = world.lessons[0]
    visit(learner=world.learner, lesson=lesson)
    reflect(learner=world.learner, lesson=lesson, text="Listening first.")
    assert not CourseCompletion.objects.filter(learner=world.learner).exists()

    _register(world, {world.learner.pk})

    assert CourseCompletion.objects.filter(learner=world.learner, course_key=world.course_key).exists()


@pytest.mark.parametrize("kind", ["text", "reflection", "missing"])
def test_only_a_session_block_of_the_course_takes_attendance(world, kind):
    lesson_key, _ = world.session(0)
    block_id = blocks_of(world.lessons[0]).get(kind, "4f1f4f6e-0000-0000-0000-000000000000")
    with pytest.raises(EvidenceRejected) as error:
        _register(world, {world.learner.pk}, block_id=block_id)
    assert error.value.code == "not_a_session"
    assert not SessionAttendance.objects.exists()


def test_a_session_in_another_lesson_is_refused(world):
    _, block_id = world.session(1)
    with pytest.raises(EvidenceRejected):
        _register(world, {world.learner.pk}, lesson_key=world.lessons[0].translation_key, block_id=block_id)


def test_attendance_only_for_the_cohorts_learners(world):
    with pytest.raises(EvidenceRejected) as error:
        _register(world, {world.learner.pk, world.other_learner.pk})
    assert error.value.code == "not_in_cohort"
    assert not SessionAttendance.objects.exists()


def test_withdrawn_learners_are_left_out(db):
    world = make_world(learners=2)
    leaver, stayer = world.learners
    cohort_unenrol(cohort=world.cohort, learner=leaver)

    _register(world, {stayer.pk})

    assert not SessionAttendance.objects.filter(learner=leaver).exists()
    with pytest.raises(EvidenceRejected):
        _register(world, {leaver.pk})


def test_reflections_are_never_touched(world):
    reflect(learner=world.learner, lesson=world.lessons[0], text="Private words.")
    _register(world, {world.learner.pk})
    assert Reflection.objects.get(learner=world.learner).text == "Private words."
