"""The organisers' pages: my trainings, a training's registration list with
the answers, its CSV, on-site attendance, closing/reopening registration
and messaging all registrants.

Every training is fetched through `selectors.trainings_managed_by`, so a
training of another partner is a 404; a user who manages no training at all
gets 404 on every page (the pages do not exist for them).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.spreadsheets import csv_response

# The platform's one CSV guard against formula injection (learning's trainer CSV).
from . import selectors, services
from .forms import AttendanceForm, MessageForm
from .models import Registration, Training
from .questions import answer_display, label_text


def _require_staff_side(request: HttpRequest) -> None:
    if not selectors.is_training_staff_user(user=request.user):
        raise Http404


def _managed(request: HttpRequest, training_id: int) -> Training:
    return get_object_or_404(
        selectors.trainings_managed_by(user=request.user).select_related("partner", "cohort"), pk=training_id
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def manage_list(request: HttpRequest) -> HttpResponse:
    _require_staff_side(request)
    upcoming, past = selectors.managed_training_list(user=request.user)
    return render(request, "registrations/manage/list.html", {"upcoming": upcoming, "past": past})


def _rows(training: Training, registrations):
    questions = list(training.questions or [])
    return questions, [
        (registration, [answer_display(question, registration.answers.get(question["key"])) for question in questions])
        for registration in registrations
    ]


@login_required
@require_http_methods(["GET", "HEAD"])
def manage_detail(request: HttpRequest, training_id: int) -> HttpResponse:
    training = _managed(request, training_id)
    registrations = list(selectors.training_registrations(training=training))
    questions, rows = _rows(training, registrations)
    return render(
        request,
        "registrations/manage/detail.html",
        {
            "training": training,
            "question_labels": [label_text(question["label"]) for question in questions],
            "confirmed_rows": [row for row in rows if row[0].status == Registration.Status.CONFIRMED],
            "waiting_rows": [row for row in rows if row[0].status == Registration.Status.WAITING],
            "cancelled_rows": [row for row in rows if row[0].status == Registration.Status.CANCELLED],
            "sent_messages": list(training.messages.select_related("sender")[:20]),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def manage_export(request: HttpRequest, training_id: int) -> HttpResponse:
    """Every registration as CSV for Excel: UTF-8 with a BOM, one row per
    registration, text cells guarded against formula injection."""
    training = _managed(request, training_id)
    registrations = selectors.training_registrations(training=training)
    questions, rows = _rows(training, registrations)
    filename = f"registrations-{training.pk}-{slugify(training.title) or 'export'}.csv"
    response, writer = csv_response(filename)
    writer.writerow(
        [_("Name"), _("Email"), _("Status"), _("Registered"), _("Attended")]
        + [label_text(question["label"]) for question in questions]
    )
    attended = {True: _("yes"), False: _("no"), None: ""}
    for registration, answers in rows:
        writer.writerow(
            [registration.user.get_full_name(), registration.user.email,
             registration.get_status_display(), registration.created_at.isoformat(timespec="seconds"),
             attended[registration.attended]]
            + list(answers)
        )
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def manage_attendance(request: HttpRequest, training_id: int) -> HttpResponse:
    training = _managed(request, training_id)
    registrations = selectors.training_registrations(training=training, statuses=[Registration.Status.CONFIRMED])
    form = AttendanceForm(request.POST or None, registrations=registrations)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.attendance_mark(training=training, marks=form.marks(), marked_by=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            marks = form.marks()
            messages.success(
                request,
                _("Attendance saved: %(present)d present, %(absent)d absent.")
                % {"present": sum(1 for v in marks.values() if v is True), "absent": sum(1 for v in marks.values() if v is False)},
            )
            if outcome.evidence_recorded:
                messages.info(request, _("The attendance also counts for the course's face-to-face session."))
            return redirect("registrations:manage_attendance", training_id=training.pk)
    return render(request, "registrations/manage/attendance.html", {"training": training, "form": form})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def manage_status(request: HttpRequest, training_id: int) -> HttpResponse:
    """Close or reopen registration (confirmation page, then POST)."""
    training = _managed(request, training_id)
    if request.method == "POST":
        is_open = request.POST.get("registration_open") == "1"
        services.training_registration_set(training=training, is_open=is_open)
        messages.success(request, _("Registration is open.") if is_open else _("Registration is closed."))
        return redirect("registrations:manage_detail", training_id=training.pk)
    return render(request, "registrations/manage/status.html", {"training": training})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def manage_message(request: HttpRequest, training_id: int) -> HttpResponse:
    training = _managed(request, training_id)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.organiser_message_send(
            training=training, sender=request.user, subject=data["subject"], body=data["body"],
            include_waiting=data["include_waiting"],
        )
        messages.success(request, _("Your message is being sent to the registrants."))
        return redirect("registrations:manage_detail", training_id=training.pk)
    return render(
        request,
        "registrations/manage/message.html",
        {"training": training, "form": form,
         "confirmed": training.confirmed_count,
         "waiting": Registration.objects.filter(training=training, status=Registration.Status.WAITING).count()},
    )
