"""The room page (`live:room`): who gets it, what its script config holds
(and never holds), its headers, in every language."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from live.identity import session_key
from live.models import LiveSession, Participant
from tests.live.conftest import make_live_session, make_live_user, make_participant

CONFIG = re.compile(r'<script id="live-config" type="application/json">(.*?)</script>', re.S)


def _client_for(participant: Participant) -> Client:
    client = Client()
    if participant.user_id:
        client.force_login(participant.user)
    store = client.session
    store[session_key(participant.session_id)] = participant.pk
    store.save()
    return client


def _room_url(session, lang: str = "en") -> str:
    with translation.override(lang):
        return reverse("live:room", kwargs={"session_id": session.pk})


def _config(response) -> dict:
    match = CONFIG.search(response.content.decode())
    assert match, "no live-config json_script in the page"
    return json.loads(match.group(1))


@pytest.mark.django_db
def test_someone_who_has_not_joined_is_sent_to_the_join_page_with_a_message():
    session = make_live_session()
    client = Client()

    response = client.get(_room_url(session))

    assert response.status_code == 302
    assert response["Location"] == reverse("live:join")
    followed = client.get(response["Location"])
    messages = [str(m) for m in followed.context["messages"]] if followed.context and "messages" in followed.context else []
    assert any("join the session first" in m for m in messages) or "join the session first" in followed.content.decode()


@pytest.mark.django_db
def test_a_participant_of_another_session_is_sent_to_the_join_page():
    session = make_live_session()
    other = make_live_session()
    theirs = make_participant(other)
    client = Client()
    store = client.session
    store[session_key(session.pk)] = theirs.pk
    store.save()

    response = client.get(_room_url(session))

    assert response.status_code == 302 and response["Location"] == reverse("live:join")


@pytest.mark.django_db
def test_an_account_participant_needs_their_own_login():
    session = make_live_session()
    professional = make_participant(session, role=Participant.Role.PROFESSIONAL)
    client = Client()
    client.force_login(make_live_user(partner=session.partner))
    store = client.session
    store[session_key(session.pk)] = professional.pk
    store.save()

    assert client.get(_room_url(session)).status_code == 302


@pytest.mark.django_db
def test_a_removed_participant_gets_a_403_that_says_why():
    session = make_live_session()
    removed = make_participant(session, status=Participant.Status.REMOVED)

    response = _client_for(removed).get(_room_url(session))

    assert response.status_code == 403
    content = response.content.decode()
    assert "removed you from this session" in content
    assert 'id="live-config"' not in content


@pytest.mark.django_db
def test_an_ended_session_says_it_ended():
    session = make_live_session(status=LiveSession.Status.ENDED)
    guest = make_participant(session)

    response = _client_for(guest).get(_room_url(session))

    assert response.status_code == 200
    assert "This session has ended" in response.content.decode()
    assert 'id="live-config"' not in response.content.decode()


@pytest.mark.django_db
def test_unknown_session_is_404():
    assert Client().get(reverse("live:room", kwargs={"session_id": 999999})).status_code == 404


@pytest.mark.django_db
def test_the_room_page_config_for_a_professional(settings, django_assert_max_num_queries):
    settings.LIVE_ICE_SERVERS = [{"urls": "stun:stun.example.org:3478"}]
    settings.LIVE_WEBRTC_MAX_VIDEO = 4
    session = make_live_session(title="Recognising signs <b>early</b>")
    professional = make_participant(session, role=Participant.Role.PROFESSIONAL, name="Amina Haddad")
    client = _client_for(professional)

    # The session, the browser session, the participant; the rest is the
    # site template (user, menu, footer), the same on every page.
    with django_assert_max_num_queries(12):
        response = client.get(_room_url(session))

    assert response.status_code == 200
    config = _config(response)
    assert config["ws_path"] == f"/ws/live/{session.pk}/"
    assert config["you"] == {"id": professional.pk, "name": "Amina Haddad", "role": "professional"}
    assert config["session"] == {
        "id": session.pk,
        "title": "Recognising signs <b>early</b>",
        "audience": "professionals",
        "is_youth": False,
        "provider": "webrtc",
        "stream_url": "",
    }
    assert config["ice_servers"] == [{"urls": "stun:stun.example.org:3478"}]
    assert config["max_video"] == 4
    assert config["strings"]["raise_hand"] == "Raise hand"
    assert len(config["strings"]["votes"]) == 3
    content = response.content.decode()
    assert "Recognising signs &lt;b&gt;early&lt;/b&gt;" in content  # the title is text
    assert 'id="live-video-start"' in content
    assert 'id="live-private-form"' not in content  # staff only
    assert 'id="live-poll-form"' not in content


@pytest.mark.django_db
def test_the_room_page_holds_no_secrets(settings):
    settings.LIVE_BBB_URL = "https://bbb.example.org/bigbluebutton/api/"
    settings.LIVE_BBB_SECRET = "bbb-shared-secret-value"
    settings.LIVE_JITSI_SECRET = "jitsi-shared-secret-value"
    for provider in (LiveSession.Provider.BIGBLUEBUTTON, LiveSession.Provider.WEBRTC):
        session = make_live_session(audience=LiveSession.Audience.YOUNG_PEOPLE, provider=provider)
        for role in (Participant.Role.GUEST, Participant.Role.STAFF):
            participant = make_participant(session, role=role)
            response = _client_for(participant).get(_room_url(session))
            content = response.content.decode()
            config_text = CONFIG.search(content).group(1)
            assert session.join_code not in content
            assert session.join_code_display not in content
            for secret in ("bbb-shared-secret-value", "jitsi-shared-secret-value", settings.SECRET_KEY):
                assert secret not in content
            assert "checksum" not in content.lower()
            assert "secret" not in config_text.lower()
            assert "bbb.example.org" not in content  # the join URL is minted on click, never in the page
            assert "join_code" not in config_text


@pytest.mark.django_db
def test_youth_sessions_show_guests_no_private_chat_and_staff_the_staff_tools():
    session = make_live_session(audience=LiveSession.Audience.YOUNG_PEOPLE)
    guest = make_participant(session, name="Noor")
    trainer = make_participant(session, role=Participant.Role.STAFF)

    guest_page = _client_for(guest).get(_room_url(session)).content.decode()
    staff_page = _client_for(trainer).get(_room_url(session)).content.decode()

    assert 'id="live-private-form"' not in guest_page
    assert 'id="live-lobby-list"' not in guest_page
    assert 'id="live-end"' not in guest_page
    for marker in ('id="live-private-form"', 'id="live-lobby-list"', 'id="live-end"', 'id="live-poll-form"', 'id="live-hand-queue"'):
        assert marker in staff_page
    assert _config_from(guest_page)["session"]["is_youth"] is True


def _config_from(content: str) -> dict:
    return json.loads(CONFIG.search(content).group(1))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "phrase"),
    [("en", "Raise hand"), ("fr", None), ("nl", None)],
)
def test_the_room_renders_in_each_language(lang, phrase):
    session = make_live_session()
    guest = make_participant(session)

    response = _client_for(guest).get(_room_url(session, lang))

    assert response.status_code == 200
    content = response.content.decode()
    assert f'<html lang="{lang}">' in content
    config = _config_from(content)
    with translation.override(lang):
        from django.utils.translation import gettext

        assert config["strings"]["raise_hand"] == gettext("Raise hand")
        assert config["strings"]["connecting"] == gettext("Connecting to the room…")
    if phrase:
        assert config["strings"]["raise_hand"] == phrase


@pytest.mark.django_db
def test_camera_permission_only_for_the_built_in_video():
    webrtc = make_live_session(provider=LiveSession.Provider.WEBRTC)
    bbb = make_live_session(provider=LiveSession.Provider.BIGBLUEBUTTON)

    webrtc_response = _client_for(make_participant(webrtc)).get(_room_url(webrtc))
    bbb_response = _client_for(make_participant(bbb)).get(_room_url(bbb))

    assert "camera=(self)" in webrtc_response["Permissions-Policy"]
    assert "microphone=(self)" in webrtc_response["Permissions-Policy"]
    assert "camera=()" in bbb_response["Permissions-Policy"]
    assert "microphone=()" in bbb_response["Permissions-Policy"]
    for response in (webrtc_response, bbb_response):
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "connect-src 'self' ws://testserver" in csp
        assert "unsafe-inline" not in csp
        assert response["Cache-Control"] == "no-store"
    assert 'action="' + reverse("live:video", kwargs={"session_id": bbb.pk}) + '"' in bbb_response.content.decode()
    assert 'target="_blank"' in bbb_response.content.decode()


@pytest.mark.django_db
def test_no_inline_script_in_the_room():
    session = make_live_session()
    content = _client_for(make_participant(session)).get(_room_url(session)).content.decode()
    scripts = re.findall(r"<script(?P<attrs>[^>]*)>", content)
    assert scripts
    for attrs in scripts:
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs


@pytest.mark.django_db
def test_external_stream_link_for_sessions_without_video():
    session = make_live_session(provider=LiveSession.Provider.NONE, stream_url="https://stream.example.org/live?x=1&y=2")
    guest = make_participant(session)

    response = _client_for(guest).get(_room_url(session))

    content = response.content.decode()
    link = re.search(r'<a class="button" href="([^"]+)" target="_blank" rel="noopener noreferrer">(.*?)</a>', content, re.S)
    assert link, content
    assert link.group(1) == "https://stream.example.org/live?x=1&amp;y=2"
    assert '<span class="visually-hidden"> (opens in a new tab)</span>' in link.group(2)
    assert _config(response)["session"]["stream_url"] == "https://stream.example.org/live?x=1&y=2"
    assert 'id="live-video-start"' not in content
    assert "camera=()" in response["Permissions-Policy"]
