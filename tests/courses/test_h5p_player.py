"""The lesson page's side of the H5P player (courses/templates/courses/blocks/
h5p_block.html, courses/templatetags/h5p_tags.py): a sandboxed iframe from
the content origin, and everything the bridge script needs to forward
statements to the learning app; a plain note when the player cannot run."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from courses.h5p import serving
from courses.templatetags import h5p_tags
from tests.courses.test_pages import every_kind_body, lessons_of, make_course, make_package

pytestmark = pytest.mark.django_db

CONTENT_ORIGIN = "http://h5p.testserver"
SITE_ORIGIN = "http://testserver"


@pytest.fixture(autouse=True)
def origins(settings):
    settings.H5P_CONTENT_ORIGIN = CONTENT_ORIGIN
    settings.H5P_SITE_ORIGINS = [SITE_ORIGIN]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "h5p.testserver"]


@pytest.fixture
def lesson():
    package = make_package("Spot the signs")
    course = make_course(body=[("h5p", {"title": "Check your understanding", "package": package, "pass_threshold": "0.8", "required": True})])
    return lessons_of(course)[0]


def iframe_of(html: str) -> dict[str, str]:
    match = re.search(r"<iframe\b([^>]*)>", html)
    assert match, "no iframe on the page"
    return {name: unescape(value) for name, value in re.findall(r'([\w-]+)="([^"]*)"', match.group(1))}


def frame_attributes(html: str) -> dict[str, str]:
    match = re.search(r"<div\b([^>]*\bdata-h5p-frame\b[^>]*)>", html)
    assert match, "no player wrapper on the page"
    return {name: unescape(value) for name, value in re.findall(r'([\w-]+)="([^"]*)"', match.group(1))}


def test_lesson_frames_the_player_from_the_content_origin_in_a_sandbox(client, lesson):
    html = client.get(lesson.url).content.decode()
    iframe = iframe_of(html)
    block = lesson.body[0]

    assert iframe["sandbox"] == "allow-scripts allow-same-origin"
    assert iframe["title"] == "Check your understanding"
    src = urlsplit(iframe["src"])
    assert f"{src.scheme}://{src.netloc}" == CONTENT_ORIGIN
    package = block.value["package"]
    assert src.path == f"/h5p/{package.storage_path}/player/"
    assert parse_qs(src.query) == {
        "lesson": [str(lesson.translation_key)],
        "block": [block.id],
        "parent": [SITE_ORIGIN],
        "lang": ["en"],
    }
    # The activity keeps its visible name beside the frame.
    assert "Interactive activity" in html and "Spot the signs" in html


def test_the_bridge_gets_origin_endpoint_keys_and_csrf_token(client, lesson):
    html = client.get(lesson.url).content.decode()
    frame = frame_attributes(html)

    assert frame["data-content-origin"] == CONTENT_ORIGIN
    assert frame["data-block-id"] == lesson.body[0].id
    assert frame["data-lesson-key"] == str(lesson.translation_key)
    assert frame["data-xapi-url"] == h5p_tags.xapi_endpoint_url()
    assert len(frame["data-csrf-token"]) >= 32
    for key in ("saving", "saved", "failed", "signed-out"):
        assert frame[f"data-status-{key}"]
    assert 'role="status"' in html and 'aria-live="polite"' in html
    assert "courses/h5p/bridge.js" in html


def test_status_texts_follow_the_page_language(client, lesson):
    from wagtail.models import Locale

    french = lesson.copy_for_translation(Locale.objects.get_or_create(language_code="fr")[0], copy_parents=True)
    french.save_revision().publish()

    html = client.get(french.get_url()).content.decode()

    assert parse_qs(urlsplit(iframe_of(html)["src"]).query)["lang"] == ["fr"]
    assert frame_attributes(html)["data-lesson-key"] == str(lesson.translation_key)


def test_the_endpoint_is_optional_so_lessons_render_without_the_learning_app(monkeypatch):
    from django.urls import NoReverseMatch

    def missing(*args, **kwargs):
        raise NoReverseMatch("learning:xapi")

    monkeypatch.setattr(h5p_tags, "reverse", missing)

    assert h5p_tags.xapi_endpoint_url() == ""


def test_without_a_content_origin_the_lesson_shows_a_note(client, lesson, settings):
    settings.H5P_CONTENT_ORIGIN = ""

    html = client.get(lesson.url).content.decode()

    assert "<iframe" not in html
    assert "This activity is not available at the moment." in html


def test_a_site_origin_the_player_would_refuse_gets_a_note_not_a_broken_frame(client, lesson, settings):
    settings.H5P_SITE_ORIGINS = ["https://bridgeline.example"]

    html = client.get(lesson.url).content.decode()

    assert "<iframe" not in html
    assert "This activity is not available at the moment." in html


def test_the_player_url_the_lesson_builds_is_one_the_content_origin_serves(client, lesson):
    src = urlsplit(iframe_of(client.get(lesson.url).content.decode())["src"])

    response = client.get(f"{src.path}?{src.query}", HTTP_HOST=src.netloc)

    assert response.status_code == 200
    assert f"frame-ancestors {SITE_ORIGIN}" in response["Content-Security-Policy"]
    assert response.context["config"]["activityIri"] == serving.activity_iri(
        lesson_key=str(lesson.translation_key), block_id=lesson.body[0].id
    )


def test_player_blocks_add_no_queries(client):
    from tests.courses.test_pages import count_queries, make_home, make_partner

    home, partner, package = make_home(), make_partner(), make_package()
    body = [b for b in every_kind_body(package=package) if b[0] == "h5p"]
    one = lessons_of(make_course(home=home, partner=partner, body=body))[0]
    many = lessons_of(make_course(home=home, partner=partner, body=body * 12))[0]

    assert count_queries(client, one.url) == count_queries(client, many.url)
