"""The H5P content origin's views: the player page, package files and the
player's own assets. Reached only through `H5PContentOriginMiddleware` on
the content host (see serving.py); nothing here reads the session, the
user or the CSRF token, so no response sets a cookie.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from . import serving
from .models import H5PPackage


def _package_or_404(key: str) -> H5PPackage:
    if not serving.PACKAGE_KEY.match(key):
        raise Http404
    package = H5PPackage.objects.filter(storage_path=key).first()
    if package is None:
        raise Http404
    return package


def _isolate(response: HttpResponse) -> HttpResponse:
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Requests made by package scripts leak nothing about where they run.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _player_csp(parent_origin: str) -> str:
    # 'self' is the content origin: the player, its assets and the package
    # files all come from there. Inline styles: the H5P core and jQuery set
    # style attributes. No inline script: our start-up code is a file and its
    # settings are JSON data. But 'unsafe-eval': real content needs it
    # (Multiple Choice up to 1.15, and every type that embeds it, compiles
    # its EJS templates with `new Function`), and `blob:` workers (Audio
    # Recorder). That is safe here and only here: this origin holds no
    # cookie, no session and no page of the site, and the lesson frames it
    # sandboxed, so eval'd package code reaches nothing a package script
    # could not reach anyway. The site's own pages keep a strict policy.
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self' 'unsafe-eval'",
            "worker-src 'self' blob:",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "media-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "frame-src 'self'",
            "object-src 'none'",
            # 'self', not 'none': jQuery in the H5P core gives the scratch
            # documents of parseHTML a <base href> of the player's own URL.
            "base-uri 'self'",
            "form-action 'none'",
            f"frame-ancestors {parent_origin}",
        ]
    )


@require_safe
@xframe_options_exempt  # framing is governed by the CSP's frame-ancestors below
def player(request: HttpRequest, key: str) -> HttpResponse:
    """The page the lesson frames: h5p-standalone showing one package, for
    one block of one lesson, forwarding statements to `parent` only.

    `parent` must be one of H5P_SITE_ORIGINS (the lesson page passes its own
    origin; the first configured origin when absent): it becomes both the
    only origin allowed to frame this page and the only one its statements
    are posted to, so a page elsewhere can neither frame the player nor
    receive what it reports.
    """
    package = _package_or_404(key)
    lesson_key = request.GET.get("lesson", "")
    block_id = request.GET.get("block", "")
    if not (serving.is_uuid(lesson_key) and serving.is_uuid(block_id)):
        raise Http404
    allowed = serving.site_origins()
    if "parent" in request.GET:
        parent_origin = serving.origin_of(request.GET["parent"])
    else:
        parent_origin = allowed[0] if allowed else ""
    if not parent_origin or parent_origin not in allowed:
        raise Http404
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE

    assets = serving.player_assets_url()
    config = {
        "h5pJsonPath": serving.package_files_url(package),
        "frameJs": f"{assets}/frame.bundle.js",
        "frameCss": f"{assets}/styles/h5p.css",
        "activityIri": serving.activity_iri(lesson_key=lesson_key, block_id=block_id),
        "blockId": block_id,
        "lessonKey": lesson_key,
        "parentOrigin": parent_origin,
        "title": package.title,
    }
    with translation.override(language):
        response = render(
            request,
            "courses/h5p/player.html",
            {
                "package": package,
                "config": config,
                "ui_language": language,
                "content_language": package.language or language,
                "main_js": f"{assets}/main.bundle.js",
                "player_js": serving.player_script_url(),
            },
        )
    response.headers["Content-Security-Policy"] = _player_csp(parent_origin)
    # A framed document: allowed cross-origin, so a site that adopts
    # Cross-Origin-Embedder-Policy can still frame it.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.headers["Cache-Control"] = "private, no-cache"
    return _isolate(response)


@require_safe
def package_file(request: HttpRequest, key: str, relative: str) -> FileResponse:
    """One file of a package, only if its name passes the upload rules again
    and it resolves inside the package's folder (`H5PPackage.file_path`)."""
    package = _package_or_404(key)
    if not serving.allowed_package_file(relative):
        raise Http404
    try:
        path = package.file_path(relative)
    except SuspiciousFileOperation:
        raise Http404 from None
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=serving.content_type_for(relative))
    response.headers["Content-Security-Policy"] = serving.FILE_CSP
    # Only the player, on this same origin, loads package files.
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Cache-Control"] = serving.FILE_CACHE_CONTROL
    return _isolate(response)


@require_safe
def player_asset(request: HttpRequest, version: str, relative: str) -> FileResponse:
    """h5p-standalone's bundles, styles, fonts and images (from node_modules,
    see package.json) and our player script. The version in the URL must be
    the installed one, so a long cache never mixes two versions."""
    if version != serving.player_version():
        raise Http404
    path = serving.player_asset_path(relative)
    if path is None:
        raise Http404
    response = FileResponse(path.open("rb"), content_type=serving.content_type_for(relative))
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Cache-Control"] = serving.ASSET_CACHE_CONTROL
    return _isolate(response)


# Error pages of the content origin: plain text. The site's templates would
# need the site's URLs, context and cookies, none of which exist here.


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _isolate(HttpResponse("Not found.\n", status=404, content_type="text/plain; charset=utf-8"))


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _isolate(HttpResponse("Bad request.\n", status=400, content_type="text/plain; charset=utf-8"))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    return _isolate(HttpResponse("Server error.\n", status=500, content_type="text/plain; charset=utf-8"))
