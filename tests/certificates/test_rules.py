"""Certificate rules fed by live attendance: the attendance threshold (just
below, at, above), the programme rule of a blended course, and one
certificate however often the rule fires."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from certificates.models import Certificate
from certificates.rules import certificate_issue_for_attendance, issue_on_attendance_changed
from learning.models import CourseCompletion
from learning.services import enrollment_create, progress_recompute
from live.attendance import course_attendance_percent
from live.attendance_effects import attendance_changed
from live.models import AttendanceInterval, LiveSession, Participant
from partners.models import Role
from tests.courses.test_pages import make_course
from tests.live.conftest import make_live_session

from .conftest import make_partner, make_user

pytestmark = pytest.mark.django_db


def attended(session: LiveSession, user, minutes: float) -> Participant:
    participant = Participant.objects.create(
        session=session, user=user, display_name=user.full_name, role=Participant.Role.PROFESSIONAL,
        status=Participant.Status.ADMITTED,
    )
    if minutes:
        AttendanceInterval.objects.create(
            session=session, participant=participant, started_at=session.starts_at,
            last_seen_at=session.starts_at + dt.timedelta(minutes=minutes),
            ended_at=session.starts_at + dt.timedelta(minutes=minutes),
            closed_by=AttendanceInterval.ClosedBy.DISCONNECT,
        )
    return participant


def past_session(partner, **values) -> LiveSession:
    defaults = {
        "starts_at": timezone.now() - dt.timedelta(hours=3), "duration_minutes": 80, "certificate_min_percent": 75,
        "status": LiveSession.Status.ENDED, "title": "Webinar: online hate",
    }
    defaults.update(values)
    return make_live_session(partner=partner, **defaults)


@pytest.mark.parametrize(
    ("minutes", "earned"),
    [(59.9, False), (60, True), (61, True), (80, True)],  # 75 % of 80 minutes = 60
)
def test_attendance_threshold_just_below_at_and_above(minutes, earned):
    partner = make_partner("FR", language="fr")
    session = past_session(partner)
    learner = make_user(name="Zoë Lefèvre", partner=partner, role=Role.LEARNER)
    attended(session, learner, minutes)
    certificate = certificate_issue_for_attendance(session=session, user=learner)
    assert (certificate is not None) is earned
    if earned:
        assert certificate.kind == Certificate.Kind.ATTENDANCE
        assert certificate.session_id == session.pk
        assert certificate.title == session.title
        assert certificate.hours == (Decimal(str(minutes)) / 60).quantize(Decimal("0.01"))
        assert (certificate.partner, certificate.language) == (partner, "fr")


def test_no_attendance_certificate_while_the_session_runs_or_without_a_rule():
    partner = make_partner()
    running = past_session(partner, starts_at=timezone.now() - dt.timedelta(minutes=70), status=LiveSession.Status.SCHEDULED)
    no_rule = past_session(partner, certificate_min_percent=None)
    learner = make_user(partner=partner)
    attended(running, learner, 70)
    attended(no_rule, learner, 80)
    assert certificate_issue_for_attendance(session=running, user=learner) is None
    assert certificate_issue_for_attendance(session=no_rule, user=learner) is None
    assert not Certificate.objects.exists()


def test_the_signal_issues_once_however_often_it_fires(django_capture_on_commit_callbacks):
    partner = make_partner()
    session = past_session(partner)
    learners = [make_user(partner=partner) for _ in range(3)]
    participants = [attended(session, learner, m) for learner, m in zip(learners, [80, 70, 10])]
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            attendance_changed(session, [p.pk for p in participants])
    certificates = Certificate.objects.filter(kind=Certificate.Kind.ATTENDANCE)
    assert sorted(c.holder_id for c in certificates) == sorted(learner.pk for learner in learners[:2])
    assert issue_on_attendance_changed(LiveSession, session=session, user_ids=[learners[2].pk]) == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_attendance_issues_yield_one_certificate():
    partner = make_partner()
    session = past_session(partner)
    learner = make_user(partner=partner)
    attended(session, learner, 80)

    def issue(_):
        try:
            return certificate_issue_for_attendance(session=session, user=learner).pk
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        pks = set(pool.map(issue, range(12)))
    assert len(pks) == 1
    assert Certificate.objects.filter(holder=learner, session_id=session.pk, status=Certificate.Status.VALID).count() == 1


def _blended_course(partner, *, percent=75):
    course = make_course(partner=partner)
    course.certificate_enabled = True
    course.completion_min_live_attendance_percent = percent
    course.is_public = True
    course.save_revision().publish()
    return course


def test_programme_rule_needs_the_live_part(django_capture_on_commit_callbacks):
    partner = make_partner("GB", language="en")
    course = _blended_course(partner)
    learner = make_user(name="Siân O’Neill", partner=partner, role=Role.LEARNER)
    enrollment_create(learner=learner, course_key=course.translation_key)
    session = past_session(partner, course_key=course.translation_key)
    participant = attended(session, learner, 40)  # 50 % < 75 %
    with django_capture_on_commit_callbacks(execute=True):
        progress_recompute(learner=learner, course_key=course.translation_key)
    assert not CourseCompletion.objects.filter(learner=learner).exists()
    assert not Certificate.objects.filter(holder=learner).exists()
    # A trainer's correction brings the attendance to the whole session.
    from live.attendance_effects import attendance_correct

    with django_capture_on_commit_callbacks(execute=True):
        attendance_correct(participant=participant, minutes=80, reason="Was in the room, camera off", corrected_by=None)
    kinds = set(Certificate.objects.filter(holder=learner).values_list("kind", flat=True))
    assert kinds == {Certificate.Kind.PROGRAMME, Certificate.Kind.ATTENDANCE}


def test_a_self_paced_course_still_gives_a_completion_certificate(django_capture_on_commit_callbacks):
    partner = make_partner("GB", language="en")
    course = _blended_course(partner, percent=0)
    learner = make_user(partner=partner)
    enrollment_create(learner=learner, course_key=course.translation_key)
    with django_capture_on_commit_callbacks(execute=True):
        progress_recompute(learner=learner, course_key=course.translation_key)
    assert Certificate.objects.get(holder=learner).kind == Certificate.Kind.COMPLETION


def test_live_attendance_counts_only_the_sessions_a_learner_was_expected_at():
    own, other = make_partner("BE"), make_partner("NL")
    course = _blended_course(own)
    learner = make_user(partner=own)
    enrollment_create(learner=learner, course_key=course.translation_key)
    assert course_attendance_percent(learner=learner, course_key=course.translation_key) == 0.0  # nothing held yet
    mine = past_session(own, course_key=course.translation_key)
    past_session(other, course_key=course.translation_key)  # another partner's run of the course
    make_live_session(partner=own, course_key=course.translation_key, starts_at=timezone.now() + dt.timedelta(days=2))
    attended(mine, learner, 60)
    assert course_attendance_percent(learner=learner, course_key=course.translation_key) == 75.0


def test_the_staff_who_ran_the_session_get_no_attendance_certificate():
    partner = make_partner()
    session = past_session(partner)
    trainer = make_user(partner=partner, role=Role.TRAINER)
    participant = attended(session, trainer, 80)
    Participant.objects.filter(pk=participant.pk).update(role=Participant.Role.STAFF)
    assert certificate_issue_for_attendance(session=session, user=trainer) is None


# --- Attendance over a series of sessions ------------------------------------------------


def _series(partner, *, percent=75, sessions=((3, 60), (2, 60)), over=True):
    """A series of sessions (days ago, minutes); the last one still running
    when `over` is False."""
    from live.models import LiveSeries

    series = LiveSeries.objects.create(title="Series: online hate speech", partner=partner, certificate_min_percent=percent)
    made = []
    for index, (days, minutes) in enumerate(sessions):
        running = not over and index == len(sessions) - 1
        made.append(past_session(
            partner, series=series, duration_minutes=minutes, certificate_min_percent=None,
            starts_at=timezone.now() - (dt.timedelta(minutes=50) if running else dt.timedelta(days=days)),
            status=LiveSession.Status.SCHEDULED if running else LiveSession.Status.ENDED,
            title=f"Part {index + 1}",
        ))
    return series, made


@pytest.mark.parametrize(("first", "second", "earned"), [(60, 29, False), (60, 30, True), (45, 60, True)])
def test_series_threshold_over_the_total_scheduled_time(first, second, earned):
    from certificates.rules import certificate_issue_for_series

    partner = make_partner()
    series, (one, two) = _series(partner)  # 120 minutes in all: 75 % = 90
    learner = make_user(partner=partner)
    attended(one, learner, first)
    attended(two, learner, second)
    certificate = certificate_issue_for_series(series=series, user=learner)
    assert (certificate is not None) is earned
    if earned:
        assert (certificate.kind, certificate.series_id, certificate.session_id) == (Certificate.Kind.ATTENDANCE, series.pk, None)
        assert certificate.title == series.title
        assert certificate.hours == Decimal(first + second) / 60
        assert certificate_issue_for_series(series=series, user=learner).pk == certificate.pk  # once


def test_no_series_certificate_before_its_last_session_is_over(django_capture_on_commit_callbacks):
    partner = make_partner()
    series, (one, two) = _series(partner, over=False)
    learner = make_user(partner=partner)
    participants = [attended(one, learner, 60), attended(two, learner, 40)]  # 100 of 120 minutes
    with django_capture_on_commit_callbacks(execute=True):
        attendance_changed(one, [participants[0].pk])
    assert not Certificate.objects.filter(series_id=series.pk).exists()
    LiveSession.objects.filter(pk=two.pk).update(status=LiveSession.Status.ENDED)
    two.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        attendance_changed(two, [participants[1].pk])
    assert Certificate.objects.filter(series_id=series.pk, holder=learner).count() == 1


def test_a_series_of_another_partner_is_refused_when_scheduling():
    from django.core.exceptions import ValidationError

    from live.models import LiveSeries
    from live.scheduling import session_validate

    own, other = make_partner(), make_partner("NL")
    foreign = LiveSeries.objects.create(title="Theirs", partner=other)
    with pytest.raises(ValidationError) as refused:
        session_validate(values={"partner": own, "series": foreign}, trainers=[], starts_at_changed=False, now=timezone.now())
    assert "series" in refused.value.message_dict
