"""What `rtc.signal` may carry (docs/live-protocol.md, "rtc.signal").

The server relays WebRTC signalling between two cameras, so that relay must
not become a private text channel (between a young person and an adult
above all). `signal_data_clean` accepts only the shapes
live/static/live/video.js sends, checked against SDP and ICE syntax:

- `{description: {type, sdp}}`: `type` `offer` or `answer`; `sdp` printable
  ASCII lines `x=...` (only the line types browsers write: v o s t c b a m),
  starting `v=0`, `o=`, `s=`, at most `SDP_MAX_CHARS`;
- `{description: {type, sdp_deflate}}`: the same SDP raw-deflated, in
  base64; inflated here (never past `SDP_MAX_CHARS`) and checked the same;
- `{candidate: {candidate, sdpMid?, sdpMLineIndex?, usernameFragment?}}`
  (`RTCIceCandidate.toJSON()`): `candidate` is the ICE grammar
  (`candidate:<foundation> <component> udp|tcp <priority> <address> <port>
  typ host|srflx|prflx|relay`, then only the extensions browsers write:
  raddr, rport, generation, ufrag, network-id, network-cost, tcptype),
  the address an IP or a browser's mDNS name (`<uuid>.local`), at most
  `CANDIDATE_MAX_CHARS`; or "" (end of candidates).

Any other key, type or text is refused with `SignalInvalid`. Who may signal
whom is checked by `live.room.rtc_signal`.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import zlib

SDP_MAX_CHARS = 16_384
CANDIDATE_MAX_CHARS = 400
DEFLATED_MAX_CHARS = 8_192

DESCRIPTION_TYPES = frozenset({"offer", "answer"})
_SDP_LINE = re.compile(r"[vosctbm]=[\x20-\x7e]+|a=[A-Za-z0-9-]+(?::[\x20-\x7e]*)?")

_ICE_CHARS = re.compile(r"[A-Za-z0-9+/]+")
_DIGITS = re.compile(r"[0-9]+")
_MDNS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.local", re.IGNORECASE)
_IP_CHARS = re.compile(r"[0-9A-Fa-f:.]+")
_MID = re.compile(r"[A-Za-z0-9_-]{1,16}")
_TRANSPORTS = frozenset({"udp", "tcp"})
_CANDIDATE_TYPES = frozenset({"host", "srflx", "prflx", "relay"})
_CANDIDATE_KEYS = frozenset({"candidate", "sdpMid", "sdpMLineIndex", "usernameFragment"})


class SignalInvalid(ValueError):
    """`data` is not signalling a browser sends (the reason, for logs and tests)."""


def signal_data_clean(data) -> dict:
    """`data` if it is exactly a description or a candidate, else
    `SignalInvalid`."""
    if not isinstance(data, dict) or len(data) != 1:
        raise SignalInvalid("data must have exactly one key")
    if "description" in data:
        _description_check(data["description"])
    elif "candidate" in data:
        _candidate_json_check(data["candidate"])
    else:
        raise SignalInvalid("unknown key")
    return data


# --- Descriptions -----------------------------------------------------------------


def _description_check(description) -> None:
    if not isinstance(description, dict) or set(description) not in ({"type", "sdp"}, {"type", "sdp_deflate"}):
        raise SignalInvalid("description must be {type, sdp} or {type, sdp_deflate}")
    if description["type"] not in DESCRIPTION_TYPES:
        raise SignalInvalid("description type must be offer or answer")
    if "sdp" in description:
        sdp_check(description["sdp"])
    else:
        sdp_check(sdp_inflate(description["sdp_deflate"]))


def sdp_inflate(packed) -> str:
    """The SDP in a base64 raw-deflate string, never inflating more than
    `SDP_MAX_CHARS` (a small deflate stream can inflate a thousandfold)."""
    if not isinstance(packed, str) or not packed or len(packed) > DEFLATED_MAX_CHARS:
        raise SignalInvalid("sdp_deflate must be a short string")
    try:
        raw = base64.b64decode(packed, validate=True)
    except (binascii.Error, ValueError) as error:
        raise SignalInvalid("sdp_deflate is not base64") from error
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        text = inflater.decompress(raw, SDP_MAX_CHARS + 1)
    except zlib.error as error:
        raise SignalInvalid("sdp_deflate is not raw deflate") from error
    if len(text) > SDP_MAX_CHARS or inflater.unconsumed_tail:
        raise SignalInvalid("inflated sdp too long")
    if not inflater.eof or inflater.unused_data:
        raise SignalInvalid("sdp_deflate is not one complete deflate stream")
    try:
        return text.decode("ascii")
    except UnicodeDecodeError as error:
        raise SignalInvalid("sdp is not ASCII") from error


def sdp_check(sdp) -> None:
    """An SDP offer or answer as a browser writes it: `v=0`, `o=`, `s=`
    first, then only `x=value` lines of the types browsers use, printable
    ASCII, CRLF (or LF) separated."""
    if not isinstance(sdp, str) or not sdp:
        raise SignalInvalid("sdp must be a string")
    if len(sdp) > SDP_MAX_CHARS:
        raise SignalInvalid("sdp too long")
    lines = re.split(r"\r?\n", sdp)
    if lines[-1] == "":
        lines.pop()
    if len(lines) < 3 or lines[0] != "v=0" or not lines[1].startswith("o=") or not lines[2].startswith("s="):
        raise SignalInvalid("sdp must start with v=0, o=, s=")
    for line in lines:
        if not _SDP_LINE.fullmatch(line):
            raise SignalInvalid("not an sdp line")


# --- Candidates -------------------------------------------------------------------


def _candidate_json_check(candidate) -> None:
    if not isinstance(candidate, dict) or "candidate" not in candidate or not set(candidate) <= _CANDIDATE_KEYS:
        raise SignalInvalid("candidate must be RTCIceCandidate.toJSON()")
    mid = candidate.get("sdpMid")
    if mid is not None and not (isinstance(mid, str) and _MID.fullmatch(mid)):
        raise SignalInvalid("sdpMid")
    index = candidate.get("sdpMLineIndex")
    if index is not None and not (isinstance(index, int) and not isinstance(index, bool) and 0 <= index <= 63):
        raise SignalInvalid("sdpMLineIndex")
    ufrag = candidate.get("usernameFragment")
    if ufrag is not None and not _ice_chars(ufrag, 4, 64):
        raise SignalInvalid("usernameFragment")
    candidate_check(candidate["candidate"])


def _ice_chars(value, shortest: int, longest: int) -> bool:
    return isinstance(value, str) and shortest <= len(value) <= longest and bool(_ICE_CHARS.fullmatch(value))


def _number(value: str, longest: int, top: int, bottom: int = 0) -> bool:
    return len(value) <= longest and bool(_DIGITS.fullmatch(value)) and bottom <= int(value) <= top


def _address(value: str) -> bool:
    if _MDNS.fullmatch(value):
        return True
    if not _IP_CHARS.fullmatch(value) or len(value) > 45:
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


_EXTENSIONS = {
    "raddr": _address,
    "rport": lambda v: _number(v, 5, 65535),
    "generation": lambda v: _number(v, 10, 2**32 - 1),
    "ufrag": lambda v: _ice_chars(v, 4, 64),
    "network-id": lambda v: _number(v, 5, 65535),
    "network-cost": lambda v: _number(v, 5, 65535),
    "tcptype": lambda v: v in ("active", "passive", "so"),
}


def candidate_check(text) -> None:
    """An ICE candidate attribute (RFC 8839) as browsers write it, or ""
    (end of candidates)."""
    if not isinstance(text, str):
        raise SignalInvalid("candidate must be a string")
    if text == "":
        return
    if len(text) > CANDIDATE_MAX_CHARS:
        raise SignalInvalid("candidate too long")
    parts = text.split(" ")
    if len(parts) < 8 or len(parts) % 2:
        raise SignalInvalid("not an ICE candidate")
    head, component, transport, priority, address, port, typ, kind = parts[:8]
    prefix, _, foundation = head.partition(":")
    if not (
        prefix == "candidate"
        and _ice_chars(foundation, 1, 32)
        and _number(component, 3, 256, 1)
        and transport.lower() in _TRANSPORTS
        and _number(priority, 10, 2**32 - 1)
        and _address(address)
        and _number(port, 5, 65535)
        and typ == "typ"
        and kind in _CANDIDATE_TYPES
    ):
        raise SignalInvalid("not an ICE candidate")
    seen = set()
    for name, value in zip(parts[8::2], parts[9::2], strict=True):
        check = _EXTENSIONS.get(name)
        if check is None or name in seen or not check(value):
            raise SignalInvalid("unknown or malformed candidate extension")
        seen.add(name)
