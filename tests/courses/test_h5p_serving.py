"""The H5P content origin (courses/h5p/serving.py, views.py, middleware.py):
package files and the player page on the content host only, nothing else
there, none of it on the site's host, and nothing outside a package's folder
or off the allow-list, however the path is spelled."""

from __future__ import annotations

import io
import os
import uuid
from pathlib import Path

import pytest

from courses.h5p import serving
from courses.h5p.models import H5PPackage
from courses.h5p.services import h5p_package_create
from tests.courses.h5p_builder import LIBRARY, build_h5p

pytestmark = pytest.mark.django_db

CONTENT_HOST = "h5p.testserver"
SITE_ORIGIN = "http://testserver"
LESSON = str(uuid.uuid4())
BLOCK = str(uuid.uuid4())


@pytest.fixture(autouse=True)
def origins(settings):
    settings.H5P_CONTENT_ORIGIN = f"http://{CONTENT_HOST}"
    settings.H5P_SITE_ORIGINS = [SITE_ORIGIN]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, CONTENT_HOST]


@pytest.fixture
def package() -> H5PPackage:
    return h5p_package_create(uploaded_file=io.BytesIO(build_h5p()), title="Spot the signs")


def content_get(client, path: str, **extra):
    return read(client.get(path, HTTP_HOST=CONTENT_HOST, **extra))


def read(response):
    """Files are streamed: read them into `.body` and close them."""
    if response.streaming:
        response.body = b"".join(response.streaming_content)
        response.close()
    else:
        response.body = response.content
    return response


def files_url(package: H5PPackage, relative: str) -> str:
    return f"/h5p/{package.storage_path}/files/{relative}"


def player_path(package: H5PPackage, **params) -> str:
    from urllib.parse import urlencode

    query = {"lesson": LESSON, "block": BLOCK, "parent": SITE_ORIGIN, **params}
    return f"/h5p/{package.storage_path}/player/?{urlencode({k: v for k, v in query.items() if v is not None})}"


def assert_no_cookies(response):
    assert not response.cookies, response.cookies
    assert "Set-Cookie" not in response.headers


# --- Package files ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "content_type"),
    [
        ("h5p.json", "application/json"),
        ("content/content.json", "application/json"),
        (f"{LIBRARY}/library.json", "application/json"),
        (f"{LIBRARY}/check.js", "text/javascript; charset=utf-8"),
        (f"{LIBRARY}/check.css", "text/css; charset=utf-8"),
    ],
)
def test_package_files_are_served_on_the_content_host_with_their_type(client, package, relative, content_type):
    response = content_get(client, files_url(package, relative))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response.body == (package.content_dir / relative).read_bytes()
    assert_no_cookies(response)


def test_a_session_cookie_sent_to_the_content_host_is_neither_read_nor_renewed(client, package, django_user_model):
    user = django_user_model.objects.create_user(email="learner@example.org", password="correct-horse-battery-9")
    client.force_login(user)

    response = content_get(client, files_url(package, "h5p.json"))

    assert response.status_code == 200
    assert_no_cookies(response)
    assert "Cookie" not in response.get("Vary", "")


@pytest.mark.parametrize(
    "relative",
    [
        "../{other}/h5p.json",
        "content/../../{other}/h5p.json",
        "%2e%2e/{other}/h5p.json",
        "%2E%2E%2F{other}%2Fh5p.json",
        "content/%2e%2e/%2e%2e/{other}/h5p.json",
        "..%2f{other}%2fh5p.json",
        "/{root}/{other}/h5p.json",
        "//{root}/{other}/h5p.json",
        "content\\..\\..\\{other}\\h5p.json",
        "./h5p.json",
        "content//content.json",
    ],
)
def test_paths_leaving_the_package_folder_are_not_found(client, package, relative):
    other = h5p_package_create(uploaded_file=io.BytesIO(build_h5p()))
    path = relative.format(other=other.storage_path, root=str(Path(package.content_dir).parent).lstrip("/"))

    response = content_get(client, f"/h5p/{package.storage_path}/files/{path}")

    assert response.status_code == 404
    assert b"mainLibrary" not in response.body


def test_a_link_inside_the_folder_pointing_outside_is_not_followed(client, package, tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text('{"secret": true}')
    os.symlink(secret, package.content_dir / "content" / "linked.json")

    response = content_get(client, files_url(package, "content/linked.json"))

    assert response.status_code == 404


@pytest.mark.parametrize(
    "relative",
    [
        "content/page.html",  # never allowed
        "content/run.php",
        f"{LIBRARY}/page.html",
        "content/script.js",  # code belongs in library folders only
        "content/picture.svgz",
        "jQuery.ui-1.10/apply-when-upgrading.diff",  # whitelisted, never served
        "downloadify-1.0/media/downloadify.swf",
        "content/notes.textile",
        "notes.json",  # top level holds h5p.json only
        "content/.hidden.json",  # ignored names were never extracted
        "_private/data.json",
        f"{LIBRARY}/README",  # no extension
    ],
)
def test_files_off_the_allow_list_are_not_found_even_if_present(client, package, relative):
    target = package.content_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("<script>alert(document.domain)</script>")

    response = content_get(client, files_url(package, relative))

    assert response.status_code == 404
    assert b"<script>" not in response.body


def test_missing_files_and_unknown_packages_are_not_found(client, package):
    assert content_get(client, files_url(package, "content/missing.json")).status_code == 404
    assert content_get(client, files_url(package, "content")).status_code == 404
    assert content_get(client, f"/h5p/{uuid.uuid4().hex}/files/h5p.json").status_code == 404
    assert content_get(client, f"/h5p/{package.pk}/files/h5p.json").status_code == 404
    assert content_get(client, f"/h5p/{uuid.uuid4().hex}/player/?lesson={LESSON}&block={BLOCK}").status_code == 404


def test_only_reading_methods_are_allowed(client, package):
    response = read(client.post(files_url(package, "h5p.json"), HTTP_HOST=CONTENT_HOST))

    assert response.status_code == 405
    assert_no_cookies(response)


# --- Hosts -----------------------------------------------------------------------------


def test_content_urls_on_the_site_host_are_not_found(client, package):
    for path in (files_url(package, "h5p.json"), player_path(package), f"/h5p/player/{serving.player_version()}/main.bundle.js"):
        response = read(client.get(path, follow=True))
        assert response.status_code == 404, path
        assert b"mainLibrary" not in response.body


@pytest.mark.parametrize(
    "path",
    ["/", "/en/", "/admin/", "/en/accounts/login/", "/django-admin/", "/healthz", "/static/courses/courses.css", "/media/h5p/", "/i18n/setlang/", "/h5p/"],
)
def test_site_urls_on_the_content_host_are_not_found(client, path):
    response = content_get(client, path)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")
    assert_no_cookies(response)


def test_package_files_never_leave_through_the_sites_media_url(client, settings, tmp_path):
    # The default layout: the content root inside MEDIA_ROOT, served by /media/.
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.H5P_CONTENT_ROOT = str(tmp_path / "media" / "h5p")
    package = h5p_package_create(uploaded_file=io.BytesIO(build_h5p()))
    (tmp_path / "media" / "other.txt").write_text("other media")

    for path in (
        f"/media/h5p/{package.storage_path}/h5p.json",
        f"/media/h5p/{package.storage_path}/{LIBRARY}/check.js",
        f"/media/x/../h5p/{package.storage_path}/h5p.json",
        f"/media/./h5p/{package.storage_path}/h5p.json",
    ):
        assert read(client.get(path)).status_code == 404, path
    # Other media is left to the media view.
    assert not serving.is_package_media_path("/media/other.txt")
    assert not serving.is_package_media_path("/media/h5pfoo/x.json")


def test_the_content_origin_must_not_be_a_site_origin(settings, client):
    from django.core.exceptions import ImproperlyConfigured

    settings.H5P_CONTENT_ORIGIN = SITE_ORIGIN
    with pytest.raises(ImproperlyConfigured):
        client.get("/en/")


def test_without_a_content_origin_the_content_host_is_just_another_host(settings, client):
    settings.H5P_CONTENT_ORIGIN = ""
    assert not serving.player_enabled()
    assert client.get(f"/h5p/{uuid.uuid4().hex}/files/h5p.json", follow=True).status_code == 404


# --- The player page ------------------------------------------------------------------------


def test_player_page_may_be_framed_by_the_site_only_and_sets_no_cookie(client, package):
    response = content_get(client, player_path(package))

    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert f"frame-ancestors {SITE_ORIGIN}" in csp
    # Real content needs eval (Multiple Choice's EJS templates) and blob:
    # workers (Audio Recorder); never inline script, never another origin.
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self' 'unsafe-eval'"
    assert directives["worker-src"] == "'self' blob:"
    assert directives["default-src"] == "'none'" and directives["object-src"] == "'none'"
    assert "X-Frame-Options" not in response.headers
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert_no_cookies(response)


def test_player_page_configures_h5p_standalone_for_this_block(client, package):
    response = content_get(client, player_path(package, lang="fr"))
    config = response.context["config"]
    html = response.content.decode()

    assert config["h5pJsonPath"] == f"http://{CONTENT_HOST}/h5p/{package.storage_path}/files"
    version = serving.player_version()
    assert config["frameJs"] == f"http://{CONTENT_HOST}/h5p/player/{version}/frame.bundle.js"
    assert config["frameCss"] == f"http://{CONTENT_HOST}/h5p/player/{version}/styles/h5p.css"
    assert config["parentOrigin"] == SITE_ORIGIN
    assert config["blockId"] == BLOCK and config["lessonKey"] == LESSON
    assert config["activityIri"] == serving.activity_iri(lesson_key=LESSON, block_id=BLOCK)
    assert f'src="http://{CONTENT_HOST}/h5p/player/{version}/main.bundle.js"' in html
    assert 'id="h5p-player-config" type="application/json"' in html
    assert "Chargement" in html or "Loading" in html  # the status text, in the site's language when translated
    # No inline script: the CSP allows none.
    assert "<script>" not in html


@pytest.mark.parametrize(
    "params",
    [
        {"parent": "https://evil.example"},
        {"parent": "http://testserver.evil.example"},
        {"parent": "javascript:alert(1)"},
        {"parent": ""},
        {"lesson": "not-a-uuid"},
        {"block": None},
        {"block": "1; DROP"},
    ],
)
def test_player_page_refuses_other_parents_and_malformed_keys(client, package, params):
    response = content_get(client, player_path(package, **params))

    assert response.status_code == 404


def test_player_page_without_parent_uses_the_configured_site(client, package):
    response = content_get(client, player_path(package, parent=None))

    assert response.status_code == 200
    assert f"frame-ancestors {SITE_ORIGIN}" in response["Content-Security-Policy"]


# --- The player's assets -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "content_type"),
    [
        ("main.bundle.js", "text/javascript; charset=utf-8"),
        ("frame.bundle.js", "text/javascript; charset=utf-8"),
        ("styles/h5p.css", "text/css; charset=utf-8"),
        ("fonts/h5p-core-30.woff2", "font/woff2"),
        ("player.js", "text/javascript; charset=utf-8"),
    ],
)
def test_player_assets_are_served_on_the_content_host(client, relative, content_type):
    version = serving.player_version()
    assert version.startswith("3.8."), "run `npm ci --ignore-scripts` (package.json)"

    response = content_get(client, f"/h5p/player/{version}/{relative}")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response["Cache-Control"]
    assert_no_cookies(response)


@pytest.mark.parametrize(
    "relative",
    ["h5p.d.ts", "main.bundle.js.LICENSE.txt", "../package.json", "%2e%2e/package.json", "styles/../../README.md", "missing.js"],
)
def test_other_files_near_the_player_are_not_found(client, relative):
    response = content_get(client, f"/h5p/player/{serving.player_version()}/{relative}")

    assert response.status_code == 404


def test_player_assets_of_another_version_are_not_found(client):
    assert content_get(client, "/h5p/player/0.0.1/main.bundle.js").status_code == 404
