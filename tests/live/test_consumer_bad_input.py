"""Bad input through the real server: each request gets its error, the
socket stays open, and the others keep receiving."""

from __future__ import annotations

import json

import pytest

from live.models import ChatMessage, LiveSession, Participant
from tests.live.conftest import live_cookie, make_live_session, make_participant
from tests.support.live_ws import LiveSocket, handshake_refused

pytestmark = pytest.mark.integration


def _socket(live, participant) -> LiveSocket:
    return LiveSocket(live.ws_url, participant.session_id, cookie=live_cookie(participant))


def test_bad_frames_get_errors_and_the_room_carries_on(live_ws_server, settings):
    session = make_live_session(audience=LiveSession.Audience.YOUNG_PEOPLE, lobby_enabled=False)
    trainer = make_participant(session, role=Participant.Role.STAFF)
    young = make_participant(session, name="Kim", status=Participant.Status.ADMITTED)
    listener = make_participant(session, name="Lou", status=Participant.Status.ADMITTED)
    with (
        _socket(live_ws_server, trainer) as staff_ws,
        _socket(live_ws_server, young) as bad_ws,
        _socket(live_ws_server, listener) as listen_ws,
    ):
        for ws in (staff_ws, bad_ws, listen_ws):
            ws.wait_for("welcome")
        cases = [
            ("{not json", "invalid", None),
            ("[1, 2]", "invalid", None),
            (json.dumps({"type": "chat.explode"}), "invalid", "chat.explode"),
            (json.dumps({"type": "chat.send", "text": 5, "client_id": "b1"}), "invalid", "b1"),
            (json.dumps({"type": "chat.send", "text": "x" * 2001, "client_id": "b2"}), "too_long", "b2"),
            (json.dumps({"type": "chat.send", "text": "x", "client_id": "y" * 65}), "invalid", "chat.send"),
            ("x" * 9000, "too_long", None),
            (json.dumps({"type": "participant.remove", "participant_id": listener.pk}), "forbidden", "participant.remove"),
            (json.dumps({"type": "chat.private", "to": trainer.pk, "text": "psst", "client_id": "p1"}), "forbidden", "p1"),
        ]
        for n, (frame, code, ref) in enumerate(cases):
            bad_ws.send_raw(frame)
            error = bad_ws.wait_for("error")
            assert (error["code"], error["ref"]) == (code, ref), frame[:80]
            assert error["detail"]
            staff_ws.send("chat.send", text=f"still here {n}", client_id=f"s{n}")
            assert listen_ws.wait_for("chat.message", client_id=f"s{n}")["text"] == f"still here {n}"
        # The socket stays open and usable.
        bad_ws.send("chat.send", text="<script>alert(1)</script>", client_id="ok")
        relayed = listen_ws.wait_for("chat.message", client_id="ok")
        assert relayed["text"] == "<script>alert(1)</script>"
    assert ChatMessage.objects.get(client_id="ok").text == "<script>alert(1)</script>"
    assert not ChatMessage.objects.filter(recipient__isnull=False).exists()
    assert Participant.objects.get(pk=listener.pk).status == Participant.Status.ADMITTED


def test_flood_is_rate_limited_and_others_keep_receiving(live_ws_server):
    session = make_live_session()
    flooder = make_participant(session)
    listener = make_participant(session)
    with _socket(live_ws_server, flooder) as flood_ws, _socket(live_ws_server, listener) as listen_ws:
        flood_ws.wait_for("welcome")
        listen_ws.wait_for("welcome")
        for n in range(12):
            flood_ws.send("chat.send", text=f"spam {n}", client_id=f"f{n}")
        error = flood_ws.wait_for("error")
        assert error["code"] == "rate_limited" and error["ref"] == "f10"
        flood_ws.send("ping")  # keep-alives are not limited
        flood_ws.wait_for("pong")
        listen_ws.wait_for("chat.message", client_id="f9")
    assert ChatMessage.objects.count() == 10


def test_error_detail_is_in_the_participants_language(live_ws_server):
    session = make_live_session(language="fr")
    guest = make_participant(session)
    with _socket(live_ws_server, guest) as ws:
        ws.wait_for("welcome")
        ws.send("session.end")
        error = ws.wait_for("error")
    assert error["code"] == "forbidden"
    from django.utils import translation

    with translation.override("fr"):
        from live.room import FORBIDDEN_STAFF

        assert error["detail"] == str(FORBIDDEN_STAFF)


@pytest.mark.parametrize(
    ("case", "code"),
    [("no_participant", 4001), ("other_session", 4001), ("ended", 4010), ("missing", 4004), ("locked", 4023)],
)
def test_sockets_that_may_not_stay_are_closed_with_the_code(live_ws_server, case, code):
    session = make_live_session(lobby_enabled=True)
    participant = make_participant(session, role=Participant.Role.PROFESSIONAL, status=Participant.Status.LOBBY)
    cookie = live_cookie(participant)
    session_id = session.pk
    if case == "no_participant":
        cookie = None
    elif case == "other_session":
        session_id = make_live_session(partner=session.partner).pk
    elif case == "ended":
        LiveSession.objects.filter(pk=session.pk).update(status=LiveSession.Status.ENDED)
    elif case == "missing":
        session_id = session.pk + 1000
    elif case == "locked":
        LiveSession.objects.filter(pk=session.pk).update(locked=True)
    ws = LiveSocket(live_ws_server.ws_url, session_id, cookie=cookie)
    assert ws.closed_with() == code
    assert ws.seen == []


def test_a_foreign_origin_is_refused_at_the_handshake(live_ws_server):
    session = make_live_session()
    guest = make_participant(session)
    status = handshake_refused(
        live_ws_server.ws_url, session.pk, origin="https://evil.example", cookie=live_cookie(guest)
    )
    assert status == 403
    guest.refresh_from_db()
    assert guest.channel_name == ""


def test_session_end_closes_every_socket(live_ws_server):
    session = make_live_session()
    trainer = make_participant(session, role=Participant.Role.STAFF)
    guest = make_participant(session)
    staff_ws, guest_ws = _socket(live_ws_server, trainer), _socket(live_ws_server, guest)
    staff_ws.wait_for("welcome")
    guest_ws.wait_for("welcome")
    staff_ws.send("session.end")
    assert guest_ws.closed_with() == 4010 and staff_ws.closed_with() == 4010
    assert "session.ended" in guest_ws.types()
    assert _socket(live_ws_server, guest).closed_with() == 4010
