"""The live session websocket (docs/live-protocol.md is the contract).

Thin on purpose: the consumer decides whether a socket may stay (through
`live.room.socket_admission`), validates each frame (size, JSON, type,
fields, rate), calls the room service for it through
`database_sync_to_async` and publishes what the service recorded. Rules
live in live/room.py; delivery of events to this socket is the hub's job
(live/hub.py), so the consumer is not in the session's group itself.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import events, room
from .hub import JOINING, LOBBY, READY, batch_text, hub_for
from .room import RoomError

logger = logging.getLogger(__name__)

JSON = {"separators": (",", ":"), "ensure_ascii": False}
RTC_DATA_MAX_BYTES = 4096
POLL_QUESTION_MAX = 300
POLL_OPTION_MAX = 200
POLL_OPTIONS = (2, 10)


def _dumps(data: dict) -> str:
    return json.dumps(data, **JSON)


# --- Rate limits ----------------------------------------------------------------------


def parse_rate(text: str) -> tuple[int, float]:
    """"10/10s" → (10, 10.0); "30/m" and "5/s" are accepted too."""
    count, _, per = text.partition("/")
    units = {"s": 1, "m": 60, "h": 3600}
    per = per.strip() or "s"
    unit = per[-1] if per[-1] in units else "s"
    number = per[:-1] if per[-1] in units else per
    return int(count), float(number or 1) * units[unit]


class TokenBucket:
    """`capacity` requests at once, refilled at capacity per `period`."""

    def __init__(self, capacity: int, period: float, clock: Callable[[], float] = time.monotonic):
        self.capacity = capacity
        self.rate = capacity / period
        self.tokens = float(capacity)
        self.clock = clock
        self.at = clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


# --- Field validation ---------------------------------------------------------------------


class Invalid(Exception):
    def __init__(self, code: str, detail):
        super().__init__(code)
        self.code = code
        self.detail = detail


def _int(value, name):
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Invalid("invalid", _("A field is missing or has the wrong type."))
    return value


def _id(value, name):
    value = _int(value, name)
    if value < 1:
        raise Invalid("invalid", _("A field is missing or has the wrong type."))
    return value


def _nullable_id(value, name):
    return None if value is None else _id(value, name)


def _bool(value, name):
    if not isinstance(value, bool):
        raise Invalid("invalid", _("A field is missing or has the wrong type."))
    return value


def _text(value, name, *, limit=None, blank=False):
    if not isinstance(value, str):
        raise Invalid("invalid", _("A field is missing or has the wrong type."))
    if len(value) > (limit or settings.LIVE_MAX_TEXT_CHARS):
        raise Invalid("too_long", _("This text is too long."))
    if not blank and not value.strip():
        raise Invalid("invalid", _("Write something first."))
    return value


def _client_id(value, name):
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        raise Invalid("invalid", _("A field is missing or has the wrong type."))
    return value


def _reason(value, name):
    return _text(value, name, blank=True)


def _poll_question(value, name):
    return _text(value, name, limit=POLL_QUESTION_MAX)


def _options(value, name):
    if not isinstance(value, list) or not POLL_OPTIONS[0] <= len(value) <= POLL_OPTIONS[1]:
        raise Invalid("invalid", _("A poll has between 2 and 10 answers."))
    return [_text(option, name, limit=POLL_OPTION_MAX) for option in value]


def _rtc_data(value, name):
    if not isinstance(value, dict):
        raise Invalid("invalid", _("A field is missing or has the wrong type."))
    if len(_dumps(value).encode()) > RTC_DATA_MAX_BYTES:
        raise Invalid("too_long", _("This text is too long."))
    return value


REQUIRED, OPTIONAL = True, False

# type → {field: (validator, required)}, and the room service it calls
# (None: handled here). Service keyword arguments are the field names.
REQUESTS: dict[str, tuple[dict, Callable | None]] = {
    "ping": ({}, None),
    "sync": ({"since": (_int, REQUIRED)}, room.sync),
    "chat.send": ({"text": (_text, REQUIRED), "client_id": (_client_id, REQUIRED)}, room.chat_send),
    "chat.private": (
        {"to": (_id, REQUIRED), "text": (_text, REQUIRED), "client_id": (_client_id, REQUIRED)},
        room.chat_private,
    ),
    "chat.release": ({"message_id": (_id, REQUIRED)}, room.chat_release),
    "chat.reject": ({"message_id": (_id, REQUIRED)}, room.chat_reject),
    "chat.delete": ({"message_id": (_id, REQUIRED)}, room.chat_delete),
    "question.ask": ({"text": (_text, REQUIRED), "client_id": (_client_id, REQUIRED)}, room.question_ask),
    "question.upvote": ({"question_id": (_id, REQUIRED)}, room.question_upvote),
    "question.answer": ({"question_id": (_id, REQUIRED)}, room.question_answer),
    "question.spotlight": ({"question_id": (_nullable_id, OPTIONAL)}, room.question_spotlight),
    "hand.raise": ({}, room.hand_raise),
    "hand.lower": ({"participant_id": (_nullable_id, OPTIONAL)}, room.hand_lower),
    "poll.create": (
        {"question": (_poll_question, REQUIRED), "options": (_options, REQUIRED), "client_id": (_client_id, REQUIRED)},
        room.poll_create,
    ),
    "poll.open": ({"poll_id": (_id, REQUIRED)}, room.poll_open),
    "poll.close": ({"poll_id": (_id, REQUIRED)}, room.poll_close),
    "poll.vote": ({"poll_id": (_id, REQUIRED), "option": (_int, REQUIRED)}, room.poll_vote),
    "lobby.admit": ({"participant_id": (_id, REQUIRED)}, room.lobby_admit),
    "participant.mute": ({"participant_id": (_id, REQUIRED), "muted": (_bool, REQUIRED)}, room.participant_mute),
    "room.mute_chat": ({"muted": (_bool, REQUIRED)}, room.room_mute_chat),
    "participant.remove": ({"participant_id": (_id, REQUIRED)}, room.participant_remove),
    "room.lock": ({"locked": (_bool, REQUIRED)}, room.room_lock),
    "session.end": ({}, room.session_end),
    "report.create": (
        {"message_id": (_nullable_id, OPTIONAL), "participant_id": (_nullable_id, OPTIONAL), "reason": (_reason, OPTIONAL)},
        room.report_create,
    ),
    "rtc.join": ({}, room.rtc_join),
    "rtc.leave": ({}, room.rtc_leave),
    "rtc.signal": ({"to": (_id, REQUIRED), "data": (_rtc_data, REQUIRED)}, room.rtc_signal),
}
# Accepted while waiting in the lobby.
LOBBY_REQUESTS = frozenset({"ping", "report.create"})
# Not counted against LIVE_RATE_LIMIT: keep-alives and catch-up have their
# own generous bucket, WebRTC signalling (bursts of ICE candidates) another.
BUCKET_FOR = {"ping": "free", "sync": "sync", "rtc.signal": "signal"}


def validate(data: dict) -> dict:
    fields, _service = REQUESTS[data["type"]]
    values = {}
    for name, (check, required) in fields.items():
        if name not in data:
            if required:
                raise Invalid("invalid", _("A field is missing or has the wrong type."))
            continue
        values[name] = check(data[name], name)
    return values


# --- The consumer ---------------------------------------------------------------------------


class LiveConsumer(AsyncWebsocketConsumer):
    participant_id: int | None = None
    is_staff = False
    hub_state = LOBBY
    language = settings.LANGUAGE_CODE

    async def connect(self):
        self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        self.hub = None
        self.backlog = []
        self.closing = False
        # A close code exists only after the handshake: accept, then close
        # with the code when the socket may not stay (no frame is sent).
        await self.accept()
        admission = await database_sync_to_async(room.socket_admission)(
            session_id=self.session_id,
            django_session=self.scope.get("session"),
            user=self.scope.get("user"),
            channel_name=self.channel_name,
        )
        if admission.close_code:
            await self._close(admission.close_code)
            return
        self.participant_id = admission.participant_id
        self.is_staff = admission.is_staff
        self.language = admission.language
        count, period = parse_rate(settings.LIVE_RATE_LIMIT)
        self.buckets = {
            "main": TokenBucket(count, period),
            "sync": TokenBucket(count, period),
            "signal": TokenBucket(count * 20, period),
        }
        self.hub = hub_for(self.session_id)
        # Another open socket of the same participant (a second tab): the
        # room heard of them already.
        if admission.lobby:
            self.hub_state = LOBBY
            await self.hub.attach(self)
            await self._run(room.lobby_entered, {"announce": admission.first}, ref="connect")
        else:
            await self._join(announce=admission.first)

    async def _join(self, *, announce: bool) -> None:
        """Welcome an admitted participant: attach first (so nothing
        published meanwhile is lost), then build the welcome, then send what
        arrived after its `head`."""
        if self.hub is None or self.closing:
            return
        self.hub_state = JOINING
        self.backlog = []
        if self not in self.hub.consumers:
            await self.hub.attach(self)
        try:
            outcome = await database_sync_to_async(room.participant_joined)(
                actor_id=self.participant_id, announce=announce
            )
        except RoomError:
            await self._close(room.CLOSE_REMOVED)
            return
        if self.hub is None:
            # The socket closed while it was being admitted: its disconnect
            # ran first, so close the interval just opened (unless another
            # socket of the participant is open).
            await database_sync_to_async(room.attendance_close_unless_connected)(actor_id=self.participant_id)
            return
        await self._send_json(outcome.reply)
        head = outcome.reply["head"]
        later = [e.text for e in self.backlog if e.seq is None or e.seq > head]
        self.backlog = []
        self.hub_state = READY
        if later:
            await self.send(text_data=batch_text(later))
        await events.apublish(self.session_id, outcome.events)

    async def disconnect(self, code):
        if self.hub is not None:
            await self.hub.detach(self)
            self.hub = None
        if self.participant_id is not None:
            try:
                outcome = await database_sync_to_async(room.participant_left)(
                    actor_id=self.participant_id, channel_name=self.channel_name
                )
                await events.apublish(self.session_id, outcome.events)
            except Exception:
                logger.exception("live: leaving session %s failed", self.session_id)

    async def _close(self, code: int) -> None:
        if not self.closing:
            self.closing = True
            await self.close(code=code)

    # --- Messages from other processes and the hub ------------------------------------------

    async def on_control(self, kind: str, data: dict) -> None:
        if kind == "session.ended":
            await self._close(room.CLOSE_ENDED)
        elif kind == "participant.removed":
            await self._close(room.CLOSE_REMOVED)
        elif kind == "presence.joined" and self.hub_state == LOBBY:
            # Admitted from the lobby: welcome, and attendance starts. In a
            # task of its own: the hub's flusher must not wait for the
            # database.
            self.hub_state = JOINING
            self._joining = asyncio.create_task(self._join(announce=False))

    # --- Requests ------------------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if self.participant_id is None or self.closing:
            return
        if text_data is None:
            await self._error("invalid", _("Frames must be JSON text."), ref=None)
            return
        if len(text_data) > settings.LIVE_MAX_FRAME_BYTES or len(text_data.encode()) > settings.LIVE_MAX_FRAME_BYTES:
            if self.buckets["main"].take():
                await self._error("too_long", _("This message is too long."), ref=None)
            return
        try:
            data = json.loads(text_data)
        except ValueError:
            data = None
        kind = data.get("type") if isinstance(data, dict) else None
        if not isinstance(kind, str) or kind not in REQUESTS:
            if self.buckets["main"].take():
                await self._error("invalid", _("This request is not understood."), ref=kind if isinstance(kind, str) else None)
            return
        given = data.get("client_id")
        ref = given if isinstance(given, str) and 1 <= len(given) <= 64 else kind
        bucket = BUCKET_FOR.get(kind, "main")
        if bucket != "free" and not self.buckets[bucket].take():
            await self._error("rate_limited", _("You are sending too fast; wait a few seconds."), ref=ref)
            return
        if kind == "ping":
            await self.send(text_data='{"type":"pong"}')
            return
        if self.hub_state == LOBBY and kind not in LOBBY_REQUESTS:
            await self._error("not_admitted", room.NOT_ADMITTED, ref=ref)
            return
        try:
            values = validate(data)
        except Invalid as invalid:
            await self._error(invalid.code, invalid.detail, ref=ref)
            return
        outcome = await self._run(REQUESTS[kind][1], values, ref=ref)
        if kind == "poll.vote" and outcome is not None and self.hub is not None:
            self.hub.poll_results_soon(values["poll_id"])

    async def _run(self, service: Callable, values: dict, *, ref) -> room.Outcome | None:
        try:
            outcome = await database_sync_to_async(service)(actor_id=self.participant_id, **values)
        except RoomError as error:
            await self._error(error.code, error.detail, ref=ref)
            return None
        await events.apublish(self.session_id, outcome.events)
        for frame in [outcome.reply, *outcome.extra_replies]:
            if frame is not None:
                await self._send_json(frame)
        return outcome

    async def _send_json(self, data: dict) -> None:
        await self.send(text_data=_dumps(data))

    async def _error(self, code: str, detail, *, ref) -> None:
        with translation.override(self.language):
            text = str(detail)
        await self._send_json({"type": "error", "code": code, "detail": text, "ref": ref})
