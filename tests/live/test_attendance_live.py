"""Attendance recorded from the websocket lifecycle: a reconnect within the
grace period continues the interval, the hub's heartbeat keeps intervals
alive in one call, and a server process killed mid-session still leaves
closed intervals once `live_housekeeping` runs."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import time

import pytest
from django.core.management import call_command

from live import hub as live_hub
from live.models import AttendanceInterval, LiveEvent, Participant
from tests.live.conftest import live_cookie, make_live_session, make_participant
from tests.support.live_server import AsgiServer
from tests.support.live_ws import LiveSocket, eventually


@pytest.mark.integration
def test_reconnect_within_the_grace_period_is_one_interval(live_ws_server):
    session = make_live_session()
    guest = make_participant(session)
    cookie = live_cookie(guest)
    for _ in range(2):
        with LiveSocket(live_ws_server.ws_url, session.pk, cookie=cookie) as ws:
            ws.wait_for("welcome")
        assert eventually(lambda: AttendanceInterval.objects.filter(ended_at__isnull=False).exists())
    assert eventually(lambda: not Participant.objects.exclude(channel_name="").exists())
    interval = AttendanceInterval.objects.get(participant=guest)
    assert interval.closed_by == AttendanceInterval.ClosedBy.DISCONNECT
    assert interval.ended_at > interval.started_at


@pytest.mark.integration
def test_killed_server_process_leaves_closed_intervals_after_housekeeping(live_ws_server, settings):
    """A separate daphne (never the shared one) with a one-second heartbeat
    and grace period, killed with SIGKILL while two people are in the room."""
    fast = {"LIVE_HEARTBEAT_SECONDS": 1, "LIVE_ATTENDANCE_GRACE_SECONDS": 1}
    settings.LIVE_HEARTBEAT_SECONDS = 1
    settings.LIVE_ATTENDANCE_GRACE_SECONDS = 1
    session = make_live_session()
    trainer = make_participant(session, role=Participant.Role.STAFF)
    guest = make_participant(session)
    doomed = AsgiServer(extra_settings=fast).start()
    try:
        sockets = [LiveSocket(doomed.ws_url, session.pk, cookie=live_cookie(p)) for p in (trainer, guest)]
        for ws in sockets:
            ws.wait_for("welcome")
        started = AttendanceInterval.objects.get(participant=guest).started_at
        # The hub's heartbeat moves last_seen_at while the process lives.
        assert eventually(lambda: AttendanceInterval.objects.get(participant=guest).last_seen_at > started, timeout=10)
        os.kill(doomed.process.pid, signal.SIGKILL)
        doomed.process.join(10)
        assert not doomed.process.is_alive()
        for ws in sockets:
            ws.ws.close_timeout = 0.1
            ws.close()
        assert AttendanceInterval.objects.filter(ended_at__isnull=True).count() == 2
        assert Participant.objects.exclude(channel_name="").count() == 2
        last_seen = {i.participant_id: i.last_seen_at for i in AttendanceInterval.objects.all()}
        time.sleep(3.5)  # past two missed heartbeats and the grace period
        call_command("live_housekeeping", verbosity=0)
    finally:
        doomed.stop()
        shutil.rmtree(doomed.directory, ignore_errors=True)
    intervals = list(AttendanceInterval.objects.all())
    assert len(intervals) == 2
    for interval in intervals:
        assert interval.closed_by == AttendanceInterval.ClosedBy.HEARTBEAT
        assert interval.ended_at == last_seen[interval.participant_id]
    assert not Participant.objects.exclude(channel_name="").exists()
    left = sorted(e.payload["participant_id"] for e in LiveEvent.objects.filter(type="presence.left"))
    assert left == sorted([trainer.pk, guest.pk])


class _FakeConsumer:
    def __init__(self, participant_id, state=live_hub.READY):
        self.participant_id = participant_id
        self.channel_name = f"here!{participant_id}"
        self.is_staff = False
        self.hub_state = state
        self.backlog = []
        self.sent = []

    async def send(self, text_data):
        self.sent.append(text_data)


def test_hub_heartbeat_refreshes_every_local_socket_in_one_call(monkeypatch, settings):
    settings.LIVE_HEARTBEAT_SECONDS = 0.01
    calls = []
    monkeypatch.setattr(
        live_hub.attendance, "intervals_heartbeat",
        lambda ids, channel_names=(): calls.append((list(ids), sorted(channel_names))),
    )
    monkeypatch.setattr(live_hub, "database_sync_to_async", lambda f: _as_async(f))

    async def scenario():
        hub = live_hub.hub_for(99)
        consumers = [_FakeConsumer(1), _FakeConsumer(2), _FakeConsumer(3, state=live_hub.LOBBY)]
        for consumer in consumers:
            await hub.attach(consumer)
        await asyncio.sleep(0.05)
        for consumer in consumers:
            await hub.detach(consumer)
        assert not hub.tasks and live_hub.hubs() == []

    asyncio.run(scenario())
    # Each socket's own connection too (live/housekeeping.py tells a dead
    # process's sockets by it).
    channels = ["here!1", "here!2", "here!3"]
    assert calls and all(call == ([1, 2, 3], channels) for call in calls)


def _as_async(function):
    async def call(*args, **kwargs):
        return function(*args, **kwargs)

    return call
