"""The learner's views: thin. Each reads the request, asks a selector or
calls a service, and answers. Everything shown is scoped to request.user:
there is no URL that takes a learner id, so another learner's record is
unreachable (404), never forbidden."""

from __future__ import annotations

import json
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from config.json_checks import json_depth, json_text_storable

from . import selectors, services
from .forms import QuizSubmissionForm, ReflectionForm

XAPI_MAX_BODY_BYTES = 64 * 1024
# Real statements nest about six levels (object.definition.choices[].
# description); anything far deeper is refused at the edge.
XAPI_MAX_DEPTH = 20


def _page_url(request: HttpRequest, page, fragment: str = "") -> str:
    url = page.get_url(request) or "/"
    return f"{url}#{fragment}" if fragment else url


def _rejected(request: HttpRequest, error: services.LearningError, *, back: str | None) -> HttpResponse:
    return render(
        request,
        "learning/evidence_error.html",
        {"message": error.message, "code": error.code, "back": back},
        status=400,
    )


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "learning/dashboard.html", {"dashboard": selectors.dashboard_for(learner=request.user)})


@login_required
@require_POST
def enroll(request: HttpRequest, course_key: UUID) -> HttpResponse:
    """Self-enrolment. A course open only to cohorts is a 404 for anyone
    without a cohort enrolment in it: its existence is not disclosed."""
    course = selectors.course_for_key(course_key=course_key)
    if course is None:
        raise Http404
    existing = selectors.enrollment_for(learner=request.user, course_key=course_key)
    cohort = existing.cohort if existing is not None and existing.cohort_id else None
    if not course.is_public and cohort is None:
        raise Http404
    try:
        services.enrollment_create(learner=request.user, course_key=course_key, cohort=cohort)
    except services.EnrollmentNotAllowed:
        raise Http404 from None
    messages.success(request, _("You are enrolled in “%(title)s”.") % {"title": course.title})
    return HttpResponseRedirect(_page_url(request, course))


@login_required
@require_POST
def unenroll(request: HttpRequest, course_key: UUID) -> HttpResponse:
    enrollment = selectors.enrollment_for(learner=request.user, course_key=course_key)
    course = selectors.course_for_key(course_key=course_key)
    if enrollment is None or course is None:
        raise Http404
    services.enrollment_withdraw(enrollment=enrollment)
    messages.success(
        request,
        _("You have left “%(title)s”. Your progress is kept if you enrol again.") % {"title": course.title},
    )
    return HttpResponseRedirect(_page_url(request, course))


def _lesson_or_404(lesson_key: UUID):
    lesson = selectors.lesson_for_key(lesson_key=lesson_key)
    if lesson is None:
        raise Http404
    return lesson


@login_required
@require_POST
def quiz_submit(request: HttpRequest, lesson_key: UUID, block_id: str) -> HttpResponse:
    lesson = _lesson_or_404(lesson_key)
    back = _page_url(request, lesson, f"block-{block_id}")
    form = QuizSubmissionForm(request.POST)
    if not form.is_valid():
        return _rejected(request, services.EvidenceRejected(_("The form was incomplete; reload the page and try again.")), back=back)
    try:
        attempt = services.quiz_attempt_submit(
            learner=request.user,
            lesson=lesson,
            block_id=block_id,
            answers=form.answers(),
            submission_id=form.cleaned_data["submission_id"],
        )
    except services.EvidenceRejected as error:
        return _rejected(request, error, back=back)
    if attempt.passed:
        messages.success(request, _("You scored %(percent)s%%: passed.") % {"percent": f"{attempt.percent:.0f}"})
    else:
        messages.warning(request, _("You scored %(percent)s%%: not passed yet.") % {"percent": f"{attempt.percent:.0f}"})
    return HttpResponseRedirect(back)


@login_required
@require_POST
def reflection_submit(request: HttpRequest, lesson_key: UUID, block_id: str) -> HttpResponse:
    lesson = _lesson_or_404(lesson_key)
    back = _page_url(request, lesson, f"block-{block_id}")
    form = ReflectionForm(request.POST)
    text = form.cleaned_data["answer"] if form.is_valid() else request.POST.get("answer", "")
    try:
        services.reflection_save(learner=request.user, lesson=lesson, block_id=block_id, text=text)
    except services.EvidenceRejected as error:
        return _rejected(request, error, back=back)
    messages.success(request, _("Your reflection has been saved. Only you can read it."))
    return HttpResponseRedirect(back)


def _json_error(status: int, code: str, detail) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "detail": str(detail)}}, status=status)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


@require_POST
def xapi(request: HttpRequest) -> JsonResponse:
    """POST {"block_id", "lesson_key", "statement"} from the H5P bridge on
    the lesson page. 201 stored, 200 already stored, 4xx with
    {"error": {"code", "detail"}} and nothing stored. CSRF is checked by
    Django's middleware as for any form (the bridge sends X-CSRFToken)."""
    if not request.user.is_authenticated:
        return _json_error(403, "not_authenticated", _("Log in to record your progress."))
    if request.content_type != "application/json":
        return _json_error(415, "unsupported_media_type", _("Send the statement as application/json."))
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > XAPI_MAX_BODY_BYTES:
        return _json_error(413, "too_large", _("The statement is too large."))
    body = request.body
    if len(body) > XAPI_MAX_BODY_BYTES:
        return _json_error(413, "too_large", _("The statement is too large."))
    try:
        payload = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _json_error(400, "malformed", _("The request is not valid JSON."))
    if json_depth(payload) > XAPI_MAX_DEPTH:
        return _json_error(400, "too_deep", _("The statement nests its data too deeply."))
    if not json_text_storable(payload):  # NUL or a lone surrogate: not storable text
        return _json_error(400, "malformed", _("The request is not valid JSON."))
    if not isinstance(payload, dict) or not isinstance(payload.get("block_id"), str):
        return _json_error(400, "malformed", _("The request needs block_id, lesson_key and statement."))
    try:
        lesson_key = UUID(str(payload.get("lesson_key")))
    except ValueError:
        return _json_error(400, "malformed", _("The request needs block_id, lesson_key and statement."))
    lesson = selectors.lesson_for_key(lesson_key=lesson_key)
    if lesson is None:
        return _json_error(400, "unknown_activity", _("This activity is not part of a published lesson."))
    try:
        record, created = services.evidence_xapi_record(
            learner=request.user, lesson=lesson, block_id=payload["block_id"], statement=payload.get("statement")
        )
    except services.EvidenceRejected as error:
        return _json_error(400, error.code, error.message)
    block_completed = selectors.block_completed(learner=request.user, block_id=record.block_id)
    # Only a statement that counts can move the progress the page shows;
    # most statements (a container's parts, wrong answers) skip the work.
    course = selectors.course_of(page=lesson) if record.counts else None
    progress = selectors.course_progress_for(learner=request.user, course=course) if course else None
    return JsonResponse(
        {
            "statement_id": str(record.statement_id),
            "created": created,
            "counts": record.counts,
            "block_completed": block_completed,
            # What the lesson page shows, so it can update without a reload.
            "progress": progress
            and {
                "percent": progress.percent,
                "done": progress.done,
                "required": progress.required,
                "completed": progress.completed,
                "text": _("Course progress: %(percent)s%%") % {"percent": progress.percent},
            },
        },
        status=201 if created else 200,
    )
