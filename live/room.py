"""Room services: what a request on the live websocket does
(docs/live-protocol.md, "Requests").

Each service is a synchronous function the consumer calls through
`database_sync_to_async`. It runs in one transaction, checks the actor's
right to act (here, not only in the consumer), writes the room's rows and
records the events with `live.events.event_record`, and returns an
`Outcome`: the events for the consumer to publish after the commit and,
sometimes, a frame for the sender alone (a retried `chat.send`, `welcome`,
`sync.result`). A refusal is a `RoomError(code, detail)`, which the consumer
sends as an `error` frame; nothing is written then.

Services take ids, not model instances: the consumer holds no rows, so a
change made through another process (a mute, a removal) is always seen.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import attendance, events, rtc
from .events import Outgoing, event_record
from .models import ChatMessage, Connection, LiveEvent, LiveSession, Participant, Poll, PollVote, Question, QuestionUpvote, Report
from .wordlist import wordlist_match

ALL = LiveEvent.Audience.ALL
STAFF = LiveEvent.Audience.STAFF
DIRECT = LiveEvent.Audience.DIRECT

CHAT_HISTORY = 100
PRIVATE_HISTORY = 50
REPORT_CONTEXT = 10
SYNC_LIMIT = 500


class RoomError(Exception):
    """A refused request: `code` from the protocol's error table, `detail`
    a (lazy) translatable sentence for the person."""

    def __init__(self, code: str, detail: str | Promise):
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass
class Outcome:
    """What a service did: events to publish after the commit, and a frame
    (a dict) for the sender only."""

    events: list[LiveEvent | Outgoing] = field(default_factory=list)
    reply: dict | None = None
    extra_replies: list[dict] = field(default_factory=list)


# --- Wire forms -------------------------------------------------------------


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def participant_wire(p: Participant) -> dict:
    return {
        "id": p.pk,
        "name": p.display_name,
        "role": p.role,
        "hand_raised_at": _iso(p.hand_raised_at),
        "video_on": p.video_on,
        "muted": p.muted,
    }


def _author(p: Participant) -> dict:
    return {"id": p.pk, "name": p.display_name, "role": p.role}


def message_wire(m: ChatMessage, author: Participant | None = None) -> dict:
    data = {
        "id": m.pk,
        "author": _author(author or m.author),
        "text": m.text,
        "client_id": m.client_id,
        "at": _iso(m.created_at),
    }
    if m.status == ChatMessage.Status.HELD:
        data["status"] = m.status
        data["held_reason"] = m.held_reason
    return data


def private_wire(m: ChatMessage) -> dict:
    return {**message_wire(m), "to": m.recipient_id}


def question_wire(q: Question, author: Participant | None = None, *, upvoted: bool = False) -> dict:
    return {
        "id": q.pk,
        "author": _author(author or q.author),
        "text": q.text,
        "client_id": q.client_id,
        "upvotes": q.upvote_count,
        "answered": q.answered_at is not None,
        "at": _iso(q.created_at),
    }


def poll_wire(poll: Poll, counts: list[int] | None = None) -> dict:
    counts = counts if counts is not None else [0] * len(poll.options)
    return {
        "id": poll.pk,
        "question": poll.question,
        "options": poll.options,
        "status": poll.status,
        "counts": counts,
        "total": sum(counts),
    }


def session_wire(s: LiveSession) -> dict:
    video: dict = {"provider": s.provider}
    if s.provider == LiveSession.Provider.WEBRTC:
        video.update(max_video=settings.LIVE_WEBRTC_MAX_VIDEO, ice_servers=settings.LIVE_ICE_SERVERS)
    elif s.provider == LiveSession.Provider.NONE:
        video["stream_url"] = s.stream_url
    return {
        "id": s.pk,
        "title": s.title,
        "audience": s.audience,
        "is_youth": s.is_youth,
        "locked": s.locked,
        "chat_muted": s.chat_muted,
        "guest_lobby": s.guest_lobby,
        "starts_at": _iso(s.starts_at),
        "ends_at": _iso(s.ends_at),
        "provider": s.provider,
        "video": video,
    }


def you_wire(p: Participant) -> dict:
    return {"id": p.pk, "name": p.display_name, "role": p.role, "status": p.status, "muted": p.muted}


# --- Helpers ------------------------------------------------------------------

NOT_ADMITTED = _("You are waiting for a trainer to let you in.")
FORBIDDEN_STAFF = _("Only the session's trainers can do this.")


def _actor(actor_id: int, *, admitted: bool = True, staff: bool = False, lock: bool = False) -> Participant:
    """The participant acting, with their session, after the common checks."""
    query = Participant.objects.select_related("session")
    if lock:
        query = query.select_for_update(of=("self",))
    actor = query.filter(pk=actor_id).first()
    if actor is None or actor.status == Participant.Status.REMOVED:
        raise RoomError("forbidden", _("You are no longer in this session."))
    if actor.session.status == LiveSession.Status.ENDED:
        raise RoomError("forbidden", _("This session has ended."))
    if admitted and actor.status != Participant.Status.ADMITTED:
        raise RoomError("not_admitted", NOT_ADMITTED)
    if staff and not actor.is_staff:
        raise RoomError("forbidden", FORBIDDEN_STAFF)
    return actor


def _other(actor: Participant, participant_id: int, *, lock: bool = False) -> Participant:
    query = Participant.objects.filter(pk=participant_id, session_id=actor.session_id)
    if lock:
        query = query.select_for_update()
    other = query.first()
    if other is None:
        raise RoomError("not_found", _("This person is not in this session."))
    return other


def _message(actor: Participant, message_id: int, *, lock: bool = True) -> ChatMessage:
    query = ChatMessage.objects.select_related("author").filter(pk=message_id, session_id=actor.session_id)
    if lock:
        query = query.select_for_update(of=("self",))
    message = query.first()
    if message is None:
        raise RoomError("not_found", _("This message is not in this session."))
    return message


def _record(session_id: int, type: str, payload: dict, **kwargs) -> LiveEvent:
    return event_record(session_id, type, payload, **kwargs)


def staff_connected_count(session_id: int) -> int:
    return Participant.objects.filter(
        session_id=session_id, role=Participant.Role.STAFF, status=Participant.Status.ADMITTED
    ).exclude(channel_name="").count()


# --- Connecting -----------------------------------------------------------------

# Close codes (docs/live-protocol.md, "Connecting").
CLOSE_NO_PARTICIPANT = 4001
CLOSE_REMOVED = 4003
CLOSE_NOT_FOUND = 4004
CLOSE_ENDED = 4010
CLOSE_LOCKED = 4023
CLOSE_TOO_MANY_SOCKETS = 4029


def max_sockets() -> int:
    """Open sockets one participant may have at once (tabs, windows):
    the LIVE_MAX_SOCKETS_PER_PARTICIPANT setting, else the environment
    variable of that name, else 3; at least 1."""
    value = getattr(settings, "LIVE_MAX_SOCKETS_PER_PARTICIPANT", None)
    if value is None:
        value = os.environ.get("LIVE_MAX_SOCKETS_PER_PARTICIPANT", "").strip() or 3
    return max(1, int(value))


@dataclass
class Admission:
    """Who a new socket is, or the code it is closed with."""

    close_code: int | None = None
    participant_id: int | None = None
    is_staff: bool = False
    language: str = settings.LANGUAGE_CODE
    lobby: bool = False
    # The participant's first open socket: only then is their arrival
    # announced (`presence.joined`, `lobby.entered`).
    first: bool = False


def socket_admission(*, session_id: int, django_session, user, channel_name: str) -> Admission:
    """Decide whether a socket may stay, and if so record it as one of the
    participant's connections (at most `max_sockets()`; the participant row
    is locked, so concurrent sockets on any process are counted in turn)."""
    from .identity import participant_from_session

    session = LiveSession.objects.filter(pk=session_id).first()
    if session is None:
        return Admission(close_code=CLOSE_NOT_FOUND)
    if session.status == LiveSession.Status.ENDED:
        return Admission(close_code=CLOSE_ENDED)
    participant = participant_from_session(session, django_session, user)
    if participant is None:
        return Admission(close_code=CLOSE_NO_PARTICIPANT)
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        if participant.status == Participant.Status.REMOVED:
            return Admission(close_code=CLOSE_REMOVED)
        if participant.status == Participant.Status.LOBBY and _enters_directly(session, participant):
            participant.status = Participant.Status.ADMITTED
        if session.locked and participant.status != Participant.Status.ADMITTED:
            return Admission(close_code=CLOSE_LOCKED)
        already = participant.connections.count()
        if already >= max_sockets():
            return Admission(close_code=CLOSE_TOO_MANY_SOCKETS)
        now = timezone.now()
        Connection.objects.create(participant=participant, channel_name=channel_name, opened_at=now, last_seen_at=now)
        participant.channel_name = channel_name
        participant.last_seen_at = now
        participant.save(update_fields=["status", "channel_name", "last_seen_at"])
    language = session.language
    if participant.user_id is not None:
        language = getattr(user, "preferred_language", "") or language
    return Admission(
        participant_id=participant.pk,
        is_staff=participant.is_staff,
        language=language,
        lobby=participant.status == Participant.Status.LOBBY,
        first=already == 0,
    )


def _enters_directly(session: LiveSession, participant: Participant) -> bool:
    """Staff never wait; others wait when the lobby is on, and guests of a
    session with young people always do (the two-staff rule is checked on
    admission), as do guests of a session where someone was removed."""
    if participant.is_staff:
        return True
    if participant.role == Participant.Role.GUEST and (session.is_youth or session.guest_lobby):
        return False
    return not session.lobby_enabled


@transaction.atomic
def participant_joined(*, actor_id: int, announce: bool = True) -> Outcome:
    """An admitted participant's socket is ready: attendance opens (or
    continues within the grace period), everyone sees them arrive (unless
    `lobby_admit` already said so, or another of their sockets is open:
    `announce` is `Admission.first`), and the sender gets `welcome`.

    The participant row is locked first (as `socket_admission` does): two
    sockets of one participant joining at once on two processes would
    otherwise both find no interval and both open one."""
    actor = _actor(actor_id, lock=True)
    attendance.interval_open(actor)
    recorded = []
    if announce:
        recorded.append(_record(actor.session_id, "presence.joined", {"participant": participant_wire(actor)}))
    return Outcome(events=recorded, reply=welcome(actor))


@transaction.atomic
def lobby_entered(*, actor_id: int, announce: bool = True) -> Outcome:
    """A waiting participant's socket is ready; staff hear of it for their
    first socket only (`announce` is `Admission.first`)."""
    actor = _actor(actor_id, admitted=False)
    if actor.status != Participant.Status.LOBBY:
        raise RoomError("conflict", _("You are already in the room."))
    recorded = []
    if announce:
        recorded.append(
            _record(actor.session_id, "lobby.entered", {"participant": participant_wire(actor)}, audience=STAFF)
        )
    return Outcome(events=recorded, reply={"type": "lobby.waiting", "you": you_wire(actor)})


@transaction.atomic
def attendance_close_unless_connected(*, actor_id: int) -> None:
    """A socket closed while it was being welcomed (its `participant_left`
    ran before `participant_joined` opened attendance): close the interval
    again unless another socket of the participant is open."""
    if not Participant.objects.select_for_update().filter(pk=actor_id).exists():
        return
    if not Connection.objects.filter(participant_id=actor_id).exists():
        attendance.interval_close(actor_id, closed_by=attendance.AttendanceInterval.ClosedBy.DISCONNECT)


@transaction.atomic
def participant_left(*, actor_id: int, channel_name: str, stale_before: dt.datetime | None = None) -> Outcome:
    """The socket `channel_name` is gone: the one way out of a room, for a
    socket that closed (the consumer's `disconnect`) and for one whose
    server process died (`live.housekeeping.connections_close_stale`, with
    `stale_before`). Its `Connection` is deleted. While another socket of
    the participant is open nothing else happens. With the last one gone the
    participant is no longer connected: attendance closes, a camera frees
    its place (`rtc.left`), the room hears `presence.left` (staff hear
    `lobby.left` for someone who was waiting) and, in a session with young
    people, staff hear `staff.warning` when fewer than two staff remain.

    Nothing happens either when the socket is not (or no longer) recorded,
    or, with `stale_before`, when its process was seen since then (a
    heartbeat arrived meanwhile). With `stale_before` attendance closes at
    the last heartbeat, not now."""
    # The participant row first, as `socket_admission` does: sockets of one
    # participant opening and closing are counted one after the other.
    if not Participant.objects.select_for_update().filter(pk=actor_id).exists():
        return Outcome()
    gone = Connection.objects.filter(participant_id=actor_id, channel_name=channel_name)
    if stale_before is not None:
        gone = gone.filter(last_seen_at__lt=stale_before)
    if not gone.delete()[0]:
        return Outcome()
    latest = Connection.objects.filter(participant_id=actor_id).order_by("-opened_at", "-pk").first()
    if latest is not None:
        Participant.objects.filter(pk=actor_id).update(channel_name=latest.channel_name)
        return Outcome()
    Participant.objects.filter(pk=actor_id).update(channel_name="")
    actor = Participant.objects.select_related("session").get(pk=actor_id)
    if stale_before is None:
        attendance.interval_close(actor_id, closed_by=attendance.AttendanceInterval.ClosedBy.DISCONNECT)
    else:
        attendance.interval_close_at_last_heartbeat(actor_id)
    session = actor.session
    if session.status == LiveSession.Status.ENDED:
        return Outcome()
    recorded = []
    if actor.video_on:
        # A camera whose socket is gone frees its place in the video room.
        Participant.objects.filter(pk=actor.pk).update(video_on=False)
        recorded.append(_record(session.pk, "rtc.left", {"participant_id": actor.pk}))
    if actor.status == Participant.Status.ADMITTED:
        recorded.append(_record(session.pk, "presence.left", {"participant_id": actor.pk}))
    elif actor.status == Participant.Status.LOBBY:
        recorded.append(_record(session.pk, "lobby.left", {"participant_id": actor.pk}, audience=STAFF))
    if actor.is_staff and session.is_youth:
        present = staff_connected_count(session.pk)
        if present < 2:
            recorded.append(
                _record(session.pk, "staff.warning", {"code": "one_staff", "staff_present": present}, audience=STAFF)
            )
    return Outcome(events=recorded)


# --- The room's state (welcome) ---------------------------------------------------


def room_state(session: LiveSession, viewer: Participant) -> dict:
    """The room as `viewer` may see it, in a constant number of queries
    whatever the number of participants, messages, questions or polls."""
    people = list(
        Participant.objects.filter(session=session)
        .filter(
            Q(status=Participant.Status.ADMITTED) & ~Q(channel_name="")
            | Q(status=Participant.Status.LOBBY) & ~Q(channel_name="")
        )
        .order_by("created_at", "pk")
    )
    present = [p for p in people if p.status == Participant.Status.ADMITTED]
    chat = list(
        ChatMessage.objects.filter(session=session, recipient__isnull=True, status=ChatMessage.Status.POSTED)
        .select_related("author")
        .order_by("-created_at", "-pk")[:CHAT_HISTORY]
    )
    chat.reverse()
    questions = list(Question.objects.filter(session=session, hidden=False).select_related("author"))
    upvoted = set(
        QuestionUpvote.objects.filter(question__session=session, participant=viewer).values_list("question_id", flat=True)
    )
    polls = Poll.objects.filter(session=session)
    if not viewer.is_staff:
        polls = polls.exclude(status=Poll.Status.DRAFT)
    polls = list(polls)
    counts = _poll_counts(session.pk)
    my_votes = dict(PollVote.objects.filter(poll__session=session, participant=viewer).values_list("poll_id", "option"))
    hands = sorted((p for p in present if p.hand_raised_at), key=lambda p: (p.hand_raised_at, p.pk))
    state = {
        "participants": [participant_wire(p) for p in present],
        "chat": [message_wire(m) for m in chat],
        "questions": [{**question_wire(q), "upvoted": q.pk in upvoted} for q in questions],
        "polls": [
            {**poll_wire(p, _counts_list(p, counts.get(p.pk, {}))), "my_vote": my_votes.get(p.pk)} for p in polls
        ],
        "hands": [p.pk for p in hands],
        "spotlight": session.spotlight_question_id,
    }
    if viewer.is_staff:
        held = ChatMessage.objects.filter(session=session, status=ChatMessage.Status.HELD).select_related("author")
        private = list(
            ChatMessage.objects.filter(session=session, recipient__isnull=False, status=ChatMessage.Status.POSTED)
            .filter(Q(author=viewer) | Q(recipient=viewer))
            .select_related("author")
            .order_by("-created_at", "-pk")[:PRIVATE_HISTORY]
        )
        private.reverse()
        state.update(
            lobby=[participant_wire(p) for p in people if p.status == Participant.Status.LOBBY],
            held=[message_wire(m) for m in held],
            staff_present=sum(1 for p in present if p.is_staff),
            private=[private_wire(m) for m in private],
        )
    return state


def welcome(viewer: Participant) -> dict:
    """The `welcome` frame. Reads the session row again inside the caller's
    transaction so that `head` and the state agree."""
    session = LiveSession.objects.get(pk=viewer.session_id)
    return {
        "type": "welcome",
        "you": you_wire(viewer),
        "session": session_wire(session),
        "head": session.last_seq,
        "state": room_state(session, viewer),
    }


@transaction.atomic
def sync(*, actor_id: int, since: int) -> Outcome:
    actor = _actor(actor_id)
    found, complete = events.events_since(actor.session_id, actor, since, limit=SYNC_LIMIT)
    head = LiveSession.objects.values_list("last_seq", flat=True).get(pk=actor.session_id)
    outcome = Outcome(reply={"type": "sync.result", "events": found, "head": head, "complete": complete})
    if not complete:
        outcome.extra_replies.append(welcome(actor))
    return outcome


# --- Chat ---------------------------------------------------------------------------


def _check_may_chat(actor: Participant) -> None:
    if actor.is_staff:
        return
    if actor.muted:
        raise RoomError("muted", _("A trainer has muted you in the chat."))
    if actor.session.chat_muted:
        raise RoomError("muted", _("The chat is paused by the trainers."))


def _chat_retry(actor: Participant, message: ChatMessage) -> Outcome:
    """A `client_id` seen before: answer with the stored message, create
    nothing."""
    if message.status == ChatMessage.Status.HELD:
        return Outcome(reply={"type": "chat.pending", "client_id": message.client_id})
    if message.recipient_id is not None:
        return Outcome(reply={"type": "chat.private", **private_wire(message)})
    stored = (
        LiveEvent.objects.filter(session_id=actor.session_id, type="chat.message", payload__id=message.pk)
        .order_by("-seq")
        .first()
    )
    if stored is not None:
        return Outcome(reply=events.event_wire(stored))
    return Outcome(reply={"type": "chat.message", **message_wire(message)})


@transaction.atomic
def chat_send(*, actor_id: int, text: str, client_id: str) -> Outcome:
    actor = _actor(actor_id)
    existing = ChatMessage.objects.filter(author=actor, client_id=client_id).first()
    if existing is not None:
        return _chat_retry(actor, existing)
    _check_may_chat(actor)
    held_for = None if actor.is_staff else wordlist_match(text, language=actor.session.language)
    message = ChatMessage(session_id=actor.session_id, author=actor, text=text, client_id=client_id)
    if held_for:
        message.status = ChatMessage.Status.HELD
        message.held_reason = held_for[:200]
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # The same client_id sent twice at once: the other one won.
        return _chat_retry(actor, ChatMessage.objects.get(author=actor, client_id=client_id))
    if held_for:
        return Outcome(
            events=[
                _record(actor.session_id, "chat.held", {"message": message_wire(message, actor)}, audience=STAFF),
                _record(
                    actor.session_id, "chat.pending", {"client_id": client_id},
                    audience=DIRECT, to_participant_id=actor.pk,
                ),
            ]
        )
    return Outcome(events=[_record(actor.session_id, "chat.message", message_wire(message, actor))])


@transaction.atomic
def chat_private(*, actor_id: int, to: int, text: str, client_id: str) -> Outcome:
    """Private chat exists only between two staff (safeguarding: no adult
    writes privately to a young person, and no guest to anyone)."""
    actor = _actor(actor_id)
    if not actor.is_staff:
        raise RoomError("forbidden", _("Private messages are only possible between trainers."))
    existing = ChatMessage.objects.filter(author=actor, client_id=client_id).first()
    if existing is not None:
        return _chat_retry(actor, existing)
    recipient = _other(actor, to)
    if not recipient.is_staff or recipient.pk == actor.pk or recipient.status != Participant.Status.ADMITTED:
        raise RoomError("forbidden", _("Private messages are only possible between trainers."))
    message = ChatMessage.objects.create(
        session_id=actor.session_id, author=actor, recipient=recipient, text=text, client_id=client_id
    )
    return Outcome(
        events=[
            _record(
                actor.session_id, "chat.private", private_wire(message),
                audience=DIRECT, to_participant_id=recipient.pk, from_participant_id=actor.pk,
            )
        ]
    )


def _held_review(*, actor_id: int, message_id: int, status: str) -> tuple[Participant, ChatMessage]:
    """A staff decision on a message held by the word list."""
    actor = _actor(actor_id, staff=True)
    message = _message(actor, message_id)
    if message.status != ChatMessage.Status.HELD:
        raise RoomError("conflict", _("This message is not waiting for review."))
    message.status = status
    message.reviewed_by = actor
    message.reviewed_at = timezone.now()
    message.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return actor, message


@transaction.atomic
def chat_release(*, actor_id: int, message_id: int) -> Outcome:
    actor, message = _held_review(actor_id=actor_id, message_id=message_id, status=ChatMessage.Status.POSTED)
    return Outcome(events=[_record(actor.session_id, "chat.message", message_wire(message))])


@transaction.atomic
def chat_reject(*, actor_id: int, message_id: int) -> Outcome:
    actor, message = _held_review(actor_id=actor_id, message_id=message_id, status=ChatMessage.Status.REJECTED)
    return Outcome(events=[_record(actor.session_id, "chat.rejected", {"id": message.pk}, audience=STAFF)])


@transaction.atomic
def chat_delete(*, actor_id: int, message_id: int) -> Outcome:
    actor = _actor(actor_id, staff=True)
    message = _message(actor, message_id)
    if message.status != ChatMessage.Status.POSTED or message.recipient_id is not None:
        raise RoomError("conflict", _("This message cannot be deleted."))
    message.status = ChatMessage.Status.DELETED
    message.reviewed_by = actor
    message.reviewed_at = timezone.now()
    message.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return Outcome(events=[_record(actor.session_id, "chat.deleted", {"id": message.pk})])


# --- Questions ----------------------------------------------------------------------


def _question(actor: Participant, question_id: int, *, lock: bool = True) -> Question:
    query = Question.objects.select_related("author").filter(pk=question_id, session_id=actor.session_id, hidden=False)
    if lock:
        query = query.select_for_update(of=("self",))
    question = query.first()
    if question is None:
        raise RoomError("not_found", _("This question is not in this session."))
    return question


@transaction.atomic
def question_ask(*, actor_id: int, text: str, client_id: str) -> Outcome:
    actor = _actor(actor_id)
    existing = Question.objects.filter(author=actor, client_id=client_id).select_related("author").first()
    if existing is not None:
        return Outcome(reply={"type": "question.asked", "question": question_wire(existing)})
    _check_may_chat(actor)
    if not actor.is_staff and wordlist_match(text, language=actor.session.language):
        # Questions are shown to everyone at once: a question that would be
        # held goes to review as a chat message instead.
        raise RoomError("forbidden", _("This question cannot be posted; please rephrase it or ask a trainer."))
    question = Question.objects.create(session_id=actor.session_id, author=actor, text=text, client_id=client_id)
    return Outcome(events=[_record(actor.session_id, "question.asked", {"question": question_wire(question, actor)})])


@transaction.atomic
def question_upvote(*, actor_id: int, question_id: int) -> Outcome:
    actor = _actor(actor_id)
    question = _question(actor, question_id)
    try:
        with transaction.atomic():
            QuestionUpvote.objects.create(question=question, participant=actor)
    except IntegrityError:
        raise RoomError("conflict", _("You have already supported this question.")) from None
    Question.objects.filter(pk=question.pk).update(upvote_count=F("upvote_count") + 1)
    question.refresh_from_db(fields=["upvote_count"])
    return Outcome(events=[_record(actor.session_id, "question.updated", {"question": question_wire(question)})])


@transaction.atomic
def question_answer(*, actor_id: int, question_id: int) -> Outcome:
    actor = _actor(actor_id, staff=True)
    question = _question(actor, question_id)
    if question.answered_at is None:
        question.answered_at = timezone.now()
        question.save(update_fields=["answered_at"])
    return Outcome(events=[_record(actor.session_id, "question.updated", {"question": question_wire(question)})])


@transaction.atomic
def question_spotlight(*, actor_id: int, question_id: int | None) -> Outcome:
    actor = _actor(actor_id, staff=True)
    if question_id is not None:
        _question(actor, question_id, lock=False)
    LiveSession.objects.filter(pk=actor.session_id).update(spotlight_question_id=question_id)
    return Outcome(events=[_record(actor.session_id, "question.spotlight", {"question_id": question_id})])


# --- Hands --------------------------------------------------------------------------------


@transaction.atomic
def hand_raise(*, actor_id: int) -> Outcome:
    actor = _actor(actor_id, lock=True)
    if actor.hand_raised_at is None:
        actor.hand_raised_at = timezone.now()
        actor.save(update_fields=["hand_raised_at"])
    payload = {"participant_id": actor.pk, "at": _iso(actor.hand_raised_at)}
    return Outcome(events=[_record(actor.session_id, "hand.raised", payload)])


@transaction.atomic
def hand_lower(*, actor_id: int, participant_id: int | None = None) -> Outcome:
    actor = _actor(actor_id)
    if participant_id is None or participant_id == actor.pk:
        target = _other(actor, actor.pk, lock=True)
    elif actor.is_staff:
        target = _other(actor, participant_id, lock=True)
    else:
        raise RoomError("forbidden", _("Only the session's trainers can lower someone else's hand."))
    target.hand_raised_at = None
    target.save(update_fields=["hand_raised_at"])
    return Outcome(events=[_record(actor.session_id, "hand.lowered", {"participant_id": target.pk})])


# --- Polls --------------------------------------------------------------------------------


def _poll_counts(session_id: int, poll_id: int | None = None) -> dict[int, dict[int, int]]:
    """{poll id: {option: votes}} in one aggregate query."""
    query = PollVote.objects.filter(poll__session_id=session_id)
    if poll_id is not None:
        query = PollVote.objects.filter(poll_id=poll_id)
    counts: dict[int, dict[int, int]] = {}
    for row in query.values("poll_id", "option").annotate(n=Count("pk")).order_by():
        counts.setdefault(row["poll_id"], {})[row["option"]] = row["n"]
    return counts


def _counts_list(poll: Poll, by_option: dict[int, int]) -> list[int]:
    return [by_option.get(i, 0) for i in range(len(poll.options))]


def _poll(actor: Participant, poll_id: int) -> Poll:
    poll = Poll.objects.select_for_update().filter(pk=poll_id, session_id=actor.session_id).first()
    if poll is None or (poll.status == Poll.Status.DRAFT and not actor.is_staff):
        raise RoomError("not_found", _("This poll is not in this session."))
    return poll


@transaction.atomic
def poll_create(*, actor_id: int, question: str, options: list[str], client_id: str) -> Outcome:
    actor = _actor(actor_id, staff=True)
    # client_id: a retried create must not make a second poll. Polls have no
    # client_id column, so the creating event is the record of it.
    previous = LiveEvent.objects.filter(
        session_id=actor.session_id, type="poll.created", from_participant=actor, payload__client_id=client_id
    ).first()
    if previous is not None:
        return Outcome(reply=events.event_wire(previous))
    poll = Poll.objects.create(session_id=actor.session_id, question=question, options=options, created_by=actor)
    payload = {"poll": poll_wire(poll), "client_id": client_id}
    return Outcome(events=[_record(actor.session_id, "poll.created", payload, audience=STAFF, from_participant_id=actor.pk)])


@transaction.atomic
def poll_open(*, actor_id: int, poll_id: int) -> Outcome:
    actor = _actor(actor_id, staff=True)
    poll = _poll(actor, poll_id)
    if poll.status != Poll.Status.DRAFT:
        raise RoomError("conflict", _("This poll has already been opened."))
    poll.status = Poll.Status.OPEN
    poll.opened_at = timezone.now()
    poll.save(update_fields=["status", "opened_at"])
    return Outcome(events=[_record(actor.session_id, "poll.opened", {"poll": poll_wire(poll)})])


@transaction.atomic
def poll_close(*, actor_id: int, poll_id: int) -> Outcome:
    actor = _actor(actor_id, staff=True)
    poll = _poll(actor, poll_id)
    if poll.status != Poll.Status.OPEN:
        raise RoomError("conflict", _("This poll is not open."))
    poll.status = Poll.Status.CLOSED
    poll.closed_at = timezone.now()
    poll.save(update_fields=["status", "closed_at"])
    counts = _counts_list(poll, _poll_counts(actor.session_id, poll.pk).get(poll.pk, {}))
    return Outcome(events=[_record(actor.session_id, "poll.closed", {"poll": poll_wire(poll, counts)})])


@transaction.atomic
def poll_vote(*, actor_id: int, poll_id: int, option: int) -> Outcome:
    """Records the vote only: the results are published, coalesced, by
    `poll_results` (the hub calls it at most once a second per poll)."""
    actor = _actor(actor_id)
    poll = Poll.objects.filter(pk=poll_id, session_id=actor.session_id).exclude(status=Poll.Status.DRAFT).first()
    if poll is None:
        raise RoomError("not_found", _("This poll is not in this session."))
    if poll.status != Poll.Status.OPEN:
        raise RoomError("conflict", _("This poll is closed."))
    if not 0 <= option < len(poll.options):
        raise RoomError("invalid", _("There is no such answer in this poll."))
    try:
        with transaction.atomic():
            PollVote.objects.create(poll=poll, participant=actor, option=option)
    except IntegrityError:
        raise RoomError("conflict", _("You have already voted in this poll.")) from None
    return Outcome(reply={"type": "poll.voted", "poll_id": poll.pk, "option": option})


@transaction.atomic
def poll_results(*, poll_id: int) -> Outcome:
    poll = Poll.objects.filter(pk=poll_id).first()
    if poll is None or poll.status == Poll.Status.DRAFT:
        return Outcome()
    counts = _counts_list(poll, _poll_counts(poll.session_id, poll.pk).get(poll.pk, {}))
    payload = {"poll_id": poll.pk, "counts": counts, "total": sum(counts)}
    return Outcome(events=[_record(poll.session_id, "poll.results", payload)])


# --- Moderation ----------------------------------------------------------------------------------


@transaction.atomic
def lobby_admit(*, actor_id: int, participant_id: int) -> Outcome:
    actor = _actor(actor_id, staff=True)
    target = _other(actor, participant_id, lock=True)
    if target.status != Participant.Status.LOBBY:
        raise RoomError("conflict", _("This person is not waiting in the lobby."))
    session = actor.session
    if session.is_youth and target.role == Participant.Role.GUEST and staff_connected_count(session.pk) < 2:
        raise RoomError(
            "forbidden",
            _("Two trainers must be in the room before young people are let in."),
        )
    target.status = Participant.Status.ADMITTED
    target.save(update_fields=["status"])
    return Outcome(
        events=[
            _record(session.pk, "presence.joined", {"participant": participant_wire(target)}),
            _record(session.pk, "lobby.left", {"participant_id": target.pk}, audience=STAFF),
        ]
    )


@transaction.atomic
def participant_mute(*, actor_id: int, participant_id: int, muted: bool) -> Outcome:
    actor = _actor(actor_id, staff=True)
    target = _other(actor, participant_id, lock=True)
    if target.is_staff:
        raise RoomError("forbidden", _("Trainers cannot be muted."))
    target.muted = muted
    target.save(update_fields=["muted"])
    return Outcome(events=[_record(actor.session_id, "participant.muted", {"participant_id": target.pk, "muted": muted})])


@transaction.atomic
def room_mute_chat(*, actor_id: int, muted: bool) -> Outcome:
    actor = _actor(actor_id, staff=True)
    LiveSession.objects.filter(pk=actor.session_id).update(chat_muted=muted)
    return Outcome(events=[_record(actor.session_id, "room.chat_muted", {"muted": muted})])


@transaction.atomic
def participant_remove(*, actor_id: int, participant_id: int) -> Outcome:
    """The removed socket closes with 4003 (the hub sees the event) and
    attendance closes here, whichever process holds that socket.

    A removed guest could clear their cookies and join again under another
    name, so the first removal turns on the session's `guest_lobby`: new
    guests wait in the lobby for the rest of the session, as do guests who
    joined but never came into the room (a second browser kept ready).
    Staff are told once (`room.guest_lobby`)."""
    actor = _actor(actor_id, staff=True)
    # The session row first (as joining does): no guest joins between the
    # removal and the lobby rule below.
    session = LiveSession.objects.select_for_update().get(pk=actor.session_id)
    target = _other(actor, participant_id, lock=True)
    if target.is_staff:
        raise RoomError("forbidden", _("Trainers cannot be removed from the room."))
    if target.status == Participant.Status.REMOVED:
        raise RoomError("conflict", _("This person has already been removed."))
    target.status = Participant.Status.REMOVED
    target.removed_at = timezone.now()
    target.hand_raised_at = None
    target.video_on = False
    target.save(update_fields=["status", "removed_at", "hand_raised_at", "video_on"])
    attendance.interval_close(target.pk, closed_by=attendance.AttendanceInterval.ClosedBy.REMOVED)
    recorded = [_record(actor.session_id, "participant.removed", {"participant_id": target.pk})]
    if not session.guest_lobby:
        LiveSession.objects.filter(pk=session.pk).update(guest_lobby=True)
        recorded.append(_record(session.pk, "room.guest_lobby", {"guest_lobby": True}, audience=STAFF))
    Participant.objects.filter(
        session_id=session.pk, role=Participant.Role.GUEST, status=Participant.Status.ADMITTED,
        channel_name="", last_seen_at__isnull=True,
    ).update(status=Participant.Status.LOBBY)
    return Outcome(events=recorded)


@transaction.atomic
def room_lock(*, actor_id: int, locked: bool) -> Outcome:
    actor = _actor(actor_id, staff=True)
    LiveSession.objects.filter(pk=actor.session_id).update(locked=locked)
    return Outcome(events=[_record(actor.session_id, "room.locked", {"locked": locked})])


@transaction.atomic
def session_end(*, actor_id: int) -> Outcome:
    actor = _actor(actor_id, staff=True)
    now = timezone.now()
    LiveSession.objects.filter(pk=actor.session_id).update(status=LiveSession.Status.ENDED, ended_at=now)
    attendance.intervals_close_session(actor.session_id, now=now)
    Participant.objects.filter(session_id=actor.session_id).update(hand_raised_at=None, video_on=False)
    # Learning progress and attendance certificates follow, in a task: a
    # 500-person webinar ends without waiting for 500 recomputes.
    from .tasks import session_attendance_settle

    session_id = actor.session_id
    transaction.on_commit(lambda: session_attendance_settle.enqueue(session_id))
    return Outcome(events=[_record(actor.session_id, "session.ended", {})])


# --- Safeguarding reports -------------------------------------------------------------------


def _report_context(session: LiveSession, message: ChatMessage | None, target: Participant | None) -> dict:
    context: dict = {"session_title": session.title, "language": session.language}
    if target is not None:
        context["target"] = {"id": target.pk, "name": target.display_name, "role": target.role}
    if message is not None:
        public = ChatMessage.objects.filter(session=session, recipient__isnull=True).select_related("author")
        before = list(
            public.filter(Q(created_at__lt=message.created_at) | Q(created_at=message.created_at, pk__lt=message.pk))
            .order_by("-created_at", "-pk")[:REPORT_CONTEXT]
        )
        after = list(
            public.filter(Q(created_at__gt=message.created_at) | Q(created_at=message.created_at, pk__gt=message.pk))
            .order_by("created_at", "pk")[:REPORT_CONTEXT]
        )

        def line(m: ChatMessage) -> dict:
            return {
                "id": m.pk, "author": m.author.display_name, "author_id": m.author_id,
                "text": m.text, "status": m.status, "at": _iso(m.created_at),
            }

        context["message"] = {**line(message), "author_role": message.author.role}
        context["before"] = [line(m) for m in reversed(before)]
        context["after"] = [line(m) for m in after]
    return context


@transaction.atomic
def report_create(*, actor_id: int, reason: str = "", message_id: int | None = None, participant_id: int | None = None) -> Outcome:
    """Anyone in the session, the lobby included, may report a message or a
    person. The report copies its context, so purging the chat later never
    removes what was reported."""
    actor = _actor(actor_id, admitted=False)
    message = target = None
    if message_id is not None:
        message = _message(actor, message_id, lock=False)
        if message.recipient_id is not None and actor.pk not in (message.author_id, message.recipient_id):
            raise RoomError("not_found", _("This message is not in this session."))
        target = message.author
    if participant_id is not None:
        target = _other(actor, participant_id)
    if message is None and target is None and not reason.strip():
        raise RoomError("invalid", _("Say what you are reporting."))
    session = actor.session
    report = Report.objects.create(
        session=session,
        partner_id=session.partner_id,
        session_title=session.title,
        reporter=actor,
        reporter_name=actor.display_name,
        message=message,
        target=target,
        reason=reason,
        context=_report_context(session, message, target),
    )
    return Outcome(
        events=[
            _record(session.pk, "report.created", {"report_id": report.pk}, audience=STAFF),
            _record(session.pk, "report.received", {}, audience=DIRECT, to_participant_id=actor.pk),
        ]
    )


# --- Built-in video (WebRTC mesh) ------------------------------------------------------------


@transaction.atomic
def rtc_join(*, actor_id: int) -> Outcome:
    actor = _actor(actor_id, lock=True)
    if actor.session.provider != LiveSession.Provider.WEBRTC:
        raise RoomError("forbidden", _("This session does not use the built-in video."))
    if not actor.video_on:
        # Lock the session row: two cameras joining at once cannot both take
        # the last place.
        LiveSession.objects.select_for_update().filter(pk=actor.session_id).first()
        on = Participant.objects.filter(session_id=actor.session_id, video_on=True).count()
        if on >= settings.LIVE_WEBRTC_MAX_VIDEO:
            raise RoomError("conflict", _("The video room is full."))
        actor.video_on = True
        actor.save(update_fields=["video_on"])
    return Outcome(events=[_record(actor.session_id, "rtc.joined", {"participant_id": actor.pk})])


@transaction.atomic
def rtc_leave(*, actor_id: int) -> Outcome:
    actor = _actor(actor_id, lock=True)
    actor.video_on = False
    actor.save(update_fields=["video_on"])
    return Outcome(events=[_record(actor.session_id, "rtc.left", {"participant_id": actor.pk})])


def rtc_signal(*, actor_id: int, to: int, data: dict) -> Outcome:
    """Relay WebRTC signalling (offer, answer, ICE candidate) to one peer:
    not stored, not numbered, only between two admitted cameras that are on
    in the same room (the target connected), and only SDP and ICE
    candidates of the shape browsers send (`live.rtc`), so that the relay
    carries no text. In a session with young people, a young person (a
    guest) and an adult signal each other only while two staff are in the
    room, as for letting young people in."""
    rows = {
        row[0]: row
        for row in Participant.objects.filter(pk__in=[actor_id, to], status=Participant.Status.ADMITTED)
        .exclude(session__status=LiveSession.Status.ENDED)
        .values_list("pk", "session_id", "video_on", "channel_name", "role", "session__provider", "session__audience")
    }
    if actor_id not in rows:
        raise RoomError("not_admitted", NOT_ADMITTED)
    if to == actor_id or to not in rows or rows[to][1] != rows[actor_id][1]:
        raise RoomError("not_found", _("This person is not in this session."))
    _pk, session_id, actor_video, _channel, actor_role, provider, audience = rows[actor_id]
    _pk, _session, target_video, target_channel, target_role, _provider, _audience = rows[to]
    if provider != LiveSession.Provider.WEBRTC:
        raise RoomError("forbidden", _("This session does not use the built-in video."))
    if not (actor_video and target_video and target_channel):
        raise RoomError("conflict", _("Both cameras must be on."))
    young = Participant.Role.GUEST
    if (
        audience == LiveSession.Audience.YOUNG_PEOPLE
        and (actor_role == young) != (target_role == young)
        and staff_connected_count(session_id) < 2
    ):
        raise RoomError(
            "forbidden",
            _("Cameras of young people and adults connect only while two trainers are in the room."),
        )
    try:
        data = rtc.signal_data_clean(data)
    except rtc.SignalInvalid as invalid:
        raise RoomError("invalid", _("This is not video signalling the room accepts.")) from invalid
    signal = events.ephemeral("rtc.signal", {"from": actor_id, "data": data}, to_participant_id=to, from_participant_id=None)
    return Outcome(events=[signal])
