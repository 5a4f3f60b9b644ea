"""Open Badges credentials over HTTP: the issuer profile and public keys that
verifiers fetch, the holder's credential download, and the verify page's
upload form.

The profile and keys are public and stable (signed credentials point at
them); they send `Access-Control-Allow-Origin: *` so that browser-based
verifiers and wallets can read them.
"""

from __future__ import annotations

import json
from io import BytesIO

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from . import keys
from .codes import code_normalise
from .credentials import (
    CONTEXTS,
    credential_for_download,
    credential_summary,
    credential_verify,
    issuer_id,
    key_url,
    public_url,
    status_from_database,
)
from .selectors import certificates_visible_to
from .views import holder_asks_without_name, name_first, name_if_given

MAX_UPLOAD_BYTES = 64 * 1024


def _public_json(data: dict) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def issuer_profile(request: HttpRequest) -> JsonResponse:
    """The issuer Profile every credential names, with the keys that sign.
    Each verification method's `id` is the key URL that signed credentials
    carry as their JWT `kid` (see certificates.credentials)."""
    methods = [
        {
            "id": key_url(jwk["kid"]),
            "type": "JsonWebKey",
            "controller": issuer_id(),
            "publicKeyJwk": jwk,
        }
        for jwk in keys.published_jwks()["keys"]
    ]
    return _public_json(
        {
            "@context": CONTEXTS,
            "id": issuer_id(),
            "type": ["Profile"],
            "name": settings.PROGRAMME_NAME,
            "url": public_url("/"),
            "verificationMethod": methods,
        }
    )


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    return _public_json(keys.published_jwks())


@require_GET
def public_key(request: HttpRequest, kid: str) -> JsonResponse:
    """One published key as a bare JWK: what a credential's `kid` URL
    dereferences to (Open Badges 3.0 §8.2)."""
    jwk = next((jwk for jwk in keys.published_jwks()["keys"] if jwk["kid"] == kid), None)
    if jwk is None:
        raise Http404
    return _public_json(jwk)


@require_GET
@login_required
def credential_download(request: HttpRequest, code: str) -> HttpResponse:
    """The holder's signed credential as a file (holder, the partner's
    coordinators and staff; 404 for everyone else, as for PDFs)."""
    code = code_normalise(code)
    certificate = certificates_visible_to(user=request.user).filter(code=code).first() if code else None
    if certificate is None:
        raise Http404
    if holder_asks_without_name(request, certificate):
        return name_first(request)
    certificate = name_if_given(request, certificate)
    if not certificate.holder_name:
        raise Http404  # nothing is signed before the holder gives their name
    data = credential_for_download(certificate)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.display_code}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


class _CappedUploadHandler(FileUploadHandler):
    """Keeps an uploaded file in memory and stops reading it after
    MAX_UPLOAD_BYTES, so a huge upload costs neither memory nor disk."""

    too_large = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int):
        if start + len(raw_data) > MAX_UPLOAD_BYTES:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer, self.field_name, self.file_name, self.content_type, file_size, self.charset, self.content_type_extra
        )


def _read_upload(request: HttpRequest, handler: _CappedUploadHandler) -> tuple[str | None, str | None]:
    """(text of the uploaded file, or an error message for the person)."""
    upload = request.FILES.get("credential")
    if handler.too_large or (upload is not None and upload.size > MAX_UPLOAD_BYTES):
        return None, _("The file is too large: a credential is at most 64 KiB.")
    if upload is None:
        return None, _("Choose a credential file (.json) to check.")
    try:
        text = upload.read().decode("utf-8")
    except UnicodeDecodeError:
        return None, _("This file is not a credential: it is not a text file.")
    if "\x00" in text:
        return None, _("This file is not a credential: it is not a text file.")
    stripped = text.strip()
    if stripped[:1] == "{":
        try:
            json.loads(stripped)
        except ValueError:
            return None, _("This file is not a credential: it is not valid JSON.")
    elif stripped.count(".") != 2:
        return None, _("This file is not a credential: it is neither JSON nor a signed token.")
    return text, None


@csrf_exempt
@require_http_methods(["GET", "POST"])
def credential_verify_upload(request: HttpRequest) -> HttpResponse:
    """The verify page's upload form posts here. The upload handler must be
    set before anything reads the body, hence CSRF is checked in the inner
    view (Django's documented pattern) rather than by the middleware."""
    handler = _CappedUploadHandler(request)
    if request.method == "POST":
        request.upload_handlers = [handler]
    return _credential_verify_upload(request, handler)


@csrf_protect
def _credential_verify_upload(request: HttpRequest, handler: _CappedUploadHandler) -> HttpResponse:
    context: dict = {"max_upload_kib": MAX_UPLOAD_BYTES // 1024}
    status = 200
    if request.method == "POST":
        text, error = _read_upload(request, handler)
        if error:
            context["error"] = error
            status = 400
        else:
            result = credential_verify(text, check_status=status_from_database)
            context.update(result=result, summary=credential_summary(result.credential if result.outcome != "malformed" else None))
    return render(request, "certificates/credential_result.html", context, status=status)
