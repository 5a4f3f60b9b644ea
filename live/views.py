"""Live sessions' pages outside the room: joining by code or link, the
trainers' schedule (list, form, detail, calendar file, invitations), the
attendance report with its CSV and corrections, and the safeguarding queue.

Thin views: parse (forms), ask (selectors), change (joining, scheduling,
attendance_effects). Every staff page fetches its session through
`selectors.sessions_visible_to`, so a session of another partner is a 404;
users without a trainer or coordinator role get 404 on every staff page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.client_ip import client_ip
from config.spreadsheets import csv_response
from learning.trainer_selectors import course_titles

from . import joining, scheduling
from .attendance import minutes_by_participant
from .attendance_effects import attendance_correct
from .forms import CorrectionForm, GuestJoinForm, JoinCodeForm, ResolveForm, SessionForm
from .ics import ics_filename, session_ics
from .links import join_url
from .models import AttendanceCorrection, LiveSession, Participant, Report
from .safeguarding_reviews import report_resolve
from .selectors import (
    is_live_staff_user,
    reports_visible_to,
    session_list_for,
    session_recipients,
    sessions_for_learner,
    sessions_visible_to,
)

GET = ["GET", "HEAD"]
GET_POST = ["GET", "HEAD", "POST"]


def _address(request: HttpRequest) -> str:
    """Whose budget of wrong join codes a request spends (TRUSTED_PROXY_COUNT)."""
    return client_ip(request)


# --- Joining -----------------------------------------------------------------------


def _enter_room(request: HttpRequest, session: LiveSession, participant: Participant) -> HttpResponse:
    return redirect("live:room", session_id=session.pk)


def _refused(request: HttpRequest, error: joining.JoinRefused, *, form=None, session=None) -> HttpResponse:
    """The code page with the refusal; a session that is not open yet is
    named, with when it opens."""
    status = 429 if error.code == "rate_limited" else 200
    form = form or JoinCodeForm()
    context = {"form": form, "error": error.message, "session": error.session or session, "opens_at": error.opens_at}
    return render(request, "live/join.html", context, status=status)


@require_http_methods(GET_POST)
def join(request: HttpRequest) -> HttpResponse:
    """Type a join code."""
    form = JoinCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = joining.session_for_code(form.cleaned_data["code"], address=_address(request))
        except joining.JoinRefused as error:
            return _refused(request, error, form=form)
        return redirect("live:join_link", code=session.join_code)
    if request.method == "POST" and not form.is_valid():
        # An empty box spends nothing, but says the same as a wrong code.
        return _refused(request, joining.JoinRefused(joining.INVALID_CODE_MESSAGE, code="invalid"), form=form)
    return render(request, "live/join.html", {"form": form})


@require_http_methods(GET_POST)
def join_link(request: HttpRequest, code: str) -> HttpResponse:
    """The link form of a code: join with the account, or give a guest name."""
    try:
        session = joining.session_for_code(code, address=_address(request))
        remembered = joining.participant_remembered(session=session, django_session=request.session, user=request.user)
    except joining.JoinRefused as error:
        return _refused(request, error)
    if remembered is not None:
        return _enter_room(request, session, remembered)
    way = joining.join_way(session, request.user)
    if way == joining.Way.LOGIN:
        return redirect_to_login(request.get_full_path())
    if way in (joining.Way.STAFF, joining.Way.PROFESSIONAL):
        try:
            participant = joining.participant_join_account(session=session, user=request.user, django_session=request.session)
        except joining.JoinRefused as error:
            return _refused(request, error, session=session)
        return _enter_room(request, session, participant)
    age = joining.consent_age(session)
    form = GuestJoinForm(request.POST or None, session=session, consent_age=age)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            participant = joining.participant_join_guest(
                session=session, django_session=request.session, user=request.user,
                display_name=form.cleaned_data["display_name"], consent=form.cleaned_data.get("consent", False),
            )
        except joining.JoinRefused as refused:
            error = refused.message
        else:
            return _enter_room(request, session, participant)
    return render(request, "live/join_guest.html", {"form": form, "session": session, "error": error, "consent_age": age})


# --- Staff pages: scope --------------------------------------------------------------


def _require_staff_side(request: HttpRequest) -> None:
    if not is_live_staff_user(user=request.user):
        raise Http404


def _session_for_staff(request: HttpRequest, session_id: int) -> LiveSession:
    _require_staff_side(request)
    return get_object_or_404(
        sessions_visible_to(user=request.user).select_related("partner", "cohort"), pk=session_id
    )


@login_required
@require_http_methods(GET)
def session_list(request: HttpRequest) -> HttpResponse:
    _require_staff_side(request)
    upcoming, past = session_list_for(user=request.user)
    return render(request, "live/session_list.html", {"upcoming": upcoming, "past": past})


@login_required
@require_http_methods(GET_POST)
def session_create(request: HttpRequest) -> HttpResponse:
    _require_staff_side(request)
    initial = {"trainers": [request.user.pk], "lobby_enabled": True, "duration_minutes": 60, "capacity": 100,
               "language": request.LANGUAGE_CODE}
    form = SessionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = scheduling.session_create(
                created_by=request.user, trainers=form.cleaned_data["trainers"], **form.service_values()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The session “%(title)s” has been scheduled.") % {"title": session.title})
            return redirect("live:session_detail", session_id=session.pk)
    return render(request, "live/session_form.html", {"form": form, "session": None})


@login_required
@require_http_methods(GET_POST)
def session_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_for_staff(request, session_id)
    form = SessionForm(request.POST or None, user=request.user, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            session = scheduling.session_update(
                session=session, trainers=form.cleaned_data["trainers"], **form.service_values()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The session has been saved."))
            return redirect("live:session_detail", session_id=session.pk)
    return render(request, "live/session_form.html", {"form": form, "session": session})


@login_required
@require_http_methods(GET)
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_for_staff(request, session_id)
    course_title = course_titles(course_keys=[session.course_key]).get(session.course_key) if session.course_key else None
    return render(
        request,
        "live/session_detail.html",
        {
            "session": session,
            "trainers": list(session.trainers.all()),
            "join_url": join_url(session, language=request.LANGUAGE_CODE),
            "room_url": reverse("live:session_enter", kwargs={"session_id": session.pk}),
            "course_title": course_title,
            "local_start": session.starts_at.astimezone(session.tz),
            "local_end": session.ends_at.astimezone(session.tz),
            "open_reports": session.reports.filter(status=Report.Status.OPEN).count(),
        },
    )


@login_required
@require_http_methods(GET)
def session_enter(request: HttpRequest, session_id: int) -> HttpResponse:
    """Staff open the room from the session page, without the code and at
    any time before the session ends (the code's window is for others)."""
    session = _session_for_staff(request, session_id)
    try:
        joining.participant_join_account(session=session, user=request.user, django_session=request.session)
    except joining.JoinRefused as error:
        messages.error(request, error.message)
        return redirect("live:session_detail", session_id=session.pk)
    return redirect("live:room", session_id=session.pk)


@login_required
@require_http_methods(GET)
def session_calendar(request: HttpRequest, session_id: int) -> HttpResponse:
    """The .ics for the session's staff and for its enrolled learners."""
    staff = is_live_staff_user(user=request.user) and sessions_visible_to(user=request.user).filter(pk=session_id).exists()
    if staff:
        session = get_object_or_404(LiveSession.objects.select_related("partner"), pk=session_id)
    else:
        session = get_object_or_404(sessions_for_learner(user=request.user).select_related("partner"), pk=session_id)
    response = HttpResponse(
        session_ics(session, language=request.LANGUAGE_CODE, for_staff=staff), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(session)}"'
    return response


@login_required
@require_http_methods(GET_POST)
def session_invite(request: HttpRequest, session_id: int) -> HttpResponse:
    """Confirm, then (re-)send the invitation to the session's learners."""
    session = _session_for_staff(request, session_id)
    recipients = session_recipients(session).count()
    if request.method == "POST":
        if session.status != LiveSession.Status.SCHEDULED:
            messages.error(request, _("This session has ended: no invitations were sent."))
        elif not recipients:
            messages.info(request, _("Nobody to invite: no learner is enrolled in the session's course or cohort."))
        else:
            transaction.on_commit(lambda: scheduling.invitations_enqueue(session_id=session.pk))
            messages.success(request, _("Invitations are on their way to %(count)d learners.") % {"count": recipients})
        return redirect("live:session_detail", session_id=session.pk)
    return render(request, "live/session_invite.html", {"session": session, "recipients": recipients})


# --- Attendance ---------------------------------------------------------------------


def _attendance_rows(session: LiveSession) -> list[dict]:
    """One row per participant; four queries whatever their number."""
    participants = list(
        Participant.objects.filter(session=session)
        .select_related("user")
        .annotate(interval_count=Count("intervals"))
        .order_by("role", "display_name", "pk")
    )
    minutes = minutes_by_participant(session)
    rows = []
    for participant in participants:
        data = minutes.get(participant.pk, {"measured": 0.0, "minutes": 0.0, "percent": 0.0, "correction": None})
        rows.append({"participant": participant, **data})
    return rows


def _corrections(session: LiveSession):
    return AttendanceCorrection.objects.filter(participant__session=session).select_related(
        "participant", "participant__user", "corrected_by"
    )


@login_required
@require_http_methods(GET)
def session_attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_for_staff(request, session_id)
    rows = _attendance_rows(session)
    form = CorrectionForm(session=session, participants=[row["participant"] for row in rows])
    return render(
        request,
        "live/attendance.html",
        {"session": session, "rows": rows, "form": form, "corrections": _corrections(session)},
    )


@login_required
@require_http_methods(GET_POST)
def attendance_correction(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_for_staff(request, session_id)
    participants = list(
        Participant.objects.filter(session=session).select_related("user").order_by("role", "display_name", "pk")
    )
    form = CorrectionForm(request.POST or None, session=session, participants=participants)
    if request.method == "POST" and form.is_valid():
        participant = next(p for p in participants if p.pk == form.cleaned_data["participant"])
        try:
            attendance_correct(
                participant=participant, minutes=form.cleaned_data["minutes"], reason=form.cleaned_data["reason"],
                corrected_by=request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, _("Attendance of %(name)s corrected to %(minutes)d minutes.")
                % {"name": participant.staff_name, "minutes": form.cleaned_data["minutes"]},
            )
            return redirect("live:session_attendance", session_id=session.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "live/attendance_correction.html", {"session": session, "form": form, "corrections": _corrections(session)},
        status=status,
    )


@login_required
@require_http_methods(GET)
def session_attendance_csv(request: HttpRequest, session_id: int) -> HttpResponse:
    """The report for Excel: UTF-8 with a BOM, text cells guarded against
    formula injection (display names are typed by guests)."""
    session = _session_for_staff(request, session_id)
    response, writer = csv_response(f"live-session-{session.pk}-attendance.csv")
    writer.writerow([
        _("Name"), _("Role"), _("Minutes present"), _("Percentage of the scheduled time"), _("Measured minutes"),
        _("Corrected"), _("Intervals"),
    ])
    for row in _attendance_rows(session):
        participant = row["participant"]
        writer.writerow([
            participant.staff_name, participant.get_role_display(), row["minutes"],
            row["percent"], row["measured"], _("yes") if row["correction"] else _("no"), participant.interval_count,
        ])
    return response


# --- Safeguarding --------------------------------------------------------------------


def _require_reviewer(request: HttpRequest):
    reports = reports_visible_to(user=request.user)
    if not request.user.has_perm("live.review_safeguarding"):
        raise Http404
    return reports


@login_required
@require_http_methods(GET)
def safeguarding_queue(request: HttpRequest) -> HttpResponse:
    reports = _require_reviewer(request)
    return render(
        request,
        "live/safeguarding_queue.html",
        {
            "open_reports": list(reports.filter(status=Report.Status.OPEN).order_by("created_at")),
            "resolved_reports": list(reports.filter(status=Report.Status.RESOLVED).order_by("-handled_at")[:20]),
        },
    )


@login_required
@require_http_methods(GET_POST)
def safeguarding_report(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(_require_reviewer(request), pk=report_id)
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_resolve(report=report, resolution=form.cleaned_data["resolution"], handled_by=request.user)
        except ValidationError as error:
            if getattr(error, "code", None) == "resolved":
                messages.info(request, error.messages[0])
                return redirect("live:safeguarding_queue")
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The report has been resolved."))
            return redirect("live:safeguarding_queue")
    context = report.context if isinstance(report.context, dict) else {}
    return render(
        request,
        "live/safeguarding_report.html",
        {"report": report, "form": form, "reported": context.get("message"), "target": context.get("target"),
         "before": context.get("before", []), "after": context.get("after", [])},
        status=400 if request.method == "POST" else 200,
    )


__all__ = [
    "join", "join_link", "session_list", "session_create", "session_edit", "session_detail", "session_enter", "session_calendar",
    "session_invite", "session_attendance", "attendance_correction", "session_attendance_csv",
    "safeguarding_queue", "safeguarding_report"
]
