"""The public and the registrant's pages: listing, detail, calendar file,
register, my registrations, cancel (from the dashboard or from the signed
link in a mail).

Thin views: parse (forms), ask (selectors), change (services). Cancelling
always needs a POST from a confirmation page: a GET on a mail link never
cancels (mail scanners follow links). A registration of someone else is a
404 (`registrations_of` is the only way to one from the dashboard); a cancel
link whose signature does not verify is a 400 page that changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .forms import ListingFilterForm, RegistrationForm
from .ics import ics_filename, training_ics
from .links import registration_id_from_token
from .models import Registration, Training

PAGE_SIZE = 20


def _training_or_404(training_id: int) -> Training:
    training = selectors.training_public(training_id=training_id)
    if training is None:
        raise Http404
    return training


@require_http_methods(["GET", "HEAD"])
def training_list(request: HttpRequest) -> HttpResponse:
    form = ListingFilterForm(request.GET or None)
    filters = selectors.ListingFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.ListingFilters(
            language=data["language"], country=data["country"],
            partner_id=data["partner"].pk if data["partner"] else None, audience=data["audience"],
            format=data["format"], date_from=data["date_from"], date_to=data["date_to"],
        )
    elif form.is_bound:
        # Keep the valid filters, drop the broken ones (e.g. an inverted range).
        data = {name: value for name, value in form.cleaned_data.items() if name not in form.errors}
        filters = selectors.ListingFilters(
            language=data.get("language", ""), country=data.get("country", ""),
            partner_id=data["partner"].pk if data.get("partner") else None, audience=data.get("audience", ""),
            format=data.get("format", ""),
        )
    trainings = selectors.trainings_public(filters=filters)
    page = Paginator(trainings, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registrations/list.html",
        {"form": form, "page": page, "trainings": list(page.object_list), "query": query.urlencode(),
         "filtered": any(value for key, value in request.GET.items() if key != "page")},
    )


@require_http_methods(["GET", "HEAD"])
def training_detail(request: HttpRequest, training_id: int) -> HttpResponse:
    training = _training_or_404(training_id)
    registration = selectors.active_registration(user=request.user, training=training)
    refusal = None
    try:
        services.registration_check_open(training=training)
    except services.RegistrationRefused as error:
        refusal = error
    join_url = None
    if registration is not None and registration.status == Registration.Status.CONFIRMED and training.live_session_id:
        from live.links import join_url as live_join_url

        join_url = live_join_url(training.live_session, language=translation.get_language())
    return render(
        request,
        "registrations/detail.html",
        {
            "training": training,
            "registration": registration,
            "waiting_position": selectors.waiting_position(registration=registration) if registration else None,
            "refusal": refusal,
            "join_url": join_url,
        },
    )


@require_http_methods(["GET", "HEAD"])
def training_calendar(request: HttpRequest, training_id: int) -> HttpResponse:
    training = _training_or_404(training_id)
    response = HttpResponse(training_ics(training, language=translation.get_language()), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(training)}"'
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def register(request: HttpRequest, training_id: int) -> HttpResponse:
    training = _training_or_404(training_id)
    if selectors.active_registration(user=request.user, training=training) is not None:
        messages.info(request, _("You are already registered for this training."))
        return redirect("registrations:registered", training_id=training.pk)
    try:
        services.registration_check_open(training=training)
    except services.RegistrationRefused as error:
        messages.error(request, str(error.message))
        return redirect("registrations:detail", training_id=training.pk)
    form = RegistrationForm(request.POST or None, training=training)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_create(
                training=training, user=request.user, answers=form.answers(),
                privacy_consent=form.cleaned_data["privacy_consent"],
            )
        except services.RegistrationRefused as error:
            messages.error(request, str(error.message))
            if error.code == "already_registered":
                return redirect("registrations:registered", training_id=training.pk)
            return redirect("registrations:detail", training_id=training.pk)
        except ValidationError as error:
            form.add_answer_errors(error)
        else:
            return redirect("registrations:registered", training_id=training.pk)
    return render(request, "registrations/register.html", {"training": training, "form": form})


@login_required
@require_http_methods(["GET", "HEAD"])
def registered(request: HttpRequest, training_id: int) -> HttpResponse:
    """The confirmation page after registering (confirmed or waiting)."""
    training = _training_or_404(training_id)
    registration = selectors.active_registration(user=request.user, training=training)
    if registration is None:
        return redirect("registrations:detail", training_id=training.pk)
    return render(
        request,
        "registrations/registered.html",
        {"training": training, "registration": registration,
         "waiting_position": selectors.waiting_position(registration=registration)},
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def my_registrations(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    registrations = list(selectors.registrations_of(user=request.user).order_by("-training__starts_at", "-pk")[:100])
    upcoming = [r for r in registrations if r.is_active and r.training.ends_at > now]
    upcoming.sort(key=lambda r: r.training.starts_at)
    others = [r for r in registrations if r not in upcoming]
    return render(request, "registrations/mine.html", {"upcoming": upcoming, "others": others})


def _cancel(request: HttpRequest, registration: Registration) -> services.CancelResult | None:
    try:
        return services.registration_cancel(registration=registration)
    except services.RegistrationRefused as error:
        messages.error(request, str(error.message))
        return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request: HttpRequest, registration_id: int) -> HttpResponse:
    """Cancel one of my registrations (confirmation page, then POST)."""
    registration = get_object_or_404(selectors.registrations_of(user=request.user), pk=registration_id)
    if request.method == "POST":
        result = _cancel(request, registration)
        if result is not None:
            messages.success(request, _("Your registration for “%(title)s” is cancelled.") % {"title": registration.training.title})
        return redirect("registrations:mine")
    return render(request, "registrations/cancel.html", {"registration": registration, "training": registration.training})


@require_http_methods(["GET", "HEAD", "POST"])
def cancel_link(request: HttpRequest, token: str) -> HttpResponse:
    """The signed link from a mail: the token is the credential, so no login
    is needed, and it is checked again on the POST."""
    try:
        registration_id = registration_id_from_token(token)
    except signing.BadSignature:
        return render(request, "registrations/cancel_invalid.html", status=400)
    registration = get_object_or_404(Registration.objects.select_related("training", "training__partner"), pk=registration_id)
    done = False
    if request.method == "POST" and registration.is_active:
        result = _cancel(request, registration)
        if result is not None:
            registration = result.registration
            done = True
    return render(
        request,
        "registrations/cancel.html",
        {"registration": registration, "training": registration.training, "via_link": True, "done": done},
    )
