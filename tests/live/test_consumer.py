"""The live websocket through the real server (daphne, config.asgi, the
in-memory channel layer of one process): the protocol's main paths."""

from __future__ import annotations

import pytest

from live.models import AttendanceInterval, ChatMessage, Connection, LiveEvent, Participant
from tests.live.conftest import live_cookie, make_live_session, make_participant
from tests.support.live_ws import LiveSocket, eventually

pytestmark = pytest.mark.integration


def _socket(live, participant) -> LiveSocket:
    return LiveSocket(live.ws_url, participant.session_id, cookie=live_cookie(participant))


def test_join_chat_and_presence(live_ws_server):
    session = make_live_session()
    trainer = make_participant(session, role=Participant.Role.STAFF, name="Trainer Tom")
    guest = make_participant(session, name="Gita")
    with _socket(live_ws_server, trainer) as staff_ws:
        welcome = staff_ws.wait_for("welcome")
        assert welcome["you"] == {"id": trainer.pk, "name": "Trainer Tom", "role": "staff", "status": "admitted", "muted": False}
        assert welcome["session"]["id"] == session.pk and welcome["session"]["is_youth"] is False
        assert [p["id"] for p in welcome["state"]["participants"]] == [trainer.pk]
        assert welcome["state"]["staff_present"] == 1 and welcome["state"]["lobby"] == []
        with _socket(live_ws_server, guest) as guest_ws:
            guest_welcome = guest_ws.wait_for("welcome")
            assert "lobby" not in guest_welcome["state"] and "held" not in guest_welcome["state"]
            joined = staff_ws.wait_for("presence.joined", where=lambda e: e["participant"]["id"] == guest.pk)
            assert joined["participant"]["id"] == guest.pk and joined["seq"] > welcome["head"]
            guest_ws.send("chat.send", text="Hello <b>all</b>", client_id="m1")
            for ws in (staff_ws, guest_ws):
                message = ws.wait_for("chat.message")
                assert message["text"] == "Hello <b>all</b>"
                assert message["author"] == {"id": guest.pk, "name": "Gita", "role": "guest"}
                assert message["client_id"] == "m1"
        left = staff_ws.wait_for("presence.left")
        assert left["participant_id"] == guest.pk
    assert ChatMessage.objects.get().text == "Hello <b>all</b>"
    assert list(LiveEvent.objects.filter(session=session).values_list("seq", flat=True)) == list(range(1, 5))
    assert eventually(lambda: Participant.objects.filter(channel_name="").count() == 2)


def test_reconnect_and_sync_returns_missed_messages_from_the_database(live_ws_server):
    session = make_live_session()
    trainer = make_participant(session, role=Participant.Role.STAFF)
    guest = make_participant(session)
    with _socket(live_ws_server, trainer) as staff_ws:
        staff_ws.wait_for("welcome")
        with _socket(live_ws_server, guest) as guest_ws:
            last_seq = guest_ws.wait_for("welcome")["head"]
        for n in range(3):
            staff_ws.send("chat.send", text=f"missed {n}", client_id=f"s{n}")
            staff_ws.wait_for("chat.message", client_id=f"s{n}")
        with _socket(live_ws_server, guest) as guest_ws:
            guest_ws.wait_for("welcome")
            guest_ws.send("sync", since=last_seq)
            result = guest_ws.wait_for("sync.result")
    assert result["complete"] is True
    texts = [e["text"] for e in result["events"] if e["type"] == "chat.message"]
    assert texts == ["missed 0", "missed 1", "missed 2"]
    seqs = [e["seq"] for e in result["events"]]
    assert seqs == sorted(seqs) and seqs[0] > last_seq and result["head"] >= seqs[-1]


def test_a_retried_client_id_makes_no_second_message(live_ws_server):
    session = make_live_session()
    guest = make_participant(session)
    with _socket(live_ws_server, guest) as ws:
        ws.wait_for("welcome")
        ws.send("chat.send", text="once", client_id="same")
        first = ws.wait_for("chat.message")
        ws.send("chat.send", text="once", client_id="same")
        again = ws.wait_for("chat.message")
    assert again == first
    assert ChatMessage.objects.count() == 1


def test_one_participant_has_at_most_three_sockets_and_is_announced_once(live_ws_server):
    session = make_live_session()
    trainer = make_participant(session, role=Participant.Role.STAFF)
    guest = make_participant(session)
    cookie = live_cookie(guest)
    with _socket(live_ws_server, trainer) as staff_ws:
        staff_ws.wait_for("welcome")
        tabs = [LiveSocket(live_ws_server.ws_url, session.pk, cookie=cookie) for _ in range(3)]
        for tab in tabs:
            tab.wait_for("welcome")
        fourth = LiveSocket(live_ws_server.ws_url, session.pk, cookie=cookie)
        assert fourth.closed_with() == 4029
        for tab in tabs:  # the three tabs stay
            tab.send("ping")
            assert tab.wait_for("pong") == {"type": "pong"}
        # Closing two of the three tabs: the guest is still there.
        tabs[0].close()
        tabs[1].close()
        assert eventually(lambda: Connection.objects.filter(participant=guest).count() == 1)
        staff_ws.send("chat.send", text="still here?", client_id="after")
        tabs[2].wait_for("chat.message")
        staff_ws.drain()
        about_guest = [
            e["type"] for e in staff_ws.seen
            if e.get("participant", {}).get("id") == guest.pk or e.get("participant_id") == guest.pk
        ]
        assert about_guest == ["presence.joined"]
        tabs[2].close()
        left = staff_ws.wait_for("presence.left")
        assert left["participant_id"] == guest.pk
    # One interval for the whole time.
    assert eventually(lambda: not AttendanceInterval.objects.filter(ended_at__isnull=True).exists())
    assert AttendanceInterval.objects.filter(participant=guest).count() == 1
