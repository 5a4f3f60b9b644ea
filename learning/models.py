"""Enrolments, cohorts and the evidence progress is computed from.

Keys. Everything a learner earns is keyed on the course's and lesson's
Wagtail `translation_key` and the StreamField block id, never on a page id:
the FR and NL copies of a course share those keys, so a learner who switches
language keeps their progress (see courses/selectors.py).

Evidence (LessonVisit, QuizAttempt, XAPIStatement, Reflection,
SessionAttendance) is written idempotently (unique keys, get_or_create) and
never deleted by the platform: withdrawing from a course keeps it.
BlockCompletion and CourseCompletion are derived from the evidence by
`learning.services.progress_recompute`, which may be run again at any time.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Cohort(models.Model):
    """A dated run of a course for a group, owned by one partner. Its trainers
    follow its learners; the partner's coordinators see it too."""

    course_key = models.UUIDField(_("course"), db_index=True)
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="cohorts"
    )
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    trainers = models.ManyToManyField(USER, verbose_name=_("trainers"), related_name="trained_cohorts", blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="cohort_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Enrollment(models.Model):
    """A learner in a course, optionally through a cohort. One row per
    (learner, course): enrolling again reactivates it, so history stays."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    learner = models.ForeignKey(USER, verbose_name=_("learner"), on_delete=models.CASCADE, related_name="enrollments")
    course_key = models.UUIDField(_("course"), db_index=True)
    cohort = models.ForeignKey(
        Cohort, verbose_name=_("cohort"), on_delete=models.PROTECT, null=True, blank=True, related_name="enrollments"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    enrolled_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    enrolled_at = models.DateTimeField(_("enrolled"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    # "Continue where I left off": the last lesson the learner opened.
    last_lesson_key = models.UUIDField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["learner", "course_key"], name="enrollment_unique_learner_course"),
        ]
        indexes = [models.Index(fields=["cohort", "status"])]

    def __str__(self) -> str:
        return f"{self.learner} — {self.course_key}"


class _Evidence(models.Model):
    learner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    course_key = models.UUIDField(db_index=True)
    lesson_key = models.UUIDField()

    class Meta:
        abstract = True


class LessonVisit(_Evidence):
    """The learner opened the lesson: evidence for its reading blocks
    (text, image, video, resource)."""

    first_visited_at = models.DateTimeField(auto_now_add=True)
    last_visited_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "lesson_key"], name="lessonvisit_unique")]


class QuizAttempt(_Evidence):
    """One submitted attempt at a quiz block, marked on the server.
    `submission_id` comes from the form, so a resubmitted (retried) form
    is the same attempt, not a new one."""

    block_id = models.CharField(max_length=64)
    submission_id = models.UUIDField(default=uuid.uuid4)
    attempt_number = models.PositiveSmallIntegerField()
    answers = models.JSONField(default=dict)
    correct = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    passed = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "submission_id"], name="quizattempt_unique_submission"),
            models.UniqueConstraint(fields=["learner", "block_id", "attempt_number"], name="quizattempt_unique_number"),
        ]


class XAPIStatement(_Evidence):
    """An xAPI statement from an H5P activity, as received (raw) plus the
    fields the server checked. The learner comes from the session, never
    from the statement's actor."""

    block_id = models.CharField(max_length=64)
    package = models.ForeignKey("courses.H5PPackage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    statement_id = models.UUIDField()
    # "" for a statement about the activity as a whole; the subContentId for
    # one about a part of it (a question inside a Question Set).
    sub_content_id = models.CharField(max_length=64, blank=True, default="")
    verb = models.CharField(max_length=200)
    score_raw = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    score_max = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    # raw/max (or scaled) clamped to 0..1: what completion rules compare.
    score_share = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    success = models.BooleanField(null=True, blank=True)
    completion = models.BooleanField(null=True, blank=True)
    duration = models.CharField(max_length=64, blank=True)
    # True when this statement meets the block's completion rule.
    counts = models.BooleanField(default=False)
    raw = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "statement_id"], name="xapistatement_unique_statement"),
        ]
        indexes = [models.Index(fields=["learner", "block_id"])]


class Reflection(_Evidence):
    """A learner's private answer to a reflection prompt. Only the learner
    reads it; trainers see that it exists, not what it says."""

    block_id = models.CharField(max_length=64)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "block_id"], name="reflection_unique")]


class SessionAttendance(_Evidence):
    """Attendance at a face-to-face session block, registered by a trainer."""

    block_id = models.CharField(max_length=64)
    present = models.BooleanField(default=True)
    registered_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    registered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "block_id"], name="sessionattendance_unique")]


class BlockCompletion(models.Model):
    """Derived: the learner has completed this required block (from the
    evidence above). Rebuilt by progress_recompute; read by dashboards."""

    learner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    course_key = models.UUIDField()
    lesson_key = models.UUIDField()
    block_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=20)
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "block_id"], name="blockcompletion_unique")]
        indexes = [models.Index(fields=["course_key", "learner"])]


class CourseCompletion(models.Model):
    """Derived and recorded once: the learner met the course's completion
    rule. Creating it sends `learning.signals.course_completed`."""

    learner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="course_completions")
    course_key = models.UUIDField(db_index=True)
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "course_key"], name="coursecompletion_unique")]
