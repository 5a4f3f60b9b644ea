"""Q&A, polls, hands and WebRTC signalling through the real server."""

from __future__ import annotations

import pytest

from live.models import LiveEvent, Participant
from tests.live.conftest import live_cookie, make_live_session, make_participant
from tests.support.live_ws import LiveSocket

pytestmark = pytest.mark.integration


def _socket(live, participant) -> LiveSocket:
    return LiveSocket(live.ws_url, participant.session_id, cookie=live_cookie(participant))


def test_questions_hands_and_polls(live_ws_server):
    session = make_live_session()
    trainer = make_participant(session, role=Participant.Role.STAFF)
    voters = [make_participant(session) for _ in range(3)]
    with _socket(live_ws_server, trainer) as staff_ws:
        staff_ws.wait_for("welcome")
        sockets = [_socket(live_ws_server, v) for v in voters]
        try:
            for ws in sockets:
                ws.wait_for("welcome")
            first = sockets[0]
            first.send("question.ask", text="Is this recorded?", client_id="q1")
            question = staff_ws.wait_for("question.asked")["question"]
            sockets[1].send("question.upvote", question_id=question["id"])
            assert first.wait_for("question.updated")["question"]["upvotes"] == 1
            staff_ws.send("question.spotlight", question_id=question["id"])
            assert first.wait_for("question.spotlight")["question_id"] == question["id"]

            sockets[2].send("hand.raise")
            staff_ws.wait_for("hand.raised", participant_id=voters[2].pk)
            sockets[1].send("hand.raise")
            staff_ws.wait_for("hand.raised", participant_id=voters[1].pk)
            # The queue in a fresh welcome is in the order hands went up.
            with _socket(live_ws_server, trainer) as again:
                assert again.wait_for("welcome")["state"]["hands"] == [voters[2].pk, voters[1].pk]
            staff_ws.close()  # several windows may stay open; this one is done
            staff_ws = _socket(live_ws_server, trainer)
            staff_ws.wait_for("welcome")
            staff_ws.send("hand.lower", participant_id=voters[2].pk)
            assert first.wait_for("hand.lowered")["participant_id"] == voters[2].pk

            staff_ws.send("poll.create", question="Which day?", options=["Mon", "Tue"], client_id="p1")
            poll = staff_ws.wait_for("poll.created")["poll"]
            staff_ws.send("poll.open", poll_id=poll["id"])
            assert first.wait_for("poll.opened")["poll"]["status"] == "open"
            for ws in sockets:
                ws.send("poll.vote", poll_id=poll["id"], option=1)
            for ws in sockets:
                ws.wait_for("poll.voted")
            results = first.wait_for("poll.results", where=lambda e: e["total"] == 3)
            assert results["counts"] == [0, 3]
            staff_ws.send("poll.close", poll_id=poll["id"])
            assert first.wait_for("poll.closed")["poll"]["counts"] == [0, 3]
        finally:
            for ws in sockets:
                ws.close()
    # Three votes within a second: coalesced into at most two results.
    assert 1 <= LiveEvent.objects.filter(type="poll.results").count() <= 2


def test_webrtc_signalling_reaches_only_the_peer(live_ws_server):
    session = make_live_session()
    alice, bob, carol = (make_participant(session, name=n) for n in ("Alice", "Bob", "Carol"))
    with _socket(live_ws_server, alice) as a, _socket(live_ws_server, bob) as b, _socket(live_ws_server, carol) as c:
        for ws in (a, b, c):
            ws.wait_for("welcome")
        a.send("rtc.signal", to=bob.pk, data={"sdp": "offer"})
        assert a.wait_for("error")["code"] == "conflict"
        a.send("rtc.join")
        b.send("rtc.join")
        c.wait_for("rtc.joined", participant_id=alice.pk)
        c.wait_for("rtc.joined", participant_id=bob.pk)
        data = {"description": {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"}}
        a.send("rtc.signal", to=bob.pk, data=data)
        signal = b.wait_for("rtc.signal")
        assert signal == {"type": "rtc.signal", "from": alice.pk, "data": data}
        a.send("rtc.signal", to=bob.pk, data="not an object")
        assert a.wait_for("error")["code"] == "invalid"
        a.send("ping")
        a.wait_for("pong")
        c.send("ping")
        c.wait_for("pong")
        assert "rtc.signal" not in a.types() and "rtc.signal" not in c.types()
    assert not LiveEvent.objects.filter(type="rtc.signal").exists()
