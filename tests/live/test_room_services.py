"""Room services without a socket: rules, permissions and the events each
request records (docs/live-protocol.md, "Requests")."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore

from live import joining, room
from live.models import ChatMessage, LiveEvent, LiveSession, Participant, Poll, PollVote, Report
from live.room import RoomError
from tests.live.conftest import make_live_session, make_live_user, make_participant

pytestmark = pytest.mark.django_db

STAFF, GUEST, PRO = Participant.Role.STAFF, Participant.Role.GUEST, Participant.Role.PROFESSIONAL


@pytest.fixture
def live_room():
    session = make_live_session()
    return {
        "session": session,
        "staff": make_participant(session, role=STAFF, channel_name="c-staff"),
        "staff2": make_participant(session, role=STAFF, channel_name="c-staff2"),
        "guest": make_participant(session, channel_name="c-guest"),
        "pro": make_participant(session, role=PRO, channel_name="c-pro"),
    }


def types(outcome) -> list[tuple[str, str]]:
    return [(e.type, e.audience) for e in outcome.events]


@pytest.mark.parametrize(
    ("service", "args"),
    [
        (room.chat_release, {"message_id": 1}),
        (room.chat_reject, {"message_id": 1}),
        (room.chat_delete, {"message_id": 1}),
        (room.question_answer, {"question_id": 1}),
        (room.question_spotlight, {"question_id": None}),
        (room.poll_create, {"question": "Q?", "options": ["a", "b"], "client_id": "p"}),
        (room.poll_open, {"poll_id": 1}),
        (room.poll_close, {"poll_id": 1}),
        (room.lobby_admit, {"participant_id": 1}),
        (room.participant_mute, {"participant_id": 1, "muted": True}),
        (room.room_mute_chat, {"muted": True}),
        (room.participant_remove, {"participant_id": 1}),
        (room.room_lock, {"locked": True}),
        (room.session_end, {}),
    ],
)
@pytest.mark.parametrize("role", ["guest", "pro"])
def test_trainer_actions_are_refused_to_others(live_room, service, args, role):
    with pytest.raises(RoomError) as refused:
        service(actor_id=live_room[role].pk, **args)
    assert refused.value.code == "forbidden"
    assert not LiveEvent.objects.exists()


def test_private_chat_only_between_staff(live_room):
    for actor, to in [("guest", "staff"), ("pro", "staff"), ("staff", "guest"), ("staff", "pro"), ("staff", "staff")]:
        with pytest.raises(RoomError) as refused:
            room.chat_private(actor_id=live_room[actor].pk, to=live_room[to].pk, text="hi", client_id=f"{actor}-{to}")
        assert refused.value.code == "forbidden"
    outcome = room.chat_private(actor_id=live_room["staff"].pk, to=live_room["staff2"].pk, text="hi", client_id="ok")
    [event] = outcome.events
    assert (event.type, event.audience, event.to_participant_id, event.from_participant_id) == (
        "chat.private", "direct", live_room["staff2"].pk, live_room["staff"].pk,
    )
    assert ChatMessage.objects.get().recipient == live_room["staff2"]


def test_muted_participant_and_paused_chat(live_room):
    room.participant_mute(actor_id=live_room["staff"].pk, participant_id=live_room["guest"].pk, muted=True)
    with pytest.raises(RoomError) as refused:
        room.chat_send(actor_id=live_room["guest"].pk, text="hi", client_id="1")
    assert refused.value.code == "muted"
    room.room_mute_chat(actor_id=live_room["staff"].pk, muted=True)
    with pytest.raises(RoomError):
        room.chat_send(actor_id=live_room["pro"].pk, text="hi", client_id="2")
    # Staff may still write.
    assert types(room.chat_send(actor_id=live_room["staff"].pk, text="hi", client_id="3")) == [("chat.message", "all")]


def test_held_message_events_and_review(live_room):
    outcome = room.chat_send(actor_id=live_room["guest"].pk, text="add me on snapchat", client_id="h")
    assert types(outcome) == [("chat.held", "staff"), ("chat.pending", "direct")]
    assert outcome.events[1].to_participant_id == live_room["guest"].pk
    message = ChatMessage.objects.get()
    assert message.status == ChatMessage.Status.HELD and message.held_reason == "add me"
    # The retry answers "pending" again and stores nothing.
    assert room.chat_send(actor_id=live_room["guest"].pk, text="add me on snapchat", client_id="h").reply == {
        "type": "chat.pending", "client_id": "h",
    }
    rejected = room.chat_reject(actor_id=live_room["staff"].pk, message_id=message.pk)
    assert types(rejected) == [("chat.rejected", "staff")]
    with pytest.raises(RoomError) as again:
        room.chat_release(actor_id=live_room["staff"].pk, message_id=message.pk)
    assert again.value.code == "conflict"


def test_delete_and_not_found_in_another_session(live_room):
    posted = room.chat_send(actor_id=live_room["guest"].pk, text="hello", client_id="1")
    message_id = posted.events[0].payload["id"]
    elsewhere = make_participant(make_live_session(partner=live_room["session"].partner), role=STAFF)
    with pytest.raises(RoomError) as refused:
        room.chat_delete(actor_id=elsewhere.pk, message_id=message_id)
    assert refused.value.code == "not_found"
    assert types(room.chat_delete(actor_id=live_room["staff"].pk, message_id=message_id)) == [("chat.deleted", "all")]


def test_questions(live_room):
    asked = room.question_ask(actor_id=live_room["guest"].pk, text="Why?", client_id="q")
    question = asked.events[0].payload["question"]
    assert question["upvotes"] == 0
    updated = room.question_upvote(actor_id=live_room["pro"].pk, question_id=question["id"])
    assert updated.events[0].payload["question"]["upvotes"] == 1
    with pytest.raises(RoomError) as twice:
        room.question_upvote(actor_id=live_room["pro"].pk, question_id=question["id"])
    assert twice.value.code == "conflict"
    answered = room.question_answer(actor_id=live_room["staff"].pk, question_id=question["id"])
    assert answered.events[0].payload["question"]["answered"] is True
    room.question_spotlight(actor_id=live_room["staff"].pk, question_id=question["id"])
    assert LiveSession.objects.get().spotlight_question_id == question["id"]
    # A retried ask makes no second question.
    assert room.question_ask(actor_id=live_room["guest"].pk, text="Why?", client_id="q").events == []


def test_hands_queue_in_order_and_staff_lower_others(live_room):
    room.hand_raise(actor_id=live_room["pro"].pk)
    room.hand_raise(actor_id=live_room["guest"].pk)
    room.hand_raise(actor_id=live_room["pro"].pk)  # again: keeps its place
    state = room.room_state(live_room["session"], Participant.objects.get(pk=live_room["staff"].pk))
    assert state["hands"] == [live_room["pro"].pk, live_room["guest"].pk]
    with pytest.raises(RoomError):
        room.hand_lower(actor_id=live_room["guest"].pk, participant_id=live_room["pro"].pk)
    room.hand_lower(actor_id=live_room["staff"].pk, participant_id=live_room["pro"].pk)
    room.hand_lower(actor_id=live_room["guest"].pk)
    state = room.room_state(live_room["session"], Participant.objects.get(pk=live_room["staff"].pk))
    assert state["hands"] == []


def test_polls(live_room):
    created = room.poll_create(actor_id=live_room["staff"].pk, question="Best?", options=["a", "b", "c"], client_id="p")
    assert types(created) == [("poll.created", "staff")]
    poll_id = created.events[0].payload["poll"]["id"]
    assert room.poll_create(actor_id=live_room["staff"].pk, question="Best?", options=["a", "b"], client_id="p").events == []
    assert Poll.objects.count() == 1
    with pytest.raises(RoomError) as draft:
        room.poll_vote(actor_id=live_room["guest"].pk, poll_id=poll_id, option=0)
    assert draft.value.code == "not_found"
    room.poll_open(actor_id=live_room["staff"].pk, poll_id=poll_id)
    room.poll_vote(actor_id=live_room["guest"].pk, poll_id=poll_id, option=1)
    room.poll_vote(actor_id=live_room["pro"].pk, poll_id=poll_id, option=1)
    with pytest.raises(RoomError) as twice:
        room.poll_vote(actor_id=live_room["guest"].pk, poll_id=poll_id, option=0)
    assert twice.value.code == "conflict"
    with pytest.raises(RoomError) as bad_option:
        room.poll_vote(actor_id=live_room["staff"].pk, poll_id=poll_id, option=3)
    assert bad_option.value.code == "invalid"
    results = room.poll_results(poll_id=poll_id)
    assert results.events[0].payload == {"poll_id": poll_id, "counts": [0, 2, 0], "total": 2}
    closed = room.poll_close(actor_id=live_room["staff"].pk, poll_id=poll_id)
    assert closed.events[0].payload["poll"]["counts"] == [0, 2, 0]
    with pytest.raises(RoomError) as late:
        room.poll_vote(actor_id=live_room["staff"].pk, poll_id=poll_id, option=0)
    assert late.value.code == "conflict"
    assert PollVote.objects.count() == 2


def test_lobby_participant_may_only_report(live_room):
    waiting = make_participant(live_room["session"], status=Participant.Status.LOBBY)
    with pytest.raises(RoomError) as refused:
        room.chat_send(actor_id=waiting.pk, text="hi", client_id="1")
    assert refused.value.code == "not_admitted"
    outcome = room.report_create(actor_id=waiting.pk, participant_id=live_room["pro"].pk, reason="rude")
    assert types(outcome) == [("report.created", "staff"), ("report.received", "direct")]
    report = Report.objects.get()
    assert report.context["target"]["name"] == live_room["pro"].display_name


def test_admit_needs_someone_in_the_lobby(live_room):
    with pytest.raises(RoomError) as refused:
        room.lobby_admit(actor_id=live_room["staff"].pk, participant_id=live_room["guest"].pk)
    assert refused.value.code == "conflict"


def test_two_staff_rule_counts_connected_staff_only():
    session = make_live_session(audience=LiveSession.Audience.YOUNG_PEOPLE)
    staff = make_participant(session, role=STAFF, channel_name="c1")
    make_participant(session, role=STAFF, channel_name="")  # joined but not connected
    young = make_participant(session, status=Participant.Status.LOBBY)
    with pytest.raises(RoomError) as refused:
        room.lobby_admit(actor_id=staff.pk, participant_id=young.pk)
    assert refused.value.code == "forbidden"
    make_participant(session, role=STAFF, channel_name="c3")
    assert types(room.lobby_admit(actor_id=staff.pk, participant_id=young.pk)) == [
        ("presence.joined", "all"), ("lobby.left", "staff"),
    ]


def test_after_a_removal_new_guests_wait_in_the_lobby_for_the_rest_of_the_session(live_room):
    """A session without a lobby: the removed guest could clear their
    cookies and join again under another name. From the first removal on,
    new guests wait until a trainer admits them; staff are told once."""
    session, staff = live_room["session"], live_room["staff"]
    LiveSession.objects.filter(pk=session.pk).update(allow_guests=True)
    session.refresh_from_db()
    assert not session.lobby_enabled
    assert room.welcome(Participant.objects.get(pk=staff.pk))["session"]["guest_lobby"] is False
    # Joined before the removal but never connected (a second browser kept
    # ready): waits too. Someone already in the room does not.
    prepared = joining.participant_join_guest(session=session, django_session=SessionStore(), display_name="Kept", consent=False)
    assert prepared.status == Participant.Status.ADMITTED

    outcome = room.participant_remove(actor_id=staff.pk, participant_id=live_room["guest"].pk)
    assert types(outcome) == [("participant.removed", "all"), ("room.guest_lobby", "staff")]
    assert outcome.events[1].payload == {"guest_lobby": True}
    session.refresh_from_db()
    assert session.guest_lobby
    prepared.refresh_from_db()
    assert prepared.status == Participant.Status.LOBBY
    assert Participant.objects.get(pk=live_room["pro"].pk).status == Participant.Status.ADMITTED

    store = SessionStore()
    newcomer = joining.participant_join_guest(session=session, django_session=store, display_name="Lucie", consent=False)
    assert newcomer.status == Participant.Status.LOBBY
    admission = room.socket_admission(session_id=session.pk, django_session=store, user=AnonymousUser(), channel_name="c-new")
    assert admission.lobby and admission.close_code is None
    # Still so when the lobby is switched on and off again.
    LiveSession.objects.filter(pk=session.pk).update(lobby_enabled=True)
    LiveSession.objects.filter(pk=session.pk).update(lobby_enabled=False)
    later = joining.participant_join_guest(session=session, django_session=SessionStore(), display_name="Sam", consent=False)
    assert later.status == Participant.Status.LOBBY
    # Staff opening the room later see it in the welcome; a second removal
    # tells nobody again. Professionals (accounts) are not affected.
    assert room.welcome(Participant.objects.get(pk=staff.pk))["session"]["guest_lobby"] is True
    outcome = room.participant_remove(actor_id=staff.pk, participant_id=live_room["pro"].pk)
    assert types(outcome) == [("participant.removed", "all")]
    user = make_live_user(partner=session.partner)
    professional = joining.participant_join_account(session=session, user=user, django_session=SessionStore())
    assert professional.status == Participant.Status.ADMITTED


def test_staff_are_not_removed_or_muted(live_room):
    for service, extra in [(room.participant_remove, {}), (room.participant_mute, {"muted": True})]:
        with pytest.raises(RoomError) as refused:
            service(actor_id=live_room["staff"].pk, participant_id=live_room["staff2"].pk, **extra)
        assert refused.value.code == "forbidden"


def test_video_room(live_room, settings):
    settings.LIVE_WEBRTC_MAX_VIDEO = 2
    guest, pro, staff = live_room["guest"], live_room["pro"], live_room["staff"]
    with pytest.raises(RoomError) as off:
        room.rtc_signal(actor_id=guest.pk, to=pro.pk, data={"sdp": "x"})
    assert off.value.code == "conflict"
    room.rtc_join(actor_id=guest.pk)
    room.rtc_join(actor_id=pro.pk)
    with pytest.raises(RoomError) as full:
        room.rtc_join(actor_id=staff.pk)
    assert full.value.code == "conflict"
    candidate = {"candidate": {"candidate": "candidate:1 1 udp 2122252543 192.0.2.1 9 typ host", "sdpMid": "0"}}
    [signal] = room.rtc_signal(actor_id=guest.pk, to=pro.pk, data=candidate).events
    assert signal.seq is None and signal.to_participant_id == pro.pk and signal.from_participant_id is None
    assert signal.visible_to(participant_id=pro.pk, is_staff=False)
    assert not signal.visible_to(participant_id=guest.pk, is_staff=False)
    assert not LiveEvent.objects.filter(type="rtc.signal").exists()
    room.rtc_leave(actor_id=pro.pk)
    assert types(room.rtc_join(actor_id=staff.pk)) == [("rtc.joined", "all")]


def test_video_only_with_the_built_in_provider():
    session = make_live_session(provider=LiveSession.Provider.JITSI)
    guest = make_participant(session)
    with pytest.raises(RoomError) as refused:
        room.rtc_join(actor_id=guest.pk)
    assert refused.value.code == "forbidden"


def test_sync_beyond_the_limit_sends_a_fresh_welcome(live_room, monkeypatch):
    monkeypatch.setattr(room, "SYNC_LIMIT", 3)
    for n in range(5):
        room.chat_send(actor_id=live_room["staff"].pk, text=f"m{n}", client_id=f"{n}")
    complete = room.sync(actor_id=live_room["guest"].pk, since=2)
    assert complete.reply["complete"] is True and [e["text"] for e in complete.reply["events"]] == ["m2", "m3", "m4"]
    assert complete.extra_replies == []
    partial = room.sync(actor_id=live_room["guest"].pk, since=0)
    assert partial.reply["complete"] is False and len(partial.reply["events"]) == 3
    assert partial.extra_replies[0]["type"] == "welcome" and partial.extra_replies[0]["head"] == 5


def test_session_end_closes_attendance_and_refuses_further_requests(live_room):
    from live.attendance import interval_open
    from live.models import AttendanceInterval

    interval_open(live_room["guest"])
    assert types(room.session_end(actor_id=live_room["staff"].pk)) == [("session.ended", "all")]
    assert AttendanceInterval.objects.get().closed_by == AttendanceInterval.ClosedBy.SESSION_END
    with pytest.raises(RoomError):
        room.chat_send(actor_id=live_room["guest"].pk, text="hi", client_id="late")


def test_leaving_frees_the_camera_and_is_silent_for_a_replaced_socket(live_room):
    guest = live_room["guest"]
    room.rtc_join(actor_id=guest.pk)
    assert room.participant_left(actor_id=guest.pk, channel_name="another socket").events == []
    outcome = room.participant_left(actor_id=guest.pk, channel_name="c-guest")
    assert types(outcome) == [("rtc.left", "all"), ("presence.left", "all")]
    guest.refresh_from_db()
    assert guest.video_on is False and guest.channel_name == ""


def test_staff_warning_when_a_youth_session_drops_below_two_staff():
    session = make_live_session(audience=LiveSession.Audience.YOUNG_PEOPLE)
    first = make_participant(session, role=STAFF, channel_name="c1")
    make_participant(session, role=STAFF, channel_name="c2")
    outcome = room.participant_left(actor_id=first.pk, channel_name="c1")
    assert types(outcome) == [("presence.left", "all"), ("staff.warning", "staff")]
    assert outcome.events[1].payload == {"code": "one_staff", "staff_present": 1}
