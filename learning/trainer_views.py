"""The trainers' and coordinators' pages: cohorts, the progress grid and its
CSV export, enrolling learners and registering face-to-face attendance.

Thin views: parse (trainer_forms), ask (trainer_selectors), change
(cohorts). Every cohort is fetched through `cohorts_visible_to`, so a cohort
of another partner is a 404; a user without a trainer or coordinator role
gets 404 on every page (the pages do not exist for them).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.spreadsheets import csv_response

from . import cohorts as cohort_services
from .models import Cohort
from .services import LearningError
from .trainer_forms import AttendanceForm, CohortCreateForm, EnrolForm, GridFilterForm

GRID_PAGE_SIZE = 50
from .trainer_selectors import (
    cohort_attendance_sheet,
    cohort_grid,
    cohort_learners,
    cohort_list_for,
    cohorts_visible_to,
    course_titles,
    is_trainer_side_user,
)


def _cohort_for(request: HttpRequest, cohort_id: int) -> Cohort:
    return get_object_or_404(cohorts_visible_to(user=request.user).select_related("partner"), pk=cohort_id)


def _require_trainer_side(request: HttpRequest) -> None:
    if not is_trainer_side_user(user=request.user):
        raise Http404


@login_required
@require_http_methods(["GET", "HEAD"])
def cohort_list(request: HttpRequest) -> HttpResponse:
    _require_trainer_side(request)
    return render(request, "learning/trainer/cohort_list.html", {"cohorts": cohort_list_for(user=request.user)})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cohort_create(request: HttpRequest) -> HttpResponse:
    _require_trainer_side(request)
    form = CohortCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cohort = cohort_services.cohort_create(
                created_by=request.user,
                course_key=data["course_key"],
                partner=data["partner"],
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                trainers=data["trainers"],
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("The cohort “%(name)s” has been created.") % {"name": cohort.name})
            return redirect("learning:trainer_cohort_detail", cohort_id=cohort.pk)
    return render(request, "learning/trainer/cohort_form.html", {"form": form})


def _add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
@require_http_methods(["GET", "HEAD"])
def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """The progress grid: learners × modules, filtered by a GET form."""
    cohort = _cohort_for(request, cohort_id)
    filters = GridFilterForm(request.GET or None)
    module_filter = search = None
    if filters.is_bound and filters.is_valid():
        module_filter = filters.cleaned_data["module"]
        search = filters.cleaned_data["q"] or None
    # One page of learners at a time: a 500-learner cohort stays readable and
    # the page's cost does not grow with the cohort (the CSV has everyone).
    learners_page = Paginator(cohort_learners(cohort=cohort, search=search), GRID_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    learners = list(learners_page.object_list)
    grid = cohort_grid(cohort=cohort, module_filter=module_filter, search=search, learners=learners)
    filters.set_modules(grid.modules)
    if module_filter is not None and "module" in filters.errors:
        module_filter = None
        grid = cohort_grid(cohort=cohort, search=search, learners=learners)
    return render(
        request,
        "learning/trainer/cohort_detail.html",
        {
            "cohort": cohort,
            "grid": grid,
            "filters": filters,
            "filtered": bool(module_filter or search),
            "learners_page": learners_page,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def cohort_export(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """The whole grid as CSV for Excel: UTF-8 with a BOM (so accents survive),
    one row per learner, text cells guarded against formula injection."""
    cohort = _cohort_for(request, cohort_id)
    grid = cohort_grid(cohort=cohort)
    filename = f"cohort-{cohort.pk}-{slugify(cohort.name) or 'export'}.csv"
    response, writer = csv_response(filename)
    writer.writerow(
        [_("Name"), _("Email")]
        + [_("%(module)s (%%)") % {"module": column.title} for column in grid.columns]
        + [_("Completed"), _("Completion date")]
    )
    for row in grid.rows:
        writer.writerow(
            [row.learner.full_name, row.learner.email]
            + [cell.percent for cell in row.cells]
            + [_("yes") if row.completed else _("no"), timezone.localdate(row.completed_at).isoformat() if row.completed_at else ""]
        )
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cohort_enrol(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = _cohort_for(request, cohort_id)
    form = EnrolForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = cohort_services.cohort_enrol_learners(
            cohort=cohort, emails=form.cleaned_data["emails"], enrolled_by=request.user
        )
        # Keep only the refused addresses in the box, to correct and resend.
        form = EnrolForm(initial={"emails": "\n".join(outcome.email for outcome in result.refused)})
    return render(
        request,
        "learning/trainer/cohort_enrol.html",
        {"cohort": cohort, "form": form, "result": result,
         "course_title": course_titles(course_keys=[cohort.course_key]).get(cohort.course_key, "")},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cohort_unenrol(request: HttpRequest, cohort_id: int, learner_id: int) -> HttpResponse:
    """Confirm, then take a learner out of the cohort (their record stays)."""
    cohort = _cohort_for(request, cohort_id)
    learner = get_object_or_404(cohort_learners(cohort=cohort), pk=learner_id)
    if request.method == "POST":
        cohort_services.cohort_unenrol(cohort=cohort, learner=learner)
        messages.success(request, _("%(name)s is no longer in this cohort.") % {"name": learner.get_full_name()})
        return redirect("learning:trainer_cohort_detail", cohort_id=cohort.pk)
    return render(request, "learning/trainer/cohort_unenrol.html", {"cohort": cohort, "learner": learner})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_attendance(request: HttpRequest, cohort_id: int, lesson_key, block_id: str) -> HttpResponse:
    """Tick who was at a face-to-face session; saved for the whole cohort at once."""
    cohort = _cohort_for(request, cohort_id)
    sheet = cohort_attendance_sheet(cohort=cohort, lesson_key=lesson_key, block_id=block_id)
    if sheet is None:
        raise Http404
    learners = [row.learner for row in sheet.rows]
    form = AttendanceForm(request.POST or None, learners=learners, initial={"present": sorted(sheet.present_ids)})
    if request.method == "POST" and form.is_valid():
        try:
            result = cohort_services.session_attendance_register(
                registered_by=request.user, cohort=cohort, lesson_key=sheet.lesson_key, block_id=sheet.block_id,
                present_learner_ids=set(form.cleaned_data["present"]),
            )
        except LearningError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                _("Attendance saved: %(present)d of %(total)d present.")
                % {"present": len(form.cleaned_data["present"]), "total": len(learners)},
            )
            if result.changed == 0:
                messages.info(request, _("Nothing had changed."))
            return redirect(request.path)
    return render(
        request,
        "learning/trainer/session_attendance.html",
        {"cohort": cohort, "sheet": sheet, "form": form, "rows": sheet.rows},
    )


__all__ = [
    "cohort_list", "cohort_create", "cohort_detail", "cohort_export", "cohort_enrol", "cohort_unenrol",
    "session_attendance",
]
