"""The built-in video end to end: two Chromium contexts with fake cameras
turn their video on in the room page; the mesh is signalled over the real
websocket (daphne, the consumer) and the peers exchange frames over
loopback. Asserted on the browsers' own statistics, polled (no sleeps)."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from live.models import AttendanceInterval, LiveSession, Participant
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.live.conftest import live_cookie, make_live_session, make_participant
from tests.support.live_ws import eventually

pytestmark = pytest.mark.browser

FAKE_MEDIA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]

# Every peer connection of the page is connected and has decoded video.
MESH_FLOWING = """async (peers) => {
  const map = window.__bridgelineRtc;
  if (!map || map.size !== peers) return false;
  for (const pc of map.values()) {
    if (pc.connectionState !== "connected") return false;
    const stats = await pc.getStats();
    let decoded = 0;
    stats.forEach((s) => { if (s.type === "inbound-rtp" && s.kind === "video") decoded += s.framesDecoded || 0; });
    if (decoded <= 0) return false;
  }
  return true;
}"""


@pytest.fixture(scope="module")
def media_browser(playwright, _asgi_server):
    """Chromium with the fake camera and microphone (the package's shared
    browser has no media flags). Launched after the server is forked."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make test-deps` (installs Debian's chromium)")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + FAKE_MEDIA)
    yield browser
    browser.close()


def _leave(contexts, session) -> None:
    """Close the browsers, then wait until the server has handled their
    disconnects (presence, attendance): its writes must not race the
    database flush that ends the test."""
    for context in contexts:
        context.close()
    settled = eventually(
        lambda: not Participant.objects.filter(session=session).exclude(channel_name="").exists()
        and not AttendanceInterval.objects.filter(session=session, ended_at__isnull=True).exists()
    )
    assert settled, "the server did not handle the disconnects"


def _enter(browser, live, participant):
    context = browser.new_context(base_url=live.url, locale="en-GB")
    context.set_default_timeout(20_000)
    name, _, value = live_cookie(participant).partition("=")
    context.add_cookies([{"name": name, "value": value, "url": live.url}])
    page = context.new_page()
    page.signal_sizes = []
    page.errors = []

    def watch(ws):
        def received(frame):
            print(f"{participant.display_name} <- {frame[:300]}")
            if frame.startswith('{"type":"error"'):
                page.errors.append(frame)

        def sent(frame):
            if '"type": "rtc.signal"' in frame or '"type":"rtc.signal"' in frame:
                page.signal_sizes.append(len(frame.encode()))

        ws.on("framereceived", received)
        ws.on("framesent", sent)

    page.on("websocket", watch)
    page.on("pageerror", lambda error: print(f"{participant.display_name} error: {error}"))
    page.goto(reverse("live:room", kwargs={"session_id": participant.session_id}))
    expect(page.locator("#live-main")).to_be_visible()
    return context, page


def test_two_cameras_connect_and_exchange_video(media_browser, asgi_live_server):
    session = make_live_session(provider=LiveSession.Provider.WEBRTC)
    trainer = make_participant(session, role=Participant.Role.STAFF, name="Trainer Tom")
    professional = make_participant(session, role=Participant.Role.PROFESSIONAL, name="Amina")
    contexts = []
    try:
        pages = []
        for participant in (trainer, professional):
            context, page = _enter(media_browser, asgi_live_server, participant)
            contexts.append(context)
            pages.append(page)
        for page in pages:
            page.get_by_role("button", name="Turn on camera").click()
            expect(page.get_by_role("button", name="Mute microphone")).to_be_visible()
        for page in pages:
            page.wait_for_function(MESH_FLOWING, arg=1, polling=250, timeout=30_000)
            expect(page.locator("#live-video-grid li")).to_have_count(2)  # yourself and the other camera
        expect(pages[0].locator("#live-video-grid figcaption")).to_have_text(["Trainer Tom (you)", "Amina"])
        # Every signal fitted the server's limits (4 KiB of data): nothing refused.
        sizes = pages[0].signal_sizes + pages[1].signal_sizes
        print(f"rtc.signal frames: {len(sizes)}, largest {max(sizes)} bytes")
        assert max(sizes) < 4096 and pages[0].errors == pages[1].errors == []
        assert Participant.objects.filter(session=session, video_on=True).count() == 2

        # Muting is local: the track stops sending sound, the button says so.
        pages[1].get_by_role("button", name="Mute microphone").click()
        expect(pages[1].locator("#live-video-mic")).to_have_attribute("aria-pressed", "true")
        expect(pages[1].locator("#live-video-mic")).to_have_text("Unmute microphone")

        # Leaving closes the peer on both sides.
        pages[1].get_by_role("button", name="Leave video").click()
        pages[0].wait_for_function("() => window.__bridgelineRtc.size === 0", polling=250)
        expect(pages[0].locator("#live-video-grid li")).to_have_count(1)
        expect(pages[1].get_by_role("button", name="Turn on camera")).to_be_visible()
        assert Participant.objects.filter(session=session, video_on=True).count() == 1
    finally:
        _leave(contexts, session)
