"""The per-process fan-out of a live session's events.

Channels' usual pattern puts every consumer in the session's group: each
event is then one channel-layer message per socket, and channels-redis
drops group messages once a process's queue of 100 pending ones fills
(measured with stock Channels: p95 about 700 ms at 500 clients ×
5 messages/s on two cores; bench/README.md, "Live sessions"). Here each process holds ONE channel per session
in the group; a `SessionHub` reads it and hands every event to the local
sockets that may see it (`Outgoing.visible_to`):

- the event's JSON text was built once by the publisher (live/events.py);
  the hub never serialises per socket;
- everything pending when the flusher runs goes out as one frame per socket
  (`batch {events}` when there is more than one event), its text built once
  per audience class (everyone / staff) and only for the sockets at the two
  ends of a direct event on their own;
- flushes are spaced by a tick that grows with the number of local sockets
  (at most FRAMES_PER_SECOND frames a second in total), so a busy room gets
  bigger batches instead of more frames, while an event that comes after a
  quiet spell goes out at once (after FLUSH_MIN_SECONDS, to gather what
  arrived together);
- every LIVE_HEARTBEAT_SECONDS one database call refreshes the attendance
  (and the sign of life) of all the sockets this process holds;
- `poll.results` are coalesced: at most one per poll per second per process,
  counted with one aggregate query.

A few events also concern one socket's own participant (`CONTROL_TYPES`):
the hub tells that consumer (admitted from the lobby, removed, the session
ended). When the last local socket leaves, the hub leaves the group and
stops its tasks.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import TYPE_CHECKING

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from . import attendance, events
from .events import Outgoing

if TYPE_CHECKING:
    from .consumers import LiveConsumer

logger = logging.getLogger(__name__)

# The least time between two flushes: long enough that the local sockets
# get at most FRAMES_PER_SECOND frames a second in total (50 sockets: 10 ms;
# 500 sockets: 100 ms), within [FLUSH_MIN_SECONDS, FLUSH_MAX_SECONDS].
FLUSH_MIN_SECONDS = 0.002
FLUSH_MAX_SECONDS = 0.1
FRAMES_PER_SECOND = 5000
POLL_RESULTS_EVERY_SECONDS = 1.0

# Events a consumer acts on when they name its own participant.
CONTROL_TYPES = frozenset({"presence.joined", "participant.removed", "session.ended"})

# Consumer states, as the hub sees them.
LOBBY = "lobby"  # gets only direct events addressed to it
JOINING = "joining"  # welcome being built: events are kept for after it
READY = "ready"  # admitted: gets everything it may see

_hubs: dict[tuple[int, int], SessionHub] = {}


def event_type(text: str) -> str:
    """The `type` of an event's JSON text without parsing it: live/events.py
    always writes `{"type":"...",` first."""
    if text.startswith('{"type":"'):
        end = text.find('"', 9)
        if end > 0:
            return text[9:end]
    return json.loads(text).get("type", "")


def batch_text(texts: list[str]) -> str:
    if len(texts) == 1:
        return texts[0]
    return '{"type":"batch","events":[' + ",".join(texts) + "]}"


def hub_for(session_id: int) -> SessionHub:
    """This process's hub of a session (one per event loop: tests run
    several loops in one process)."""
    key = (id(asyncio.get_running_loop()), session_id)
    hub = _hubs.get(key)
    if hub is None:
        hub = _hubs[key] = SessionHub(session_id, key)
    return hub


def hubs() -> list[SessionHub]:
    return list(_hubs.values())


class SessionHub:
    def __init__(self, session_id: int, key: tuple[int, int]):
        self.session_id = session_id
        self.key = key
        self.layer = get_channel_layer()
        self.consumers: set[LiveConsumer] = set()
        self.channel: str | None = None
        self.pending: list[Outgoing] = []
        self.wake = asyncio.Event()
        self.tasks: list[asyncio.Task] = []
        self.started: asyncio.Future | None = None
        self.poll_last: dict[int, float] = {}
        self.poll_tasks: dict[int, asyncio.Task] = {}

    # --- Membership ---------------------------------------------------------------

    async def attach(self, consumer: LiveConsumer) -> None:
        self.consumers.add(consumer)
        if self.started is None:
            self.started = asyncio.get_running_loop().create_future()
            try:
                self.channel = await self.layer.new_channel()
                await self.layer.group_add(events.group_name(self.session_id), self.channel)
                self.tasks = [
                    asyncio.create_task(self._read(), name=f"live-hub-read-{self.session_id}"),
                    asyncio.create_task(self._flush_forever(), name=f"live-hub-flush-{self.session_id}"),
                    asyncio.create_task(self._heartbeat(), name=f"live-hub-heartbeat-{self.session_id}"),
                ]
                self.started.set_result(True)
            except BaseException as error:
                self.started.set_exception(error)
                self._forget()
                raise
        else:
            await asyncio.shield(self.started)

    async def detach(self, consumer: LiveConsumer) -> None:
        self.consumers.discard(consumer)
        if self.consumers:
            return
        self._forget()
        for task in self.tasks:
            task.cancel()
        self.tasks = []
        if self.channel is not None:
            try:
                await self.layer.group_discard(events.group_name(self.session_id), self.channel)
            except Exception:  # the layer may be gone at shutdown; the group entry expires
                logger.warning("live hub %s: group_discard failed", self.session_id, exc_info=True)

    def _forget(self) -> None:
        if _hubs.get(self.key) is self:
            del _hubs[self.key]

    # --- Reading and fanning out --------------------------------------------------------

    async def _read(self) -> None:
        while True:
            message = await self.layer.receive(self.channel)
            if message.get("type") != events.GROUP_MESSAGE_TYPE:
                continue
            self.pending.extend(Outgoing.from_message(item) for item in message["events"])
            self.wake.set()

    def _tick(self) -> float:
        return min(FLUSH_MAX_SECONDS, max(FLUSH_MIN_SECONDS, len(self.consumers) / FRAMES_PER_SECOND))

    async def _flush_forever(self) -> None:
        loop = asyncio.get_running_loop()
        last = 0.0
        while True:
            await self.wake.wait()
            await asyncio.sleep(max(FLUSH_MIN_SECONDS, last + self._tick() - loop.time()))
            last = loop.time()
            self.wake.clear()
            pending, self.pending = self.pending, []
            if pending:
                try:
                    await self.deliver(pending)
                except Exception:
                    logger.exception("live hub %s: delivery failed", self.session_id)

    async def deliver(self, pending: list[Outgoing]) -> None:
        """Send `pending` (oldest first) to every local socket that may see
        it, one frame each."""
        everyone: list[str] = []
        staff: list[str] = []
        direct: set[int] = set()
        controls: list[tuple[str, dict]] = []
        for event in pending:
            if event.audience == "all":
                everyone.append(event.text)
                staff.append(event.text)
            elif event.audience == "staff":
                staff.append(event.text)
            else:
                direct.update(i for i in (event.to_participant_id, event.from_participant_id) if i is not None)
            kind = event_type(event.text)
            if kind in CONTROL_TYPES:
                controls.append((kind, json.loads(event.text)))
        frames = {False: batch_text(everyone) if everyone else "", True: batch_text(staff) if staff else ""}
        for consumer in list(self.consumers):
            pid, is_staff, state = consumer.participant_id, consumer.is_staff, consumer.hub_state
            if state == READY:
                if pid in direct:
                    texts = [e.text for e in pending if e.visible_to(participant_id=pid, is_staff=is_staff)]
                    text = batch_text(texts) if texts else ""
                else:
                    text = frames[is_staff]
            elif state == JOINING:
                consumer.backlog.extend(e for e in pending if e.visible_to(participant_id=pid, is_staff=is_staff))
                continue
            else:
                texts = [e.text for e in pending if e.audience == "direct" and e.to_participant_id == pid]
                text = batch_text(texts) if texts else ""
            if text:
                try:
                    await consumer.send(text_data=text)
                except Exception:  # the socket is closing; its disconnect detaches it
                    logger.debug("live hub %s: send to %s failed", self.session_id, pid, exc_info=True)
        for kind, data in controls:
            await self._control(kind, data)

    async def _control(self, kind: str, data: dict) -> None:
        if kind == "session.ended":
            targets = list(self.consumers)
        elif kind == "participant.removed":
            targets = [c for c in self.consumers if c.participant_id == data.get("participant_id")]
        else:  # presence.joined: matters to a socket waiting in the lobby
            pid = (data.get("participant") or {}).get("id")
            targets = [c for c in self.consumers if c.participant_id == pid and c.hub_state == LOBBY]
        for consumer in targets:
            await consumer.on_control(kind, data)

    # --- Attendance heartbeat --------------------------------------------------------------

    def connected_ids(self) -> list[int]:
        """Every local socket's participant, the lobby included: its
        `last_seen_at` shows that this process is alive (live/housekeeping.py);
        only admitted ones have an attendance interval to refresh."""
        return sorted({c.participant_id for c in self.consumers if c.participant_id is not None})

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(settings.LIVE_HEARTBEAT_SECONDS)
            ids = self.connected_ids()
            if ids:
                channels = [c.channel_name for c in self.consumers if c.participant_id is not None]
                try:
                    await database_sync_to_async(attendance.intervals_heartbeat)(ids, channel_names=channels)
                except Exception:
                    logger.exception("live hub %s: heartbeat failed", self.session_id)

    # --- Poll results, coalesced ---------------------------------------------------------

    def poll_results_soon(self, poll_id: int) -> None:
        """Publish the poll's counts within a second: at most one
        `poll.results` per poll per second from this process, however many
        votes arrive."""
        if poll_id in self.poll_tasks:
            return
        wait = max(0.0, self.poll_last.get(poll_id, -1e9) + POLL_RESULTS_EVERY_SECONDS - time.monotonic())
        self.poll_tasks[poll_id] = asyncio.create_task(self._poll_results(poll_id, wait))

    async def _poll_results(self, poll_id: int, wait: float) -> None:
        from .room import poll_results

        try:
            await asyncio.sleep(wait)
        finally:
            # Votes committed from here on schedule the next publication;
            # those committed before are in the count read below.
            self.poll_tasks.pop(poll_id, None)
        self.poll_last[poll_id] = time.monotonic()
        try:
            outcome = await database_sync_to_async(poll_results)(poll_id=poll_id)
            await events.apublish(self.session_id, outcome.events)
        except Exception:
            logger.exception("live hub %s: poll results failed", self.session_id)
