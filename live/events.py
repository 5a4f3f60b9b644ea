"""Numbered, persisted broadcast events of a live session.

Every broadcast is first a `LiveEvent` row with the session's next `seq`
(taken with one `UPDATE ... RETURNING` inside the caller's transaction, so
seqs are unique, increasing and never reused), then, after the transaction
commits, a message to the session's channel-layer group. Delivery is at most
once; a client that reconnects sends `sync {since}` and gets the rows it
missed (`events_since`). Ephemeral traffic (WebRTC signalling) is sent with
`ephemeral_send` and never stored.

Wire form of an event (what a client receives):
    {"type": <type>, "seq": <seq>, "at": <ISO 8601>, **payload}

The group message carries the already-serialised JSON text of each event,
so each process serialises once and fans out the same string to all its
local sockets (live/hub.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction
from django.db.models import Q

from .models import LiveEvent, Participant

GROUP_MESSAGE_TYPE = "live.events"


def group_name(session_id: int) -> str:
    return f"live.{session_id}"


@dataclass(frozen=True)
class Outgoing:
    """An event as it travels: who may see it and its JSON text."""

    seq: int | None
    audience: str
    to_participant_id: int | None
    from_participant_id: int | None
    text: str

    def as_message(self) -> list:
        return [self.seq, self.audience, self.to_participant_id, self.from_participant_id, self.text]

    @classmethod
    def from_message(cls, item: list) -> Outgoing:
        return cls(*item)

    def visible_to(self, *, participant_id: int, is_staff: bool) -> bool:
        if self.audience == LiveEvent.Audience.ALL:
            return True
        if self.audience == LiveEvent.Audience.STAFF:
            return is_staff
        return participant_id in (self.to_participant_id, self.from_participant_id)


def seq_next(session_id: int) -> int:
    """The session's next sequence number. Must run inside the transaction
    that writes the event: the row lock orders concurrent writers."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE live_livesession SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq", [session_id]
        )
        row = cursor.fetchone()
    if row is None:
        raise LookupError(f"live session {session_id} does not exist")
    return row[0]


def event_wire(event: LiveEvent) -> dict:
    return {"type": event.type, "seq": event.seq, "at": event.created_at.isoformat(), **event.payload}


def event_record(
    session_id: int,
    type: str,
    payload: dict,
    *,
    audience: str = LiveEvent.Audience.ALL,
    to_participant_id: int | None = None,
    from_participant_id: int | None = None,
) -> LiveEvent:
    """Store one event with the next seq. Call inside `transaction.atomic`;
    publish the returned events after commit (`publish` / `apublish`)."""
    assert transaction.get_connection().in_atomic_block, "event_record needs a transaction"
    return LiveEvent.objects.create(
        session_id=session_id,
        seq=seq_next(session_id),
        type=type,
        audience=audience,
        to_participant_id=to_participant_id,
        from_participant_id=from_participant_id,
        payload=payload,
    )


def outgoing(event: LiveEvent) -> Outgoing:
    return Outgoing(
        seq=event.seq,
        audience=event.audience,
        to_participant_id=event.to_participant_id,
        from_participant_id=event.from_participant_id,
        text=json.dumps(event_wire(event), separators=(",", ":"), ensure_ascii=False),
    )


def _group_message(events: Iterable[LiveEvent | Outgoing]) -> dict:
    return {
        "type": GROUP_MESSAGE_TYPE,
        "events": [(e if isinstance(e, Outgoing) else outgoing(e)).as_message() for e in events],
    }


async def apublish(session_id: int, events: Iterable[LiveEvent | Outgoing]) -> None:
    """Send committed events to every process serving the session."""
    message = _group_message(events)
    if message["events"]:
        await get_channel_layer().group_send(group_name(session_id), message)


def publish(session_id: int, events: Iterable[LiveEvent | Outgoing]) -> None:
    """From synchronous code (views, tasks): send after the current
    transaction commits (at once when there is none)."""
    message = _group_message(events)
    if message["events"]:
        transaction.on_commit(lambda: async_to_sync(get_channel_layer().group_send)(group_name(session_id), message))


def ephemeral(type: str, payload: dict, *, to_participant_id: int, from_participant_id: int | None = None) -> Outgoing:
    """A direct, unnumbered, unstored event (WebRTC signalling). Without
    `from_participant_id` only the recipient sees it: a relayed signal must
    not echo back to its sender (a direct event is visible to both ends)."""
    text = json.dumps({"type": type, **payload}, separators=(",", ":"), ensure_ascii=False)
    return Outgoing(None, LiveEvent.Audience.DIRECT, to_participant_id, from_participant_id, text)


def visible_events(session_id: int, participant: Participant):
    """The events `participant` may see, as a queryset."""
    query = Q(audience=LiveEvent.Audience.ALL) | Q(to_participant=participant) | Q(from_participant=participant, audience=LiveEvent.Audience.DIRECT)
    if participant.is_staff:
        query |= Q(audience=LiveEvent.Audience.STAFF)
    return LiveEvent.objects.filter(session_id=session_id).filter(query)


def events_since(session_id: int, participant: Participant, since: int, *, limit: int) -> tuple[list[dict], bool]:
    """What `participant` missed after `since`: (wire events, complete).
    `complete` is False when more than `limit` are missing: the client then
    reloads the room's state instead of replaying."""
    rows = list(visible_events(session_id, participant).filter(seq__gt=since).order_by("seq")[: limit + 1])
    return [event_wire(e) for e in rows[:limit]], len(rows) <= limit
