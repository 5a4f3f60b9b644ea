"""Django admin for staff support: look up a learner's enrolments and
evidence, read-only. Evidence is append-only and derived rows are rebuilt
by `progress_recompute`, so nothing here is edited by hand (an enrolment's
status is changed through the site's services, not here). Reflections are
private to the learner: the admin shows that one exists, never its text."""

from __future__ import annotations

from django.contrib import admin

from .models import (
    BlockCompletion,
    Cohort,
    CourseCompletion,
    Enrollment,
    LessonVisit,
    QuizAttempt,
    Reflection,
    SessionAttendance,
    XAPIStatement,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    list_select_related = ["learner"]
    search_fields = ["learner__email", "course_key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Cohort)
class CohortAdmin(ReadOnlyAdmin):
    list_display = ["name", "partner", "course_key", "starts_on", "ends_on"]
    list_filter = ["partner"]
    list_select_related = ["partner"]
    search_fields = ["name", "course_key"]


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = ["learner", "course_key", "status", "cohort", "enrolled_at", "last_activity_at"]
    list_filter = ["status"]
    list_select_related = ["learner", "cohort"]


@admin.register(LessonVisit)
class LessonVisitAdmin(ReadOnlyAdmin):
    list_display = ["learner", "course_key", "lesson_key", "first_visited_at", "last_visited_at"]


@admin.register(QuizAttempt)
class QuizAttemptAdmin(ReadOnlyAdmin):
    list_display = ["learner", "block_id", "attempt_number", "percent", "passed", "created_at"]
    list_filter = ["passed"]


@admin.register(XAPIStatement)
class XAPIStatementAdmin(ReadOnlyAdmin):
    list_display = ["learner", "block_id", "verb", "score_raw", "score_max", "counts", "received_at"]
    list_filter = ["counts"]


@admin.register(Reflection)
class ReflectionAdmin(ReadOnlyAdmin):
    list_display = ["learner", "course_key", "block_id", "created_at", "updated_at"]
    # Never the text: only the learner reads it.
    fields = ["learner", "course_key", "lesson_key", "block_id", "created_at", "updated_at"]
    readonly_fields = fields


@admin.register(SessionAttendance)
class SessionAttendanceAdmin(ReadOnlyAdmin):
    list_display = ["learner", "block_id", "present", "registered_by", "registered_at"]


@admin.register(BlockCompletion)
class BlockCompletionAdmin(ReadOnlyAdmin):
    list_display = ["learner", "course_key", "block_id", "kind", "completed_at"]
    list_filter = ["kind"]


@admin.register(CourseCompletion)
class CourseCompletionAdmin(ReadOnlyAdmin):
    list_display = ["learner", "course_key", "completed_at"]

