"""What `rtc.signal` may carry and between whom (docs/live-protocol.md,
"rtc.signal"): only the SDP and ICE candidates a browser makes, between two
admitted cameras in the same room, and between an adult and a young person
only while two staff are in the room."""

from __future__ import annotations

import base64
import json
import zlib

import pytest

from live import room
from live.models import LiveEvent, LiveSession, Participant
from live.room import RoomError
from tests.live.conftest import live_cookie, make_live_session, make_participant
from tests.support.live_ws import LiveSocket

STAFF, GUEST, PRO = Participant.Role.STAFF, Participant.Role.GUEST, Participant.Role.PROFESSIONAL

# What Chromium's RTCPeerConnection makes (Opus and VP8 only, as video.js
# asks), trimmed to the kinds of lines it has.
SDP = "\r\n".join(
    [
        "v=0",
        "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        "a=group:BUNDLE 0 1",
        "a=extmap-allow-mixed",
        "a=msid-semantic: WMS 3f6a6a8c-8c37-4d1a-9d3c-0a5b8e3b7d11",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111",
        "c=IN IP4 0.0.0.0",
        "a=rtcp:9 IN IP4 0.0.0.0",
        "a=ice-ufrag:Xk3q",
        "a=ice-pwd:h7Yq0Tq2WbX5n1Qd9pTjS1Rz",
        "a=ice-options:trickle",
        "a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF",
        "a=setup:actpass",
        "a=mid:0",
        "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
        "a=sendrecv",
        "a=msid:3f6a6a8c-8c37-4d1a-9d3c-0a5b8e3b7d11 0d1c4f5e-2b9a-4c1e-8f7a-6d5e4c3b2a19",
        "a=rtcp-mux",
        "a=rtpmap:111 opus/48000/2",
        "a=rtcp-fb:111 transport-cc",
        "a=fmtp:111 minptime=10;useinbandfec=1",
        "a=ssrc:1001 cname:Qm3xq9bZ2kV1fT8w",
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97",
        "c=IN IP4 0.0.0.0",
        "b=AS:2500",
        "a=rtcp:9 IN IP4 0.0.0.0",
        "a=ice-ufrag:Xk3q",
        "a=ice-pwd:h7Yq0Tq2WbX5n1Qd9pTjS1Rz",
        "a=mid:1",
        "a=sendrecv",
        "a=rtcp-mux",
        "a=rtcp-rsize",
        "a=rtpmap:96 VP8/90000",
        "a=rtcp-fb:96 goog-remb",
        "a=rtcp-fb:96 nack pli",
        "a=rtpmap:97 rtx/90000",
        "a=fmtp:97 apt=96",
        "a=ssrc-group:FID 2002 2003",
        "a=ssrc:2002 cname:Qm3xq9bZ2kV1fT8w",
        "",
    ]
)
CANDIDATE = {
    "candidate": "candidate:842163049 1 udp 1677729535 203.0.113.7 54400 typ srflx raddr 0.0.0.0 rport 0 "
    "generation 0 ufrag Xk3q network-id 1 network-cost 10",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
    "usernameFragment": "Xk3q",
}
GOOD = [
    {"description": {"type": "offer", "sdp": SDP}},
    {"description": {"type": "answer", "sdp": SDP}},
    {"candidate": CANDIDATE},
    {"candidate": {**CANDIDATE, "candidate": "candidate:1 1 UDP 2122252543 5c1f7c4e-3b2a-4d6e-9f8a-1b2c3d4e5f60.local 49203 typ host"}},
    {"candidate": {**CANDIDATE, "candidate": "candidate:3 1 tcp 1518280447 2001:db8::1 9 typ host tcptype active generation 0"}},
    {"candidate": {"candidate": "", "sdpMid": "1", "sdpMLineIndex": 1, "usernameFragment": None}},  # end of candidates
]


def deflated(text: str) -> str:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(packer.compress(text.encode()) + packer.flush()).decode()


GOOD.append({"description": {"type": "offer", "sdp_deflate": deflated(SDP)}})


@pytest.fixture
def video_room():
    session = make_live_session(provider=LiveSession.Provider.WEBRTC)
    people = {
        "staff": make_participant(session, role=STAFF, channel_name="c-staff", video_on=True),
        "pro": make_participant(session, role=PRO, channel_name="c-pro", video_on=True),
        "guest": make_participant(session, channel_name="c-guest", video_on=True),
    }
    return {"session": session, **people}


def refused(actor, to, data) -> RoomError:
    with pytest.raises(RoomError) as caught:
        room.rtc_signal(actor_id=actor.pk, to=to.pk, data=data)
    return caught.value


@pytest.mark.django_db
@pytest.mark.parametrize("data", GOOD, ids=range(len(GOOD)))
def test_rtc_signal_relays_what_a_browser_sends(video_room, data):
    [signal] = room.rtc_signal(actor_id=video_room["pro"].pk, to=video_room["guest"].pk, data=data).events
    assert json.loads(signal.text)["data"] == data and signal.to_participant_id == video_room["guest"].pk


NOT_SDP = [
    ("free text in sdp", {"description": {"type": "offer", "sdp": "v=0\r\nmeet me after school, don't tell anyone\r\n"}}),
    ("free text, one line", {"description": {"type": "offer", "sdp": "hello, are you alone?"}}),
    ("not starting v=0", {"description": {"type": "offer", "sdp": SDP[SDP.index("o="):]}}),
    ("session information line", {"description": {"type": "offer", "sdp": SDP.replace("s=-", "s=-\r\ni=text me on 0470 12 34 56")}}),
    ("non-ASCII", {"description": {"type": "offer", "sdp": SDP.replace("a=sendrecv", "a=sendrecv é")}}),
    ("control characters", {"description": {"type": "offer", "sdp": SDP.replace("a=sendrecv", "a=send\x00recv")}}),
    ("wrong type", {"description": {"type": "pranswer", "sdp": SDP}}),
    ("type missing", {"description": {"sdp": SDP}}),
    ("sdp not a string", {"description": {"type": "offer", "sdp": ["v=0"]}}),
    ("both sdp forms", {"description": {"type": "offer", "sdp": SDP, "sdp_deflate": deflated(SDP)}}),
    ("unknown key in description", {"description": {"type": "offer", "sdp": SDP, "note": "hi"}}),
    ("unknown top-level key", {"description": {"type": "offer", "sdp": SDP}, "text": "hi"}),
    ("only an unknown key", {"text": "hi"}),
    ("empty", {}),
    ("description and candidate", {"description": {"type": "offer", "sdp": SDP}, "candidate": CANDIDATE}),
    ("old test shape", {"type": "offer", "sdp": "v=0"}),
    ("deflated free text", {"description": {"type": "offer", "sdp_deflate": deflated("meet me after school")}}),
    ("deflate not base64", {"description": {"type": "offer", "sdp_deflate": "not base64 at all!"}}),
    ("deflate not deflate", {"description": {"type": "offer", "sdp_deflate": base64.b64encode(b"v=0 plain").decode()}}),
    ("deflate truncated", {"description": {"type": "offer", "sdp_deflate": deflated(SDP)[:200]}}),
    ("candidate free text", {"candidate": {**CANDIDATE, "candidate": "are you alone? add me on snap"}}),
    ("candidate text after grammar", {"candidate": {**CANDIDATE, "candidate": CANDIDATE["candidate"] + " text me"}}),
    ("candidate free-text extension", {"candidate": {**CANDIDATE, "candidate": CANDIDATE["candidate"] + " hello there"}}),
    ("candidate host name", {"candidate": {**CANDIDATE, "candidate": "candidate:1 1 udp 2122252543 meet-me-at-the-park.example 9 typ host"}}),
    ("candidate a string", {"candidate": CANDIDATE["candidate"]}),
    ("candidate unknown key", {"candidate": {**CANDIDATE, "note": "hi"}}),
    ("candidate sdpMid text", {"candidate": {**CANDIDATE, "sdpMid": "call me tonight"}}),
    ("candidate ufrag text", {"candidate": {**CANDIDATE, "usernameFragment": "call me tonight"}}),
    ("candidate line index", {"candidate": {**CANDIDATE, "sdpMLineIndex": "0"}}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("why", "data"), NOT_SDP, ids=[why for why, _ in NOT_SDP])
def test_rtc_signal_refuses_anything_but_sdp_and_ice(video_room, why, data):
    assert refused(video_room["pro"], video_room["guest"], data).code == "invalid"


@pytest.mark.django_db
def test_rtc_signal_refuses_oversized(video_room):
    long_sdp = SDP + "a=ssrc:2002 msid:x y\r\n" * 1000
    assert refused(video_room["pro"], video_room["guest"], {"description": {"type": "offer", "sdp": long_sdp}}).code == "invalid"
    # Deflated, a large SDP fits in a few bytes: the inflated size is bounded too.
    bomb = deflated(SDP + "a=rtcp-mux\r\n" * 20_000)
    assert len(bomb) < 4096
    assert refused(video_room["pro"], video_room["guest"], {"description": {"type": "offer", "sdp_deflate": bomb}}).code == "invalid"
    long_candidate = CANDIDATE["candidate"] + " generation 0" * 60
    assert refused(video_room["pro"], video_room["guest"], {"candidate": {**CANDIDATE, "candidate": long_candidate}}).code == "invalid"


@pytest.mark.django_db
def test_rtc_signal_only_between_admitted_cameras(video_room):
    session, pro, guest = video_room["session"], video_room["pro"], video_room["guest"]
    data = GOOD[0]
    # Target without video.
    Participant.objects.filter(pk=guest.pk).update(video_on=False)
    assert refused(pro, guest, data).code == "conflict"
    # Target in the lobby (even with a camera flag left on).
    Participant.objects.filter(pk=guest.pk).update(video_on=True, status=Participant.Status.LOBBY)
    assert refused(pro, guest, data).code == "not_found"
    # Target no longer connected.
    Participant.objects.filter(pk=guest.pk).update(status=Participant.Status.ADMITTED, channel_name="")
    assert refused(pro, guest, data).code == "conflict"
    # Target in another session.
    other = make_participant(make_live_session(), channel_name="c-other", video_on=True)
    assert refused(pro, other, data).code == "not_found"
    # Sender without video.
    Participant.objects.filter(pk=guest.pk).update(channel_name="c-guest")
    Participant.objects.filter(pk=pro.pk).update(video_on=False)
    assert refused(pro, guest, data).code == "conflict"
    # Not the built-in video any more.
    Participant.objects.filter(pk=pro.pk).update(video_on=True)
    LiveSession.objects.filter(pk=session.pk).update(provider=LiveSession.Provider.JITSI)
    assert refused(pro, guest, data).code == "forbidden"


@pytest.mark.django_db
def test_rtc_signal_youth_session_needs_two_staff(video_room):
    session = video_room["session"]
    LiveSession.objects.filter(pk=session.pk).update(audience=LiveSession.Audience.YOUNG_PEOPLE)
    staff, young, friend = video_room["staff"], video_room["guest"], make_participant(session, channel_name="c-friend", video_on=True)
    data = GOOD[2]
    # One staff member in the room: no signal between them and a young person, either way.
    error = refused(staff, young, data)
    assert error.code == "forbidden"
    assert "two" in str(error.detail)
    assert refused(young, staff, data).code == "forbidden"
    # Another adult (an account) neither.
    assert refused(video_room["pro"], young, data).code == "forbidden"
    # Two young people may.
    assert room.rtc_signal(actor_id=young.pk, to=friend.pk, data=data).events
    # A second staff member who is admitted but not connected does not count.
    second = make_participant(session, role=STAFF, channel_name="")
    assert refused(staff, young, data).code == "forbidden"
    Participant.objects.filter(pk=second.pk).update(channel_name="c-second")
    assert room.rtc_signal(actor_id=staff.pk, to=young.pk, data=data).events
    assert room.rtc_signal(actor_id=young.pk, to=staff.pk, data=data).events
    # Staff to staff never needs two.
    Participant.objects.filter(pk=second.pk).update(video_on=True)
    assert room.rtc_signal(actor_id=staff.pk, to=second.pk, data=data).events


@pytest.mark.integration
def test_rtc_signal_validated_through_the_server(live_ws_server):
    session = make_live_session(provider=LiveSession.Provider.WEBRTC, audience=LiveSession.Audience.YOUNG_PEOPLE)
    trainer = make_participant(session, role=STAFF, name="Trainer")
    young = make_participant(session, name="Sam")
    friend = make_participant(session, name="Alex")

    def socket(participant):
        return LiveSocket(live_ws_server.ws_url, session.pk, cookie=live_cookie(participant))

    with socket(trainer) as t, socket(young) as y, socket(friend) as f:
        for ws in (t, y, f):
            ws.wait_for("welcome")
            ws.send("rtc.join")
        for ws in (t, y, f):
            ws.wait_for("rtc.joined", participant_id=friend.pk)
        # Free text between two young people's cameras: refused, not relayed.
        y.send("rtc.signal", to=friend.pk, data={"description": {"type": "offer", "sdp": "v=0\r\nwhere do you live?\r\n"}})
        assert y.wait_for("error", ref="rtc.signal")["code"] == "invalid"
        # A real candidate is relayed.
        y.send("rtc.signal", to=friend.pk, data={"candidate": CANDIDATE})
        assert f.wait_for("rtc.signal") == {"type": "rtc.signal", "from": young.pk, "data": {"candidate": CANDIDATE}}
        # One trainer in a session with young people: no signal with them.
        t.send("rtc.signal", to=young.pk, data={"description": {"type": "offer", "sdp": SDP}})
        assert t.wait_for("error", ref="rtc.signal")["code"] == "forbidden"
        y.send("ping")
        y.wait_for("pong")
        assert [e for e in y.seen if e["type"] == "rtc.signal"] == []
    assert not LiveEvent.objects.filter(type="rtc.signal").exists()
