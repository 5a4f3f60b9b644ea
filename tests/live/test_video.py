"""Video providers: BigBlueButton and Jitsi URL builders, the just-in-time
`live:video` door (against a real local HTTP server playing BigBlueButton,
no mocks of urllib), and the WebRTC ICE configuration."""

from __future__ import annotations

import datetime as dt
import hashlib
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote_plus, urlencode, urlsplit

import jwt
import pytest
from django.test import Client
from django.urls import reverse

from live.identity import session_key
from live.models import LiveSession, Participant
from live.video import bbb, jitsi, webrtc
from tests.live.conftest import make_live_session, make_live_user, make_participant

BBB_SECRET = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
JITSI_SECRET = "jitsi-test-secret-of-enough-length-0123456789"


# --- BigBlueButton: checksums and URLs -----------------------------------------------------


def test_checksum_matches_the_example_of_the_bbb_api_documentation():
    query = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"
    assert bbb.checksum("create", query, BBB_SECRET) == "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"
    # The documented query is what urlencode makes of these parameters with quote_plus.
    params = [("name", "Test Meeting"), ("meetingID", "abc123"), ("attendeePW", "111222"), ("moderatorPW", "333444")]
    assert urlencode(params, quote_via=quote_plus) == query


def _split_signed(url: str) -> tuple[str, str, str]:
    """(call, query as sent without the checksum, checksum)."""
    parts = urlsplit(url)
    call = parts.path.rsplit("/", 1)[1]
    query, _, signature = parts.query.rpartition("&checksum=")
    return call, query, signature


@pytest.mark.django_db
def test_create_url_is_signed_over_the_query_exactly_as_sent(settings):
    settings.LIVE_BBB_URL = "https://bbb.example.org/bigbluebutton/api/"
    settings.LIVE_BBB_SECRET = BBB_SECRET
    session = make_live_session(title="Écoute & dialogue + jeunes", provider=LiveSession.Provider.BIGBLUEBUTTON)

    url = bbb.create_url(session, end_callback_url="https://site.example.org/end?x=1")

    assert url.startswith("https://bbb.example.org/bigbluebutton/api/create?")
    call, query, signature = _split_signed(url)
    assert call == "create"
    assert signature == hashlib.sha1(f"create{query}{BBB_SECRET}".encode()).hexdigest()
    assert "name=%C3%89coute%20%26%20dialogue%20%2B%20jeunes" in query  # spaces as %20, as sent
    params = {k: v[0] for k, v in parse_qs(query).items()}
    assert params["name"] == "Écoute & dialogue + jeunes"
    assert params["meetingID"] == f"bridgeline-{session.pk}"
    assert params["record"] == "false"
    assert params["lockSettingsDisablePrivateChat"] == "true"
    assert params["disabledFeatures"] == "privateChat"
    assert params["guestPolicy"] == "ALWAYS_ACCEPT"
    assert params["meta_endCallbackUrl"] == "https://site.example.org/end?x=1"


@pytest.mark.django_db
def test_join_url_names_the_participant_and_gives_moderator_to_staff_only(settings):
    settings.LIVE_BBB_URL = "https://bbb.example.org/bigbluebutton/api"  # no trailing slash: added
    settings.LIVE_BBB_SECRET = BBB_SECRET
    session = make_live_session(provider=LiveSession.Provider.BIGBLUEBUTTON)
    trainer = make_participant(session, role=Participant.Role.STAFF, name="Marie Dubois")
    guest = make_participant(session, role=Participant.Role.GUEST, name="Sam")

    staff_url = bbb.join_url(session, trainer, create_time="1700000000000")
    guest_url = bbb.join_url(session, guest)

    for url in (staff_url, guest_url):
        assert url.startswith("https://bbb.example.org/bigbluebutton/api/join?")
        call, query, signature = _split_signed(url)
        assert signature == hashlib.sha1(f"join{query}{BBB_SECRET}".encode()).hexdigest()
    staff = {k: v[0] for k, v in parse_qs(_split_signed(staff_url)[1]).items()}
    assert staff == {
        "fullName": "Marie Dubois",
        "meetingID": f"bridgeline-{session.pk}",
        "role": "MODERATOR",
        "userID": str(trainer.pk),
        "createTime": "1700000000000",
    }
    viewer = {k: v[0] for k, v in parse_qs(_split_signed(guest_url)[1]).items()}
    assert viewer["role"] == "VIEWER" and viewer["fullName"] == "Sam" and "createTime" not in viewer


@pytest.mark.django_db
def test_sha256_checksums_when_configured(settings):
    settings.LIVE_BBB_URL = "https://bbb.example.org/bigbluebutton/api/"
    settings.LIVE_BBB_SECRET = BBB_SECRET
    settings.LIVE_BBB_CHECKSUM = "sha256"
    session = make_live_session(provider=LiveSession.Provider.BIGBLUEBUTTON)
    call, query, signature = _split_signed(bbb.create_url(session))
    assert signature == hashlib.sha256(f"create{query}{BBB_SECRET}".encode()).hexdigest()

    settings.LIVE_BBB_CHECKSUM = "md5"
    with pytest.raises(bbb.BBBError) as refused:
        bbb.create_url(session)
    assert refused.value.reason == "not_configured"


@pytest.mark.django_db
def test_no_bbb_url_without_configuration(settings):
    settings.LIVE_BBB_URL = "https://bbb.example.org/bigbluebutton/api/"
    settings.LIVE_BBB_SECRET = ""
    session = make_live_session(provider=LiveSession.Provider.BIGBLUEBUTTON)
    with pytest.raises(bbb.BBBError) as refused:
        bbb.create_url(session)
    assert refused.value.reason == "not_configured"


# --- A real local HTTP server playing BigBlueButton ---------------------------------------

SUCCESS_XML = (
    "<response><returncode>SUCCESS</returncode><meetingID>{meeting}</meetingID>"
    "<createTime>1732212345678</createTime><messageKey>{key}</messageKey><message></message></response>"
)
FAILED_XML = (
    "<response><returncode>FAILED</returncode><messageKey>checksumError</messageKey>"
    "<message>You did not pass the checksum security check</message></response>"
)


@dataclass
class FakeBBB:
    url: str
    answer: str = "success"  # success | failed | http500 | garbage
    requests: list = field(default_factory=list)
    creates: set = field(default_factory=set)


@pytest.fixture
def fake_bbb():
    state = FakeBBB(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            parts = urlsplit(self.path)
            call = parts.path.rsplit("/", 1)[1]
            state.requests.append((call, parts.query))
            query, _, signature = parts.query.rpartition("&checksum=")
            signed = hashlib.sha1(f"{call}{query}{BBB_SECRET}".encode()).hexdigest() == signature
            if state.answer == "http500":
                self._reply(500, "oops")
            elif state.answer == "garbage":
                self._reply(200, "<html>not bbb")
            elif state.answer == "failed" or not signed:
                self._reply(200, FAILED_XML)
            else:
                meeting = parse_qs(query)["meetingID"][0]
                # Idempotent, as BigBlueButton: a second create finds the meeting.
                key = "duplicateWarning" if meeting in state.creates else ""
                state.creates.add(meeting)
                self._reply(200, SUCCESS_XML.format(meeting=meeting, key=key))

        def _reply(self, status, body):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/bigbluebutton/api/"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


def _client_for(participant: Participant) -> Client:
    client = Client()
    if participant.user_id:
        client.force_login(participant.user)
    store = client.session
    store[session_key(participant.session_id)] = participant.pk
    store.save()
    return client


def _video_url(session) -> str:
    return reverse("live:video", kwargs={"session_id": session.pk})


@pytest.fixture
def bbb_session(settings, fake_bbb):
    settings.LIVE_BBB_URL = fake_bbb.url
    settings.LIVE_BBB_SECRET = BBB_SECRET
    return make_live_session(provider=LiveSession.Provider.BIGBLUEBUTTON, title="Weekly group")


@pytest.mark.django_db
def test_video_creates_the_meeting_then_redirects_staff_as_moderator(bbb_session, fake_bbb):
    trainer = make_participant(bbb_session, role=Participant.Role.STAFF, name="Marie Dubois")

    response = _client_for(trainer).post(_video_url(bbb_session))

    assert response.status_code == 302
    assert response["Cache-Control"] == "no-store"
    location = response["Location"]
    assert location.startswith(fake_bbb.url + "join?")
    params = {k: v[0] for k, v in parse_qs(_split_signed(location)[1]).items()}
    assert params["role"] == "MODERATOR"
    assert params["fullName"] == "Marie Dubois"
    assert params["userID"] == str(trainer.pk)
    assert params["createTime"] == "1732212345678"  # from BigBlueButton's create answer
    assert [call for call, _ in fake_bbb.requests] == ["create"]
    created = parse_qs(fake_bbb.requests[0][1])
    assert created["meetingID"] == [f"bridgeline-{bbb_session.pk}"]
    assert created["disabledFeatures"] == ["privateChat"]


@pytest.mark.django_db
def test_video_sends_others_as_viewers_into_the_same_meeting(bbb_session, fake_bbb):
    trainer = make_participant(bbb_session, role=Participant.Role.STAFF)
    professional = make_participant(bbb_session, role=Participant.Role.PROFESSIONAL)
    guest = make_participant(bbb_session, role=Participant.Role.GUEST, name="Noor")

    _client_for(trainer).post(_video_url(bbb_session))
    locations = [_client_for(p).post(_video_url(bbb_session))["Location"] for p in (professional, guest)]

    roles = [parse_qs(_split_signed(url)[1])["role"][0] for url in locations]
    assert roles == ["VIEWER", "VIEWER"]
    meetings = {parse_qs(query)["meetingID"][0] for _, query in fake_bbb.requests}
    assert meetings == {f"bridgeline-{bbb_session.pk}"}
    assert len(fake_bbb.requests) == 3  # create before every join: idempotent at BigBlueButton


@pytest.mark.django_db
def test_bbb_down_gives_a_clear_page_not_a_500(settings, bbb_session):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.LIVE_BBB_URL = f"http://127.0.0.1:{closed_port}/bigbluebutton/api/"
    guest = make_participant(bbb_session)

    response = _client_for(guest).post(_video_url(bbb_session))

    assert response.status_code == 503
    assert "cannot be reached at the moment" in response.content.decode()
    assert "checksum" not in response.content.decode()
    assert reverse("live:room", kwargs={"session_id": bbb_session.pk}) in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("answer", ["failed", "http500", "garbage"])
def test_bbb_refusals_give_a_clear_page(bbb_session, fake_bbb, answer):
    fake_bbb.answer = answer
    guest = make_participant(bbb_session)

    response = _client_for(guest).post(_video_url(bbb_session))

    assert response.status_code == 503
    assert "cannot be reached at the moment" in response.content.decode()


@pytest.mark.django_db
def test_bbb_not_configured_says_so(settings, bbb_session, fake_bbb):
    settings.LIVE_BBB_SECRET = ""
    guest = make_participant(bbb_session)

    response = _client_for(guest).post(_video_url(bbb_session))

    assert response.status_code == 503
    assert "not set up on this site" in response.content.decode()
    assert fake_bbb.requests == []


@pytest.mark.django_db
def test_video_refuses_who_is_waiting_in_the_lobby(bbb_session, fake_bbb):
    waiting = make_participant(bbb_session, status=Participant.Status.LOBBY)

    response = _client_for(waiting).post(_video_url(bbb_session))

    assert response.status_code == 403
    assert "has not let you into the room yet" in response.content.decode()
    assert fake_bbb.requests == []


@pytest.mark.django_db
def test_video_refuses_a_removed_participant(bbb_session, fake_bbb):
    removed = make_participant(bbb_session, status=Participant.Status.REMOVED)
    response = _client_for(removed).post(_video_url(bbb_session))
    assert response.status_code == 403
    assert fake_bbb.requests == []


@pytest.mark.django_db
def test_video_sends_strangers_to_the_join_page(bbb_session, fake_bbb):
    response = Client().post(_video_url(bbb_session))
    assert response.status_code == 302
    assert response["Location"] == reverse("live:join")
    assert fake_bbb.requests == []


@pytest.mark.django_db
def test_a_participant_of_another_session_is_not_let_into_this_video(bbb_session, fake_bbb):
    other = make_live_session(provider=LiveSession.Provider.BIGBLUEBUTTON)
    theirs = make_participant(other, role=Participant.Role.STAFF)
    client = _client_for(theirs)
    # Even with the other session's participant id under this session's key.
    store = client.session
    store[session_key(bbb_session.pk)] = theirs.pk
    store.save()

    response = client.post(_video_url(bbb_session))

    assert response.status_code == 302
    assert response["Location"] == reverse("live:join")
    assert fake_bbb.requests == []


@pytest.mark.django_db
def test_another_users_participant_is_not_let_in(bbb_session, fake_bbb):
    professional = make_participant(bbb_session, role=Participant.Role.PROFESSIONAL)
    client = Client()
    client.force_login(make_live_user(partner=bbb_session.partner))
    store = client.session
    store[session_key(bbb_session.pk)] = professional.pk
    store.save()

    response = client.post(_video_url(bbb_session))

    assert response.status_code == 302 and response["Location"] == reverse("live:join")


@pytest.mark.django_db
def test_video_is_post_only_and_needs_the_csrf_token(bbb_session, fake_bbb):
    guest = make_participant(bbb_session)
    client = _client_for(guest)
    assert client.get(_video_url(bbb_session)).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    assert strict.post(_video_url(bbb_session)).status_code == 403
    assert fake_bbb.requests == []


@pytest.mark.django_db
def test_video_of_an_ended_session_says_it_ended(bbb_session, fake_bbb):
    guest = make_participant(bbb_session)
    LiveSession.objects.filter(pk=bbb_session.pk).update(status=LiveSession.Status.ENDED)

    response = _client_for(guest).post(_video_url(bbb_session))

    assert response.status_code == 200
    assert "This session has ended" in response.content.decode()
    assert fake_bbb.requests == []


@pytest.mark.django_db
@pytest.mark.parametrize("provider", [LiveSession.Provider.WEBRTC, LiveSession.Provider.NONE])
def test_no_video_door_for_other_providers(provider):
    session = make_live_session(provider=provider)
    guest = make_participant(session)
    assert _client_for(guest).post(_video_url(session)).status_code == 404


@pytest.mark.django_db
def test_unknown_session_is_404():
    assert Client().post(reverse("live:video", kwargs={"session_id": 999999})).status_code == 404


# --- Jitsi ------------------------------------------------------------------------------------


@pytest.fixture
def jitsi_settings(settings):
    settings.LIVE_JITSI_URL = "https://meet.example.org/"
    settings.LIVE_JITSI_APP_ID = "bridgeline"
    settings.LIVE_JITSI_SECRET = JITSI_SECRET
    return settings


@pytest.mark.django_db
def test_jitsi_room_is_stable_unguessable_and_says_nothing_about_the_session(settings):
    first = make_live_session(title="Youth club Molenbeek", provider=LiveSession.Provider.JITSI)
    second = make_live_session(title="Youth club Molenbeek", provider=LiveSession.Provider.JITSI)

    name = jitsi.room_name(first)

    assert name == jitsi.room_name(first)
    assert name != jitsi.room_name(second)
    assert "molenbeek" not in name.lower()
    assert len(name) >= 32 and name.isalnum()
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert jitsi.room_name(first) != name


@pytest.mark.django_db
def test_jitsi_token_claims_for_staff(jitsi_settings):
    session = make_live_session(provider=LiveSession.Provider.JITSI)
    trainer = make_participant(session, role=Participant.Role.STAFF, name="Marie Dubois")
    now = session.starts_at

    url = jitsi.room_url(session, trainer, now=now)

    assert url.startswith(f"https://meet.example.org/{jitsi.room_name(session)}?jwt=")
    token = parse_qs(urlsplit(url).query)["jwt"][0]
    claims = jwt.decode(token, JITSI_SECRET, algorithms=["HS256"], audience="jitsi", options={"verify_nbf": False, "verify_exp": False})
    assert claims["iss"] == "bridgeline"
    assert claims["aud"] == "jitsi"
    assert claims["sub"] == "meet.example.org"
    assert claims["room"] == jitsi.room_name(session)
    assert claims["exp"] == int((session.ends_at + dt.timedelta(hours=1)).timestamp())
    assert claims["nbf"] <= int(now.timestamp())
    assert claims["moderator"] is True
    assert claims["context"]["user"]["id"] == str(trainer.pk)
    assert claims["context"]["user"]["name"] == "Marie Dubois"
    assert claims["context"]["user"]["moderator"] is True


@pytest.mark.django_db
def test_jitsi_token_of_a_guest_has_no_email_and_no_moderator(jitsi_settings):
    session = make_live_session(provider=LiveSession.Provider.JITSI, audience=LiveSession.Audience.YOUNG_PEOPLE)
    guest = make_participant(session, role=Participant.Role.GUEST, name="Noor")

    token = parse_qs(urlsplit(jitsi.room_url(session, guest)).query)["jwt"][0]

    claims = jwt.decode(token, JITSI_SECRET, algorithms=["HS256"], audience="jitsi")
    assert claims["context"]["user"] == {"id": str(guest.pk), "name": "Noor", "moderator": False}
    assert claims["moderator"] is False


@pytest.mark.django_db
def test_jitsi_token_fails_with_a_wrong_secret(jitsi_settings):
    session = make_live_session(provider=LiveSession.Provider.JITSI)
    guest = make_participant(session)
    token = parse_qs(urlsplit(jitsi.room_url(session, guest)).query)["jwt"][0]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "not-the-secret-but-long-enough-0123456789", algorithms=["HS256"], audience="jitsi")


@pytest.mark.django_db
def test_jitsi_without_secret_is_a_plain_room_link(jitsi_settings):
    jitsi_settings.LIVE_JITSI_SECRET = ""
    session = make_live_session(provider=LiveSession.Provider.JITSI)
    guest = make_participant(session)
    assert jitsi.room_url(session, guest) == f"https://meet.example.org/{jitsi.room_name(session)}"


@pytest.mark.django_db
def test_jitsi_video_view_redirects_with_a_token(jitsi_settings):
    session = make_live_session(provider=LiveSession.Provider.JITSI)
    professional = make_participant(session, role=Participant.Role.PROFESSIONAL)

    response = _client_for(professional).post(_video_url(session))

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"https://meet.example.org/{jitsi.room_name(session)}?jwt=")
    claims = jwt.decode(parse_qs(urlsplit(location).query)["jwt"][0], JITSI_SECRET, algorithms=["HS256"], audience="jitsi")
    assert claims["moderator"] is False
    assert claims["context"]["user"]["email"] == professional.user.email  # an account holder, not a guest


@pytest.mark.django_db
def test_jitsi_not_configured_gives_a_clear_page(settings):
    settings.LIVE_JITSI_URL = ""
    session = make_live_session(provider=LiveSession.Provider.JITSI)
    guest = make_participant(session)

    response = _client_for(guest).post(_video_url(session))

    assert response.status_code == 503
    assert "not set up on this site" in response.content.decode()


# --- WebRTC -----------------------------------------------------------------------------------


def test_ice_servers_pass_only_what_browsers_understand(settings):
    settings.LIVE_ICE_SERVERS = [
        {"urls": "stun:stun.example.org:3478"},
        {"urls": ["turn:turn.example.org:443?transport=tcp"], "username": "u", "credential": "p", "note": "ops"},
        {"username": "no urls"},
        "not a dict",
    ]
    assert webrtc.ice_servers() == [
        {"urls": "stun:stun.example.org:3478"},
        {"urls": ["turn:turn.example.org:443?transport=tcp"], "username": "u", "credential": "p"},
    ]
