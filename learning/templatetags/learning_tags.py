"""Template tags that show the learner's own progress on course, module and
lesson pages. They only read, through learning.selectors, and always for
`request.user`: a page never shows anyone else's record. Results are kept
on the request so a page asks each question once.

    {% load learning_tags %}
    {% learning_progress as learning_progress %}   (course, module, lesson pages)
    {% quiz_state block_id value as quiz %}          (inside the quiz block)
    {% reflection_state block_id as reflection %}    (inside the reflection block)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django import template

from courses.pages import CoursePage, LessonPage

from .. import selectors
from ..models import QuizAttempt, Reflection

register = template.Library()


def _cache(request) -> dict:
    if not hasattr(request, "_learning_cache"):
        request._learning_cache = {}
    return request._learning_cache


def _course_in(context) -> CoursePage | None:
    page = context.get("page")
    if isinstance(page, CoursePage):
        return page
    course = context.get("course")
    return course.specific if course is not None and not isinstance(course, CoursePage) else course


@register.simple_tag(takes_context=True)
def learning_progress(context):
    """The requesting user's CourseProgress for the page's course, or None
    outside a course."""
    request = context.get("request")
    course = _course_in(context)
    if request is None or course is None:
        return None
    cache = _cache(request)
    key = ("progress", course.pk)
    if key not in cache:
        cache[key] = selectors.course_progress_for(learner=request.user, course=course)
    return cache[key]


def _lesson_progress(context):
    page = context.get("page")
    progress = context.get("learning_progress")
    if not isinstance(page, LessonPage) or progress is None:
        return page, None
    return page, progress


def _can_work(progress, page) -> bool:
    if progress is None or not progress.is_enrolled:
        return False
    entry = progress.lesson(page.translation_key)
    return entry is not None and not entry.locked


@dataclass
class QuestionFeedback:
    prompt: str
    correct: bool
    feedback: list[str] = field(default_factory=list)


@dataclass
class QuizState:
    enabled: bool
    submission_id: uuid.UUID
    attempts: list[QuizAttempt]
    attempts_allowed: int
    last: QuizAttempt | None = None
    feedback: list[QuestionFeedback] = field(default_factory=list)

    @property
    def attempts_used(self) -> int:
        return len(self.attempts)

    @property
    def attempts_left(self) -> int | None:
        """None when attempts are unlimited."""
        return max(self.attempts_allowed - self.attempts_used, 0) if self.attempts_allowed else None

    @property
    def passed(self) -> bool:
        return any(attempt.passed for attempt in self.attempts)

    @property
    def can_submit(self) -> bool:
        return self.enabled and self.attempts_left != 0


@register.simple_tag(takes_context=True)
def quiz_state(context, block_id, value):
    """The learner's attempts at one quiz block, the feedback of the last
    one, and whether the form may be submitted. A fresh submission id per
    render makes a resubmitted form the same attempt."""
    page, progress = _lesson_progress(context)
    request = context.get("request")
    state = QuizState(
        enabled=False,
        submission_id=uuid.uuid4(),
        attempts=[],
        attempts_allowed=(value.get("attempts_allowed") or 0) if value else 0,
    )
    if page is None or progress is None or request is None:
        return state
    cache = _cache(request)
    if ("attempts", page.pk) not in cache:
        cache[("attempts", page.pk)] = selectors.quiz_attempts_for(learner=request.user, lesson=page)
    state.attempts = cache[("attempts", page.pk)].get(str(block_id), [])
    state.enabled = _can_work(progress, page)
    if state.attempts:
        state.last = state.attempts[-1]
        chosen = state.last.answers or {}
        for question in value["questions"].bound_blocks:
            selected = set(chosen.get(question.id, []))
            answers = question.value["answers"].bound_blocks
            correct_ids = {answer.id for answer in answers if answer.value.get("correct")}
            state.feedback.append(
                QuestionFeedback(
                    prompt=question.value.get("prompt", ""),
                    correct=selected == correct_ids,
                    feedback=[a.value["feedback"] for a in answers if a.id in selected and a.value.get("feedback")],
                )
            )
    return state


@dataclass
class ReflectionState:
    enabled: bool
    reflection: Reflection | None


@register.simple_tag(takes_context=True)
def reflection_state(context, block_id):
    """The requesting learner's own saved reflection for one block."""
    page, progress = _lesson_progress(context)
    request = context.get("request")
    if page is None or progress is None or request is None:
        return ReflectionState(enabled=False, reflection=None)
    cache = _cache(request)
    if ("reflections", page.pk) not in cache:
        cache[("reflections", page.pk)] = selectors.reflections_for(learner=request.user, lesson=page)
    return ReflectionState(
        enabled=_can_work(progress, page), reflection=cache[("reflections", page.pk)].get(str(block_id))
    )


@register.filter
def block_done(progress, block_id) -> bool:
    """{% if learning_progress|block_done:block.id %}"""
    return progress is not None and str(block_id) in progress.done_block_ids


@register.filter
def lesson_progress(progress, lesson_key):
    """{% with entry=learning_progress|lesson_progress:lesson.translation_key %}"""
    return progress.lesson(lesson_key) if progress is not None else None


@register.filter
def module_progress(progress, module_key):
    """{% with entry=learning_progress|module_progress:module.translation_key %}"""
    return progress.module(module_key) if progress is not None else None
