"""The trainers' pages: what they show and what their forms do, in en, fr
and nl, with accessible markup; the CSV export's format."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from learning.cohorts import session_attendance_register
from learning.models import BlockCompletion, Cohort, Enrollment, SessionAttendance
from tests.courses.test_pages import unlabelled_controls
from tests.learning.trainer_fixtures import make_user, make_world, reflect, visit, world  # noqa: F401

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "fr", "nl"]


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(f"learning:{name}", kwargs=kwargs)


def _pages(world) -> list[tuple[str, dict]]:
    lesson_key, block_id = world.session(0)
    cohort = {"cohort_id": world.cohort.pk}
    return [
        ("trainer_cohort_list", {}),
        ("trainer_cohort_create", {}),
        ("trainer_cohort_detail", cohort),
        ("trainer_cohort_enrol", cohort),
        ("trainer_cohort_unenrol", {**cohort, "learner_id": world.learner.pk}),
        ("trainer_session_attendance", {**cohort, "lesson_key": lesson_key, "block_id": block_id}),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_render_in_each_language_with_labelled_controls(client, world, language):
    client.force_login(world.trainer)
    for name, kwargs in _pages(world):
        response = client.get(url(name, language, **kwargs))
        html = response.content.decode()
        assert response.status_code == 200, name
        assert f'<html lang="{language}"' in html, name
        assert html.count("<h1") == 1, name
        assert unlabelled_controls(html) == [], name


def test_cohort_list_shows_course_and_counts(client, world):
    client.force_login(world.coordinator)
    html = client.get(url("trainer_cohort_list")).content.decode()

    assert world.cohort.name in html and world.course.title in html
    assert '<th scope="col">' in html and '<th scope="row">' in html
    assert "Anna Peeters" in html


# --- Create -------------------------------------------------------------------------------


def test_create_a_cohort(client, world):
    client.force_login(world.trainer)
    response = client.post(
        url("trainer_cohort_create"),
        {"course_key": str(world.course_key), "partner": world.partner.pk, "name": "Autumn 2027 — Gent",
         "starts_on": "2027-09-01", "ends_on": "2027-12-01"},
    )

    cohort = Cohort.objects.get(name="Autumn 2027 — Gent")
    assert response.status_code == 302 and response["Location"] == url("trainer_cohort_detail", cohort_id=cohort.pk)
    assert list(cohort.trainers.all()) == [world.trainer]


def test_create_shows_the_services_errors_on_the_fields(client, world):
    client.force_login(world.trainer)
    response = client.post(
        url("trainer_cohort_create"),
        {"course_key": str(world.course_key), "partner": world.partner.pk, "name": "Backwards",
         "starts_on": "2027-09-01", "ends_on": "2027-08-01"},
    )

    assert response.status_code == 200
    assert "A cohort cannot end before it starts." in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert not Cohort.objects.filter(name="Backwards").exists()


def test_create_offers_only_the_users_partners_and_courses(client, world):
    client.force_login(world.other_trainer)
    response = client.post(
        url("trainer_cohort_create"),
        {"course_key": str(world.course_key), "partner": world.partner.pk, "name": "Intruders",
         "starts_on": "2027-09-01"},
    )

    form = response.context["form"]
    assert set(form.errors) == {"course_key", "partner"}
    assert list(form.fields["partner"].queryset) == [world.other_partner]
    assert not Cohort.objects.filter(name="Intruders").exists()


# --- Grid ---------------------------------------------------------------------------------


def test_grid_shows_progress_but_never_reflections(client, db):
    world = make_world(modules=2, learners=2)
    first = world.learners[0]
    visit(learner=first, lesson=world.lessons[0])
    reflect(learner=first, lesson=world.lessons[0], text="My private worry about Samir.")
    client.force_login(world.trainer)

    response = client.get(url("trainer_cohort_detail", cohort_id=world.cohort.pk))
    html = response.content.decode()

    assert "My private worry about Samir." not in html
    assert "<caption" in html and '<th scope="col">Module 1</th>' in html
    assert f'<th scope="row">{first.full_name}' in html
    assert '<td data-done="2" data-required="3">66&nbsp;%</td>' in html  # module 1: text + reflection of three
    assert "Practising conversations 1" in html  # attendance links


def test_grid_filters_by_module_and_search(client, db):
    world = make_world(modules=2, learners=3)
    client.force_login(world.trainer)
    response = client.get(url("trainer_cohort_detail", cohort_id=world.cohort.pk))
    module_key = response.context["grid"].modules[1].key

    response = client.get(url("trainer_cohort_detail", cohort_id=world.cohort.pk), {"module": module_key, "q": "learner 02"})
    html = response.content.decode()

    assert [column.key for column in response.context["grid"].columns] == [module_key]
    assert [row.learner for row in response.context["grid"].rows] == [world.learners[2]]
    assert '<th scope="col">Module 1</th>' not in html


def test_grid_pages_large_cohorts_and_keeps_the_filters(client, db):
    from learning.trainer_views import GRID_PAGE_SIZE

    world = make_world(modules=1, learners=GRID_PAGE_SIZE + 3)
    client.force_login(world.trainer)
    first = client.get(url("trainer_cohort_detail", cohort_id=world.cohort.pk))
    second = client.get(url("trainer_cohort_detail", cohort_id=world.cohort.pk), {"page": 2, "q": "learner"})

    assert len(first.context["grid"].rows) == GRID_PAGE_SIZE
    assert len(second.context["grid"].rows) == 3
    html = first.content.decode()
    assert f"{GRID_PAGE_SIZE + 3} learners" in html  # the caption counts the whole cohort
    assert "page=2" in html
    assert "q=learner" in second.content.decode()  # page links keep the search
    # Out-of-range and junk page numbers fall back to a real page, not an error.
    assert client.get(url("trainer_cohort_detail", cohort_id=world.cohort.pk), {"page": "999"}).status_code == 200
    assert client.get(url("trainer_cohort_detail", cohort_id=world.cohort.pk), {"page": "x"}).status_code == 200


def test_grid_rejects_a_module_of_another_course(client, world):
    client.force_login(world.trainer)
    response = client.get(
        url("trainer_cohort_detail", cohort_id=world.cohort.pk),
        {"module": "00000000-0000-0000-0000-000000000000", "q": "x" * 101},
    )

    assert response.status_code == 200
    assert set(response.context["filters"].errors) == {"module", "q"}
    assert len(response.context["grid"].columns) == 2


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_export(client, db):
    world = make_world(modules=1, learners=2)
    done, attacker = world.learners
    attacker.full_name = "=HYPERLINK(\"http://evil.example\")"
    attacker.save()
    done.full_name = "Zoë Ørsted-Müller"
    done.save()
    visit(learner=done, lesson=world.lessons[0])
    reflect(learner=done, lesson=world.lessons[0], text="Private.")
    lesson_key, block_id = world.session(0)
    session_attendance_register(registered_by=world.trainer, cohort=world.cohort, lesson_key=lesson_key,
                                block_id=block_id, present_learner_ids={done.pk})
    client.force_login(world.coordinator)

    response = client.get(url("trainer_cohort_export", cohort_id=world.cohort.pk))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="cohort-{world.cohort.pk}-spring-2027-gent.csv"'
    body = response.content
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["Name", "Email", "Module 1 (%)", "Completed", "Completion date"]
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email[done.email] == ["Zoë Ørsted-Müller", done.email, "100", "yes", timezone.localdate().isoformat()]
    assert by_email[attacker.email][0] == "'=HYPERLINK(\"http://evil.example\")"
    assert by_email[attacker.email][2:] == ["0", "no", ""]
    assert "Private." not in body.decode("utf-8-sig")


def test_csv_completion_date_is_the_local_date(client, db):
    """Completed at 23:30 UTC on 1 March is 2 March in Brussels (the site's
    time zone): the CSV gives the date the people of the programme saw."""
    from learning.models import CourseCompletion

    world = make_world(modules=1, learners=1)
    (done,) = world.learners
    visit(learner=done, lesson=world.lessons[0])
    reflect(learner=done, lesson=world.lessons[0], text="Private.")
    lesson_key, block_id = world.session(0)
    session_attendance_register(registered_by=world.trainer, cohort=world.cohort, lesson_key=lesson_key,
                                block_id=block_id, present_learner_ids={done.pk})
    CourseCompletion.objects.filter(learner=done).update(
        completed_at=datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.timezone.utc)
    )
    client.force_login(world.coordinator)
    response = client.get(url("trainer_cohort_export", cohort_id=world.cohort.pk))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][-1] == "2026-03-02"


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@"])
def test_csv_guards_every_formula_prefix(prefix):
    from config.spreadsheets import csv_cell as _csv_cell

    assert _csv_cell(f"{prefix}SUM(A1)") == f"'{prefix}SUM(A1)"
    assert _csv_cell("Anna") == "Anna" and _csv_cell(42) == 42


def test_csv_header_in_french(client, world):
    client.force_login(world.trainer)
    response = client.get(url("trainer_cohort_export", "fr", cohort_id=world.cohort.pk))
    assert response.status_code == 200 and response.content.startswith("\ufeff".encode())


# --- Enrol, unenrol ------------------------------------------------------------------------


def test_enrol_form_reports_each_address(client, world):
    newcomer = make_user(partner=world.partner, name="Pieter Claes")
    client.force_login(world.trainer)

    response = client.post(
        url("trainer_cohort_enrol", cohort_id=world.cohort.pk),
        {"emails": f"{newcomer.email}\nnobody@example.org; {world.other_learner.email}"},
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert Enrollment.objects.get(learner=newcomer).cohort == world.cohort
    assert "Enrolled." in html and html.count("No member of this partner has an account with this address.") == 2
    # The refused addresses stay in the box to be corrected.
    assert response.context["form"].initial["emails"] == f"nobody@example.org\n{world.other_learner.email}"
    assert not Enrollment.objects.filter(learner=world.other_learner).exists()


def test_enrol_form_requires_an_address(client, world):
    client.force_login(world.trainer)
    response = client.post(url("trainer_cohort_enrol", cohort_id=world.cohort.pk), {"emails": "  "})
    assert response.status_code == 200 and response.context["form"].errors


def test_unenrol_keeps_the_record(client, world):
    client.force_login(world.trainer)
    response = client.post(url("trainer_cohort_unenrol", cohort_id=world.cohort.pk, learner_id=world.learner.pk))

    assert response.status_code == 302
    assert Enrollment.objects.get(learner=world.learner).status == Enrollment.Status.WITHDRAWN
    # Not in the cohort any more: its page is gone for them.
    again = client.get(url("trainer_cohort_unenrol", cohort_id=world.cohort.pk, learner_id=world.learner.pk))
    assert again.status_code == 404


# --- Attendance ------------------------------------------------------------------------------


def test_attendance_form_saves_in_bulk(client, db):
    world = make_world(learners=3)
    lesson_key, block_id = world.session(0)
    page = url("trainer_session_attendance", cohort_id=world.cohort.pk, lesson_key=lesson_key, block_id=block_id)
    client.force_login(world.trainer)

    html = client.get(page).content.decode()
    assert "<fieldset" in html and "<legend>" in html
    response = client.post(page, {"present": [world.learners[0].pk, world.learners[2].pk]})

    assert response.status_code == 302 and response["Location"] == page
    present = set(SessionAttendance.objects.filter(block_id=block_id, present=True).values_list("learner_id", flat=True))
    assert present == {world.learners[0].pk, world.learners[2].pk}
    assert SessionAttendance.objects.filter(block_id=block_id).count() == 3
    assert BlockCompletion.objects.filter(block_id=block_id).count() == 2
    html = client.get(page).content.decode()
    assert html.count(" checked") == 2

    client.post(page, {"present": [world.learners[0].pk]})
    assert BlockCompletion.objects.filter(block_id=block_id).count() == 1


def test_attendance_refuses_someone_outside_the_cohort(client, world):
    lesson_key, block_id = world.session(0)
    client.force_login(world.trainer)
    page = url("trainer_session_attendance", cohort_id=world.cohort.pk, lesson_key=lesson_key, block_id=block_id)

    response = client.post(page, {"present": [world.other_learner.pk]})

    assert response.status_code == 200 and response.context["form"].errors
    assert not SessionAttendance.objects.exists()


def test_attendance_for_a_block_that_is_not_a_session_is_404(client, world):
    from tests.learning.trainer_fixtures import blocks_of

    lesson = world.lessons[0]
    client.force_login(world.trainer)
    for block_id in (blocks_of(lesson)["text"], "unknown"):
        response = client.get(url("trainer_session_attendance", cohort_id=world.cohort.pk,
                                  lesson_key=lesson.translation_key, block_id=block_id))
        assert response.status_code == 404


# --- Flat query counts ----------------------------------------------------------------------------


def _queries(client, page: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert client.get(page).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["trainer_cohort_detail", "trainer_cohort_export", "trainer_session_attendance"])
def test_cohort_pages_run_as_many_queries_for_3_as_for_30_learners(client, db, name):
    small = make_world(learners=3)
    large = make_world(learners=30, home=small.home)
    counts = []
    for world in (small, large):
        for learner in world.learners[::2]:
            visit(learner=learner, lesson=world.lessons[0])
        lesson_key, block_id = world.session(0)
        kwargs = {"cohort_id": world.cohort.pk}
        if name == "trainer_session_attendance":
            kwargs.update(lesson_key=lesson_key, block_id=block_id)
        client.force_login(world.coordinator)
        counts.append(_queries(client, url(name, **kwargs)))
    assert counts[0] == counts[1]


def test_cohort_list_runs_as_many_queries_for_1_as_for_5_cohorts(client, world):
    client.force_login(world.coordinator)
    one = _queries(client, url("trainer_cohort_list"))
    for n in range(4):
        Cohort.objects.create(course_key=world.course_key, partner=world.partner, name=f"Group {n}",
                              starts_on=datetime.date(2027, 1, 1)).trainers.add(world.trainer)
    assert _queries(client, url("trainer_cohort_list")) == one
