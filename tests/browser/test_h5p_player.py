"""The H5P player end to end, on the real server: the lesson page on the
site's origin (http://127.0.0.1:PORT) frames the player from the content
origin (http://localhost:PORT, same server, another host name); the project's
own content type H5P.BridgelineCheck reports a score when its button is
clicked; the statement travels by postMessage to the lesson page and from
there to the learning app, which stores it. The framed package cannot reach
the lesson page's document."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from courses.h5p import serving

pytestmark = pytest.mark.browser

ACTIVITY_TITLE = "Check your understanding"
READS_PARENT = "() => { try { parent.document.body; return 'reachable'; } catch (e) { return 'blocked'; } }"


@pytest.fixture
def h5p_lesson(asgi_live_server, settings):
    """A published course with one lesson holding one H5P block, the package
    stored where the server reads packages, and an enrolled learner."""
    from courses.h5p.services import h5p_package_create
    from learning.services import enrollment_create
    from tests.courses.h5p_builder import build_h5p
    from tests.courses.test_pages import lessons_of, make_course

    settings.H5P_CONTENT_ROOT = str(Path(asgi_live_server.server.media_root) / "h5p")
    package = h5p_package_create(uploaded_file=io.BytesIO(build_h5p()), title="Spot the signs")
    block = {"title": ACTIVITY_TITLE, "package": package, "pass_threshold": "0.8", "required": True}
    course = make_course(body=[("h5p", block)])
    type(course).objects.filter(pk=course.pk).update(is_public=True)  # open to self-enrolment
    lesson = lessons_of(course)[0]

    from accounts.models import User

    learner = User.objects.create_user(email="learner@example.org", password="correct-horse-battery-9")
    enrollment_create(learner=learner, course_key=course.translation_key)
    return lesson, learner


def log_in(context, live, user) -> None:
    """A session for `user` in the database the server reads, its cookie in
    the browser (for the site's host only)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live.url}])


def test_a_score_in_the_framed_player_reaches_the_learning_app(page, context, asgi_live_server, h5p_lesson):
    from learning.models import XAPIStatement

    lesson, learner = h5p_lesson
    log_in(context, asgi_live_server, learner)
    content_origin = asgi_live_server.server.h5p_content_origin
    assert content_origin != asgi_live_server.url and content_origin.startswith("http://localhost:")
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    page.goto(lesson.url)
    iframe = page.locator(f'iframe[title="{ACTIVITY_TITLE}"]')
    expect(iframe).to_have_attribute("sandbox", "allow-scripts allow-same-origin")
    expect(iframe).to_have_attribute("src", re.compile("^" + re.escape(f"{content_origin}/h5p/")))
    page.evaluate(
        """() => { window.__statement = new Promise((resolve) => document.addEventListener(
              'bridgeline:xapi', (event) => resolve(event.detail), {once: true})); }"""
    )

    button = page.frame_locator(f'iframe[title="{ACTIVITY_TITLE}"]').locator(".h5p-bridgeline-check__button")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/en/learning/xapi/")) as posted:
        button.click()
    detail = page.evaluate("window.__statement")

    block = lesson.body[0]
    assert detail["blockId"] == block.id
    statement = detail["statement"]
    assert statement["object"]["id"] == serving.activity_iri(lesson_key=str(lesson.translation_key), block_id=block.id)
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert statement["result"]["score"] == {"min": 0, "max": 1, "raw": 1, "scaled": 1}
    assert posted.value.post_data_json["lesson_key"] == str(lesson.translation_key)
    assert posted.value.post_data_json["block_id"] == block.id
    assert posted.value.headers.get("x-csrftoken")

    expect(page.locator(f'#block-{block.id} [role="status"]')).to_have_text("Your result has been saved.")
    stored = XAPIStatement.objects.get(learner=learner, block_id=block.id)
    assert (stored.score_raw, stored.score_max, stored.counts) == (1, 1, True)
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems


def test_the_framed_package_cannot_reach_the_lesson_page_or_its_cookies(page, context, asgi_live_server, h5p_lesson):
    lesson, learner = h5p_lesson
    log_in(context, asgi_live_server, learner)
    content_origin = asgi_live_server.server.h5p_content_origin

    page.goto(lesson.url)
    page.frame_locator(f'iframe[title="{ACTIVITY_TITLE}"]').locator(".h5p-bridgeline-check__button").wait_for()
    frame = next(f for f in page.frames if f.url.startswith(content_origin))

    assert frame.evaluate(READS_PARENT) == "blocked"
    assert frame.evaluate("() => document.cookie") == ""
    assert frame.evaluate("() => location.origin") == content_origin
    # The player origin serves H5P content and nothing else.
    response = page.request.get(f"{content_origin}/en/")
    assert response.status == 404
    assert "set-cookie" not in response.headers


def test_messages_from_elsewhere_are_ignored(page, context, asgi_live_server, h5p_lesson):
    """A statement posted by the lesson page itself (or any window that is
    not the player's frame on the content origin) is never forwarded."""
    lesson, learner = h5p_lesson
    log_in(context, asgi_live_server, learner)
    block = lesson.body[0]
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/learning/xapi/" in r.url else None)

    page.goto(lesson.url)
    page.frame_locator(f'iframe[title="{ACTIVITY_TITLE}"]').locator(".h5p-bridgeline-check__button").wait_for()
    forged = {"type": "bridgeline.xapi", "blockId": block.id, "statement": {"verb": {"id": "x"}, "object": {"id": "y"}}}
    page.evaluate("(message) => window.postMessage(message, '*')", forged)
    page.wait_for_timeout(300)

    assert page.evaluate("window.bridgelineH5P.statements.length") == 0
    assert requests == []
