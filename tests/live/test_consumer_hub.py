"""The hub's fan-out without a server: one frame per socket, built once per
audience class, direct events to their two ends only, events held back for
a socket whose welcome is being built, and the control events."""

from __future__ import annotations

import asyncio

from live import hub as live_hub
from live.events import Outgoing, ephemeral


class FakeConsumer:
    def __init__(self, participant_id, *, staff=False, state=live_hub.READY):
        self.participant_id = participant_id
        self.is_staff = staff
        self.hub_state = state
        self.backlog = []
        self.sent = []
        self.controls = []

    async def send(self, text_data):
        self.sent.append(text_data)

    async def on_control(self, kind, data):
        self.controls.append(kind)


def ev(seq, audience="all", to=None, frm=None, type="chat.message"):
    return Outgoing(seq, audience, to, frm, f'{{"type":"{type}","seq":{seq}}}')


def run(pending, consumers):
    async def scenario():
        hub = live_hub.SessionHub(1, (0, 1))
        hub.consumers.update(consumers)
        await hub.deliver(pending)

    asyncio.run(scenario())


def test_one_frame_per_socket_shared_per_audience_class():
    a, b = FakeConsumer(1), FakeConsumer(2)
    s1, s2 = FakeConsumer(3, staff=True), FakeConsumer(4, staff=True)
    run([ev(1), ev(2, "staff", type="chat.held"), ev(3)], [a, b, s1, s2])
    assert [len(c.sent) for c in (a, b, s1, s2)] == [1, 1, 1, 1]
    assert a.sent[0] == '{"type":"batch","events":[{"type":"chat.message","seq":1},{"type":"chat.message","seq":3}]}'
    assert a.sent[0] is b.sent[0] and s1.sent[0] is s2.sent[0]
    assert '"seq":2' in s1.sent[0]


def test_a_single_event_is_sent_as_itself():
    a = FakeConsumer(1)
    run([ev(7)], [a])
    assert a.sent == ['{"type":"chat.message","seq":7}']


def test_direct_events_reach_their_two_ends_only():
    a, b, c = FakeConsumer(1), FakeConsumer(2), FakeConsumer(3, staff=True)
    run([ev(1), ev(2, "direct", to=2, frm=3, type="chat.private"), ev(3)], [a, b, c])
    assert '"seq":2' not in a.sent[0]
    assert '"seq":2' in b.sent[0] and '"seq":2' in c.sent[0]
    signal = ephemeral("rtc.signal", {"from": 1, "data": {}}, to_participant_id=2)
    run([signal], [a, b])
    assert b.sent[-1] == signal.text and all(signal.text != t for t in a.sent)


def test_lobby_gets_only_what_is_addressed_to_it_and_joining_sockets_keep_a_backlog():
    waiting = FakeConsumer(5, state=live_hub.LOBBY)
    joining = FakeConsumer(6, state=live_hub.JOINING)
    run([ev(1), ev(2, "staff"), ev(3, "direct", to=5, type="report.received")], [waiting, joining])
    assert waiting.sent == ['{"type":"report.received","seq":3}']
    assert joining.sent == [] and [e.seq for e in joining.backlog] == [1]


def test_control_events_reach_the_consumers_they_name():
    admitted, other = FakeConsumer(5, state=live_hub.LOBBY), FakeConsumer(6)
    joined = Outgoing(1, "all", None, None, '{"type":"presence.joined","seq":1,"participant":{"id":5}}')
    removed = Outgoing(2, "all", None, None, '{"type":"participant.removed","seq":2,"participant_id":6}')
    run([joined, removed], [admitted, other])
    assert admitted.controls == ["presence.joined"] and other.controls == ["participant.removed"]
    ended = Outgoing(3, "all", None, None, '{"type":"session.ended","seq":3}')
    run([ended], [admitted, other])
    assert admitted.controls[-1] == other.controls[-1] == "session.ended"


def test_event_type_is_read_without_parsing():
    assert live_hub.event_type('{"type":"chat.message","seq":1}') == "chat.message"
    assert live_hub.event_type('{"seq": 1, "type": "x"}') == "x"


def test_token_bucket_and_rate_parsing():
    from live.consumers import TokenBucket, parse_rate

    assert parse_rate("10/10s") == (10, 10.0)
    assert parse_rate("30/m") == (30, 60.0)
    now = [0.0]
    bucket = TokenBucket(3, 3.0, clock=lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    now[0] = 1.0
    assert bucket.take() is True and bucket.take() is False
