"""The site's Content-Security-Policy (config/csp.py): every page of the site
carries it, the admins get their own, and views with a policy of their own
(live room, H5P content origin) keep theirs. The browser tests fail on any
refusal Chromium reports (tests/browser/conftest.py), so these check the
header; those check that the pages still work under it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import path

CONTENT_ORIGIN = "http://h5p.example.test"
ROOT = Path(__file__).resolve().parents[2]


def _directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture(autouse=True)
def _content_origin(settings):
    settings.H5P_CONTENT_ORIGIN = CONTENT_ORIGIN
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "h5p.example.test"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/en/", "/fr/accounts/login/", "/nl/accounts/signup/", "/en/certificates/verify/"])
def test_site_pages_allow_scripts_and_styles_only_from_our_origin(client, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_pages_may_frame_the_h5p_player_and_the_configured_video_hosts_only(client, settings):
    settings.CSP_EMBED_ORIGINS = ["https://player.vimeo.com"]
    policy = _directives(client.get("/en/")["Content-Security-Policy"])
    assert policy["frame-src"] == ["'self'", CONTENT_ORIGIN, "https://player.vimeo.com"]


@pytest.mark.django_db
def test_without_an_h5p_origin_no_empty_source_is_listed(client, settings):
    settings.H5P_CONTENT_ORIGIN = ""
    settings.CSP_EMBED_ORIGINS = []
    policy = _directives(client.get("/en/")["Content-Security-Policy"])
    assert policy["frame-src"] == ["'self'"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/", "/django-admin/"])
def test_the_admins_allow_their_inline_code_and_framing_by_themselves_only(client, url):
    response = client.get(url)  # the redirect to log in carries it too
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_a_wagtail_preview_may_be_framed_by_the_admin_only():
    from config.csp import directives_for

    assert directives_for("/en/")["frame-ancestors"] == ["'none'"]
    assert directives_for("/en/", preview=True)["frame-ancestors"] == ["'self'"]
    assert directives_for("/en/", preview=True)["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_the_h5p_content_origin_keeps_its_own_policy(client):
    response = client.get("/h5p/" + "0" * 32 + "/player/", HTTP_HOST="h5p.example.test")
    assert response.status_code == 404  # no such package, answered by the content origin
    assert "form-action" not in response.get("Content-Security-Policy", "")


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_server_error_page_is_styled_under_the_policy(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "script-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert 'class="error-page"' in html and "css/site.css" in html
    assert "style=" not in html


TEMPLATE_DIRS = ["templates", "accounts", "certificates", "cms", "courses", "learning", "live", "partners", "registrations"]
INLINE_STYLE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
# Rendered to PDF by xhtml2pdf or served on the H5P origin, never as a site page.
NOT_SITE_PAGES = {"certificates/templates/certificates/pdf/certificate.html", "courses/templates/courses/h5p/player.html"}


def _site_templates():
    for directory in TEMPLATE_DIRS:
        for template in sorted((ROOT / directory).rglob("*.html")):
            relative = template.relative_to(ROOT).as_posix()
            if relative not in NOT_SITE_PAGES and "/migrations/" not in relative:
                yield relative


def test_the_template_scan_sees_the_templates():
    templates = list(_site_templates())
    assert "templates/base.html" in templates and len(templates) > 50


@pytest.mark.parametrize("pattern", [INLINE_STYLE, INLINE_HANDLER, INLINE_SCRIPT], ids=["style", "handler", "script"])
def test_no_site_template_carries_code_the_policy_would_refuse(pattern):
    offenders = [name for name in _site_templates() if pattern.search((ROOT / name).read_text(encoding="utf-8"))]
    assert offenders == []
