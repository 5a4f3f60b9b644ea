"""Trainer-side selectors (learning/trainer_selectors.py): who sees which
cohort, the progress grid's numbers, its flat query count, and the
attendance sheet."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from learning.cohorts import cohort_create, session_attendance_register
from learning.trainer_selectors import (
    cohort_attendance_sheet,
    cohort_grid,
    cohort_list_for,
    cohorts_visible_to,
    courses_for_cohort_creation,
    partners_for_cohort_creation,
)
from tests.learning.trainer_fixtures import blocks_of, make_user, make_world, reflect, visit, world  # noqa: F401

pytestmark = pytest.mark.django_db


# --- Scope ------------------------------------------------------------------------------


def test_cohorts_visible_to_each_role(world):
    # A second cohort of the same partner that the trainer does not train.
    colleague = make_user(partner=world.partner, role="trainer")
    untrained = cohort_create(
        created_by=world.coordinator, course_key=world.course_key, partner=world.partner, name="Other group",
        starts_on=datetime.date(2027, 1, 1), trainers=[colleague],
    )

    assert set(cohorts_visible_to(user=world.trainer)) == {world.cohort}
    assert set(cohorts_visible_to(user=world.coordinator)) == {world.cohort, untrained}
    assert set(cohorts_visible_to(user=colleague)) == {untrained}
    assert set(cohorts_visible_to(user=world.staff)) == {world.cohort, untrained}
    for outsider in (world.other_trainer, world.other_coordinator, world.learner, world.other_learner):
        assert not cohorts_visible_to(user=outsider).exists()
    from django.contrib.auth.models import AnonymousUser

    assert not cohorts_visible_to(user=AnonymousUser()).exists()


def test_a_coordinator_who_also_trains_sees_each_cohort_once(world):
    world.cohort.trainers.add(world.coordinator)
    assert list(cohorts_visible_to(user=world.coordinator)) == [world.cohort]


def test_choices_for_a_new_cohort(db):
    world = make_world()
    public = make_world(public=True, home=world.home)  # another partner's public course

    assert set(partners_for_cohort_creation(user=world.trainer)) == {world.partner}
    assert not partners_for_cohort_creation(user=world.learner).exists()
    keys = {course.translation_key for course in courses_for_cohort_creation(user=world.trainer)}
    assert keys == {world.course_key, public.course_key}
    keys = {course.translation_key for course in courses_for_cohort_creation(user=world.other_trainer)}
    assert keys == {public.course_key}


def test_cohort_list_counts_learners_and_completions(db):
    world = make_world(modules=1, learners=3)
    first = world.learners[0]
    visit(learner=first, lesson=world.lessons[0])
    reflect(learner=first, lesson=world.lessons[0], text="Mine.")
    lesson_key, block_id = world.session(0)
    session_attendance_register(registered_by=world.trainer, cohort=world.cohort, lesson_key=lesson_key,
                                block_id=block_id, present_learner_ids={first.pk})

    [cohort] = cohort_list_for(user=world.coordinator)

    assert (cohort.learner_count, cohort.completed_count) == (3, 1)
    assert cohort.course_title == world.course.title


# --- Grid ---------------------------------------------------------------------------------


def test_grid_values_per_learner_and_module(db):
    world = make_world(modules=2, learners=3)
    busy, halfway, idle = world.learners
    first, second = world.lessons
    # busy: everything in module 1 (3/3), the session of module 2 (1/3).
    visit(learner=busy, lesson=first)
    reflect(learner=busy, lesson=first, text="Secret thoughts about my school.")
    for index in (0, 1):
        lesson_key, block_id = world.session(index)
        session_attendance_register(registered_by=world.trainer, cohort=world.cohort, lesson_key=lesson_key,
                                    block_id=block_id, present_learner_ids={busy.pk})
    # halfway: the reading of module 2 only.
    visit(learner=halfway, lesson=second)

    grid = cohort_grid(cohort=world.cohort)

    assert [column.title for column in grid.modules] == ["Module 1", "Module 2"]
    assert [column.required for column in grid.modules] == [3, 3]
    rows = {row.learner: row for row in grid.rows}
    assert [cell.percent for cell in rows[busy].cells] == [100, 33]
    assert [cell.percent for cell in rows[halfway].cells] == [0, 33]
    assert [cell.percent for cell in rows[idle].cells] == [0, 0]
    assert (rows[busy].done, rows[busy].required, rows[busy].percent) == (4, 6, 66)
    assert not any(row.completed for row in grid.rows)
    assert [session.block_id for session in grid.sessions] == [blocks_of(first)["session"], blocks_of(second)["session"]]


def test_grid_filters_by_module_and_search(db):
    world = make_world(modules=2, learners=3)
    second_module = cohort_grid(cohort=world.cohort).modules[1]

    grid = cohort_grid(cohort=world.cohort, module_filter=second_module.key, search="learner 01")

    assert [column.key for column in grid.columns] == [second_module.key]
    assert len(grid.modules) == 2
    assert [row.learner for row in grid.rows] == [world.learners[1]]
    assert len(grid.rows[0].cells) == 1
    by_email = cohort_grid(cohort=world.cohort, search=world.learners[2].email.upper())
    assert [row.learner for row in by_email.rows] == [world.learners[2]]


def test_grid_leaves_out_withdrawn_learners_and_other_cohorts(db):
    from learning.cohorts import cohort_unenrol

    world = make_world(learners=2)
    cohort_unenrol(cohort=world.cohort, learner=world.learners[0])
    assert [row.learner for row in cohort_grid(cohort=world.cohort).rows] == [world.learners[1]]


def test_grid_shows_completion(db):
    world = make_world(modules=1)
    lesson = world.lessons[0]
    visit(learner=world.learner, lesson=lesson)
    reflect(learner=world.learner, lesson=lesson, text="Done.")
    lesson_key, block_id = world.session(0)
    session_attendance_register(registered_by=world.trainer, cohort=world.cohort, lesson_key=lesson_key,
                                block_id=block_id, present_learner_ids={world.learner.pk})

    [row] = cohort_grid(cohort=world.cohort).rows
    assert row.completed and row.percent == 100 and row.completed_at is not None


def _grid_queries(world) -> int:
    with CaptureQueriesContext(connection) as queries:
        grid = cohort_grid(cohort=world.cohort)
        [cell.percent for row in grid.rows for cell in row.cells]
    return len(queries)


def test_grid_queries_stay_flat_as_learners_grow(db):
    small = make_world(learners=3)
    large = make_world(learners=30, home=small.home)
    for world in (small, large):
        for learner in world.learners[::2]:
            visit(learner=learner, lesson=world.lessons[0])
            reflect(learner=learner, lesson=world.lessons[1], text="x")

    assert len(cohort_grid(cohort=large.cohort).rows) == 30
    assert _grid_queries(small) == _grid_queries(large) <= 8


def test_grid_titles_follow_the_active_language(world):
    # Without a French copy, the source titles are used.
    with translation.override("fr"):
        grid = cohort_grid(cohort=world.cohort)
    assert grid.course_title == world.course.title
    assert grid.modules[0].title == "Module 1"


# --- Attendance sheet ------------------------------------------------------------------------


def test_attendance_sheet(db):
    world = make_world(learners=3)
    lesson_key, block_id = world.session(0)
    session_attendance_register(registered_by=world.trainer, cohort=world.cohort, lesson_key=lesson_key,
                                block_id=block_id, present_learner_ids={world.learners[0].pk})

    sheet = cohort_attendance_sheet(cohort=world.cohort, block_id=block_id)

    assert sheet.session["title"] == "Practising conversations 1"
    assert sheet.lesson_key == lesson_key
    assert [row.present for row in sheet.rows] == [True, False, False]
    assert sheet.present_ids == {world.learners[0].pk}
    assert cohort_attendance_sheet(cohort=world.cohort, block_id=blocks_of(world.lessons[0])["text"]) is None
    assert cohort_attendance_sheet(cohort=world.cohort, block_id="nope") is None
    other_lesson = world.lessons[1].translation_key
    assert cohort_attendance_sheet(cohort=world.cohort, block_id=block_id, lesson_key=other_lesson) is None
