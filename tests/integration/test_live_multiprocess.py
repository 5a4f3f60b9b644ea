"""Two daphne processes sharing one Redis channel layer, as in production:
chat, polls and presence cross between clients connected to different
processes (each process's hub holds one channel of the session's group)."""

from __future__ import annotations

import shutil

import pytest

from live.models import LiveEvent, Participant
from tests.live.conftest import live_cookie, live_ws_server, make_live_session, make_participant  # noqa: F401 (fixture)
from tests.support.live_server import AsgiServer
from tests.support.live_ws import LiveSocket, eventually

pytestmark = pytest.mark.integration


@pytest.fixture(params=["channels_redis.core.RedisChannelLayer", "channels_redis.pubsub.RedisPubSubChannelLayer"])
def two_servers(request, live_ws_server, redis_url):
    """Both Redis layers: the core one (config/settings/base.py today) and
    the pub/sub one (no per-process capacity; the hub reads its one channel
    at once, so pub/sub's unbounded buffer does not grow)."""
    layer = {"default": {"BACKEND": request.param, "CONFIG": {"hosts": [redis_url]}}}
    servers = []
    try:
        for _ in range(2):
            servers.append(AsgiServer(extra_settings={"CHANNEL_LAYERS": layer, "REDIS_URL": redis_url}).start())
        yield servers
    finally:
        for server in servers:
            server.stop()
            shutil.rmtree(server.directory, ignore_errors=True)


def test_chat_polls_and_presence_cross_processes(two_servers):
    one, two = two_servers
    session = make_live_session()
    trainer = make_participant(session, role=Participant.Role.STAFF, name="Tess")
    near = make_participant(session, name="Nia")  # on the trainer's process
    far = make_participant(session, name="Fred")  # on the other one
    staff_ws = LiveSocket(one.ws_url, session.pk, cookie=live_cookie(trainer))
    near_ws = LiveSocket(one.ws_url, session.pk, cookie=live_cookie(near))
    try:
        staff_ws.wait_for("welcome")
        near_ws.wait_for("welcome")
        far_ws = LiveSocket(two.ws_url, session.pk, cookie=live_cookie(far))
        welcome = far_ws.wait_for("welcome")
        assert {p["id"] for p in welcome["state"]["participants"]} == {trainer.pk, near.pk, far.pk}
        # Presence crosses from process two to process one.
        staff_ws.wait_for("presence.joined", where=lambda e: e["participant"]["id"] == far.pk)
        # Chat both ways.
        far_ws.send("chat.send", text="hello from two", client_id="f1")
        assert staff_ws.wait_for("chat.message", client_id="f1")["text"] == "hello from two"
        assert near_ws.wait_for("chat.message", client_id="f1")["author"]["name"] == "Fred"
        staff_ws.send("chat.send", text="hello from one", client_id="t1")
        assert far_ws.wait_for("chat.message", client_id="t1")["text"] == "hello from one"
        # Polls: opened on one, voted on both, results everywhere.
        staff_ws.send("poll.create", question="Ready?", options=["yes", "no"], client_id="p1")
        poll = staff_ws.wait_for("poll.created")["poll"]
        staff_ws.send("poll.open", poll_id=poll["id"])
        far_ws.wait_for("poll.opened")
        far_ws.send("poll.vote", poll_id=poll["id"], option=0)
        near_ws.send("poll.vote", poll_id=poll["id"], option=1)
        for ws in (staff_ws, near_ws, far_ws):
            results = ws.wait_for("poll.results", where=lambda e: e["total"] == 2)
            assert results["counts"] == [1, 1]
        # A direct event crosses too: private chat needs two staff, so a
        # report's receipt (direct) from process two, the staff event on one.
        far_ws.send("report.create", participant_id=near.pk, reason="test")
        far_ws.wait_for("report.received")
        staff_ws.wait_for("report.created")
        assert "report.created" not in near_ws.drain()
        # Leaving process two is seen on process one.
        far_ws.close()
        assert staff_ws.wait_for("presence.left", participant_id=far.pk)
        assert near_ws.wait_for("presence.left", participant_id=far.pk)
    finally:
        staff_ws.close()
        near_ws.close()
    assert eventually(lambda: not Participant.objects.exclude(channel_name="").exists())
    seqs = list(LiveEvent.objects.filter(session=session).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_the_socket_limit_holds_across_processes(two_servers):
    """A participant's sockets are counted in the database: two tabs on one
    process and one on the other fill the three places, a fourth is refused
    (4029) wherever it arrives, and closing one frees a place."""
    one, two = two_servers
    session = make_live_session()
    guest = make_participant(session)
    cookie = live_cookie(guest)
    tabs = [LiveSocket(server.ws_url, session.pk, cookie=cookie) for server in (one, two, one)]
    try:
        for tab in tabs:
            tab.wait_for("welcome")
        assert LiveSocket(two.ws_url, session.pk, cookie=cookie).closed_with() == 4029
        tabs.pop(0).close()
        assert eventually(lambda: Participant.objects.get(pk=guest.pk).connections.count() == 2)
        tabs.append(LiveSocket(two.ws_url, session.pk, cookie=cookie))
        tabs[-1].wait_for("welcome")
    finally:
        for tab in tabs:
            tab.close()
    assert eventually(lambda: not Participant.objects.exclude(channel_name="").exists())
