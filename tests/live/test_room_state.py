"""The welcome state costs the same number of queries whatever the size of
the room."""

from __future__ import annotations

import pytest

from live import room
from live.models import Participant
from tests.live.conftest import make_live_session, make_participant

pytestmark = pytest.mark.django_db


def _fill(session, staff, size: int) -> None:
    people = [make_participant(session, channel_name=f"c{n}") for n in range(size)]
    make_participant(session, status=Participant.Status.LOBBY, channel_name="lobby")
    for n, person in enumerate(people):
        room.chat_send(actor_id=person.pk, text=f"hello {n}", client_id=f"m{n}")
        room.chat_send(actor_id=person.pk, text="send me a picture", client_id=f"h{n}")
        asked = room.question_ask(actor_id=person.pk, text=f"q {n}", client_id=f"q{n}")
        room.question_upvote(actor_id=staff.pk, question_id=asked.events[0].payload["question"]["id"])
        room.hand_raise(actor_id=person.pk)
    poll = room.poll_create(actor_id=staff.pk, question="?", options=["a", "b"], client_id=f"p{size}")
    poll_id = poll.events[0].payload["poll"]["id"]
    room.poll_open(actor_id=staff.pk, poll_id=poll_id)
    for person in people:
        room.poll_vote(actor_id=person.pk, poll_id=poll_id, option=0)


@pytest.mark.parametrize("viewer_role", [Participant.Role.STAFF, Participant.Role.GUEST])
def test_room_state_queries_do_not_grow(django_assert_num_queries, viewer_role):
    counts = []
    for size in (2, 12):
        session = make_live_session()
        staff = make_participant(session, role=Participant.Role.STAFF, channel_name="s")
        make_participant(session, role=Participant.Role.STAFF, channel_name="s2")
        _fill(session, staff, size)
        viewer = staff if viewer_role == Participant.Role.STAFF else Participant.objects.filter(
            session=session, role=Participant.Role.GUEST, status=Participant.Status.ADMITTED
        ).first()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            state = room.welcome(viewer)["state"]
        counts.append(len(queries))
        assert len(state["participants"]) == size + 2
        assert len(state["chat"]) == size and len(state["questions"]) == size and len(state["hands"]) == size
        assert state["polls"][0]["counts"] == [size, 0]
        if viewer.is_staff:
            assert len(state["held"]) == size and len(state["lobby"]) == 1 and state["staff_present"] == 2
        else:
            assert "held" not in state and "lobby" not in state
    assert counts[0] == counts[1]
    with django_assert_num_queries(counts[0]):
        room.welcome(viewer)
