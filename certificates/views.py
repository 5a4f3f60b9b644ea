"""Certificate pages: the public verification page and JSON, the PDF
download, and the holder's own list.

Verification is public and says only what is printed on the certificate.
Downloads are private: the holder, the coordinators of the certificate's
partner and staff; anyone else logged in gets a 404 (never a 403, so a code
reveals nothing), and a logged-out visitor is sent to log in whatever the
code, so the redirect says nothing either.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.selectors import name_request_url

from .codes import code_display, code_normalise
from .models import Certificate
from .ratelimit import verify_blocked, verify_failure_record
from .rendering import store_certificate_pdf
from .selectors import (
    Verification,
    VerificationStatus,
    certificate_verification,
    certificates_of,
    certificates_visible_to,
)
from .services import certificate_awaits_name, certificates_name

_MAX_ECHO = 40  # characters of a malformed code echoed back


def name_first(request) -> HttpResponse:
    """A holder who has not given their name yet is asked for it before a
    certificate of theirs is printed or shown; they come back here after."""
    messages.info(
        request,
        gettext("Please give your given and family name first: your certificates print them."),
    )
    return redirect(name_request_url(next_url=request.get_full_path()))


def holder_asks_without_name(request, certificate: Certificate) -> bool:
    return certificate.holder_id == request.user.pk and not request.user.has_name


def name_if_given(request, certificate: Certificate) -> Certificate:
    """Print the holder's name on a certificate that waited for it when they
    have given it meanwhile (through the admin, say, which sends no signal)."""
    holder = request.user if certificate.holder_id == request.user.pk else certificate.holder
    if holder is not None and holder.has_name and certificate_awaits_name(certificate, holder=holder):
        certificates_name(holder=holder)
        certificate.refresh_from_db()
    return certificate


def _shown(code: str) -> str:
    normalised = code_normalise(code)
    return code_display(normalised) if normalised else code[:_MAX_ECHO]


def _verify(request, code: str) -> tuple[Verification, int]:
    if verify_blocked(request):
        return Verification(code=_shown(code), status=VerificationStatus.RATE_LIMITED), 429
    verification = certificate_verification(code=code_normalise(code), shown_code=_shown(code))
    if not verification.found:
        verify_failure_record(request)
        return verification, 404
    return verification, 200


@require_GET
def verify(request, code: str | None = None):
    """The verification page, and the form to type a code (GET ?code=)."""
    if code is None:
        typed = request.GET.get("code")
        if typed is None or not typed.strip():
            context = {"verification": None, "typed": "", "empty": typed is not None}
            return render(request, "certificates/verify.html", context)
        normalised = code_normalise(typed)
        if normalised:
            return HttpResponseRedirect(reverse("certificates:verify", kwargs={"code": code_display(normalised)}))
        code = typed
    verification, status = _verify(request, code)
    context = {"verification": verification, "typed": _shown(code), "statuses": VerificationStatus}
    template = "429.html" if status == 429 else "certificates/verify.html"
    return render(request, template, context, status=status)


@require_GET
def verify_json(request, code: str):
    """Stable shape: {"code", "status", "holder_name", "title", "partner",
    "country", "issued_on", "expires_on", "hours", "kind"}; status is one of
    valid, revoked, expired, superseded, unknown (404) or rate_limited (429);
    fields not known are null."""
    verification, status = _verify(request, code)
    request.urlconf = "certificates.urls_public"  # a 404 stays a 404 (see certificate_pdf)
    response = JsonResponse(verification.as_json(), status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@never_cache
def certificate_pdf(request, code: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    normalised = code_normalise(code)
    certificate = certificates_visible_to(user=request.user).filter(code=normalised).first() if normalised else None
    if certificate is None:
        # LocaleMiddleware answers a 404 on an unprefixed path with a redirect
        # to /<lang>/<path> whenever that path resolves, and Wagtail's
        # catch-all resolves every path: judging by this (prefix-free)
        # urlconf instead keeps the answer a plain 404.
        request.urlconf = "certificates.urls_public"
        raise Http404(_("No certificate found."))
    if holder_asks_without_name(request, certificate):
        return name_first(request)
    certificate = name_if_given(request, certificate)
    if not certificate.holder_name:
        # Nothing is printed before the holder gives their name.
        request.urlconf = "certificates.urls_public"
        raise Http404(_("No certificate found."))
    if not certificate.pdf or not certificate.pdf.storage.exists(certificate.pdf.name):
        # The render task has not run (or the file was lost): render once, store it.
        store_certificate_pdf(certificate)
    response = FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"certificate-{certificate.display_code}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def my_certificates(request):
    certificates = list(certificates_of(holder=request.user))
    if certificates and not request.user.has_name:
        return name_first(request)
    if any(certificate_awaits_name(certificate, holder=request.user) for certificate in certificates):
        certificates_name(holder=request.user)
        certificates = list(certificates_of(holder=request.user))
    return render(
        request,
        "certificates/mine.html",
        {"certificates": certificates, "Status": Certificate.Status},
    )
