"""Partner-country tracking pages: a coordinator's dashboard per partner,
the funder's CSV, ZIP exports of stored PDFs with a progress page, and the
staff overview of all countries.

Thin views: parse (forms), ask (tracking), change (exports). Every partner
is fetched through `tracked_partners`, so another partner's pages are a 404
(never a 403), as are the pages for people without a coordinator role;
every export through `exports_visible_to`, so another person's export is a
404 too. A logged-out visitor is sent to log in, as for certificate
downloads. An invalid filter is answered with the form and its errors
(status 400) and no data query at all.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .exports import NothingToExport, certificate_export_request, exports_visible_to, funder_csv_lines
from .forms import tracking_filter_form
from .models import CertificateExport
from .tracking import TrackingFilters, TrackingScope, dashboard, may_see_overview, overview, tracked_partners


def _partner_for(request: HttpRequest, slug: str):
    return get_object_or_404(tracked_partners(user=request.user), slug=slug)


def _export_for(request: HttpRequest, partner, export_id) -> CertificateExport:
    return get_object_or_404(exports_visible_to(user=request.user, partner=partner), pk=export_id)


@login_required
@require_http_methods(["GET", "HEAD"])
def partner_list(request: HttpRequest) -> HttpResponse:
    """Where the header and "My certificates" link to: the partner's
    dashboard straight away for a coordinator of one partner, else a list."""
    partners = list(tracked_partners(user=request.user).order_by("country", "name"))
    if not partners:
        raise Http404
    if len(partners) == 1 and not request.user.is_staff:
        return redirect("certificates:partner_dashboard", slug=partners[0].slug)
    return render(
        request,
        "certificates/tracking/partner_list.html",
        {"partners": partners, "show_overview": may_see_overview(user=request.user)},
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def partner_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    partner = _partner_for(request, slug)
    form = tracking_filter_form(request.GET, partner=partner)
    context = {"partner": partner, "form": form, "filtered": form.filtered}
    if form.is_bound and not form.is_valid():
        return render(request, "certificates/tracking/dashboard.html", context, status=400)
    scope = TrackingScope(partner=partner, filters=form.filters() if form.is_bound else TrackingFilters())
    context.update(dashboard(scope=scope))
    context["query"] = request.GET.urlencode() if form.is_bound else ""
    return render(request, "certificates/tracking/dashboard.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def partner_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The funder's CSV for the current filter (see exports.funder_csv_rows)."""
    partner = _partner_for(request, slug)
    form = tracking_filter_form(request.GET, partner=partner)
    if form.is_bound and not form.is_valid():
        return render(
            request, "certificates/tracking/dashboard.html", {"partner": partner, "form": form, "filtered": True},
            status=400,
        )
    scope = TrackingScope(partner=partner, filters=form.filters() if form.is_bound else TrackingFilters())
    filename = f"certificates-{partner.slug}-{timezone.localdate().isoformat()}.csv"
    response = StreamingHttpResponse(funder_csv_lines(scope=scope), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["POST"])
def export_request(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask for a ZIP of the filtered certificates (the filter travels in the
    form's hidden fields), then follow its progress."""
    partner = _partner_for(request, slug)
    form = tracking_filter_form(request.POST, partner=partner)
    if form.is_bound and not form.is_valid():
        return render(
            request, "certificates/tracking/dashboard.html", {"partner": partner, "form": form, "filtered": True},
            status=400,
        )
    filters = form.filters() if form.is_bound else TrackingFilters()
    dashboard_url = reverse("certificates:partner_dashboard", kwargs={"slug": partner.slug})
    try:
        export = certificate_export_request(owner=request.user, partner=partner, filters=filters)
    except NothingToExport as error:
        messages.error(request, " ".join(error.messages))
        query = ""
        if form.is_bound:
            # Back to the same filter, without the CSRF token.
            data = form.data.copy()
            data.pop("csrfmiddlewaretoken", None)
            query = data.urlencode()
        return redirect(f"{dashboard_url}?{query}" if query else dashboard_url)
    return redirect("certificates:export_detail", slug=partner.slug, export_id=export.pk)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def export_detail(request: HttpRequest, slug: str, export_id) -> HttpResponse:
    """The progress page: a progress bar the script keeps up to date from
    `export_status`; without JavaScript, reloading the page does the same."""
    partner = _partner_for(request, slug)
    export = _export_for(request, partner, export_id)
    context = {"partner": partner, "export": export, "retention_days": settings.CERTIFICATES_EXPORT_RETENTION_DAYS}
    if export.status == CertificateExport.Status.EXPIRED:
        # Its ZIP was deleted (certificates.housekeeping): the page offers to
        # prepare it again, posting the filter it was made with.
        context["filters_again"] = [(name, value) for name, value in (export.filters or {}).items() if value]
    return render(request, "certificates/tracking/export.html", context)


def export_status_json(export: CertificateExport, *, download_url: str) -> dict:
    done = export.status == CertificateExport.Status.DONE
    return {
        "status": export.status,
        "status_label": str(export.get_status_display()),
        "total": export.total,
        "done": export.done,
        "added": export.added,
        "skipped": export.skipped,
        "percent": export.percent,
        "download_url": download_url if done else None,
    }


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def export_status(request: HttpRequest, slug: str, export_id) -> JsonResponse:
    """Stable shape: {"status", "status_label", "total", "done", "added",
    "skipped", "percent", "download_url"} (download_url null until done)."""
    partner = _partner_for(request, slug)
    export = _export_for(request, partner, export_id)
    url = reverse("certificates:export_download", kwargs={"slug": partner.slug, "export_id": export.pk})
    return JsonResponse(export_status_json(export, download_url=url))


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def export_download(request: HttpRequest, slug: str, export_id) -> HttpResponse:
    partner = _partner_for(request, slug)
    export = _export_for(request, partner, export_id)
    if export.status != CertificateExport.Status.DONE or not export.file:
        # Not ready, failed or expired: back to the export's page, which says which.
        return redirect("certificates:export_detail", slug=partner.slug, export_id=export.pk)
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"certificates-{partner.slug}-{export.created_at:%Y%m%d-%H%M}.zip",
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def staff_overview(request: HttpRequest) -> HttpResponse:
    """All countries side by side, for programme staff (a 404 for others)."""
    if not may_see_overview(user=request.user):
        raise Http404
    form = tracking_filter_form(request.GET, partner=None)
    context = {"form": form, "filtered": form.filtered}
    if form.is_bound and not form.is_valid():
        return render(request, "certificates/tracking/overview.html", context, status=400)
    scope = TrackingScope(partner=None, filters=form.filters() if form.is_bound else TrackingFilters())
    context.update(overview(scope=scope))
    return render(request, "certificates/tracking/overview.html", context)


__all__ = [
    "partner_list", "partner_dashboard", "partner_csv", "export_request", "export_detail", "export_status",
    "export_download", "staff_overview",
]
