"""Jitsi: one room per live session, with a signed token when the Jitsi
server requires one.

The room name is derived from the session id with an HMAC keyed by
SECRET_KEY: stable (everyone of the session lands in the same room, on every
click) but unguessable, and it says nothing about the session (a title could
name a school or a town). On a public Jitsi server anyone who knows a room
name can enter, so without LIVE_JITSI_SECRET the name is the only lock;
with it, the server only admits holders of a token we signed.

Token (HS256 with LIVE_JITSI_SECRET, as jitsi-meet's token auth expects):
iss = LIVE_JITSI_APP_ID, aud = "jitsi", sub = the Jitsi host, room, nbf,
exp = the session's scheduled end + 1 hour, context.user {id, name}
(the email only for account holders, never for guests), and moderator for
the session's staff.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from urllib.parse import urlencode, urlsplit

import jwt
from django.conf import settings
from django.utils import timezone

from live.models import LiveSession, Participant

TOKEN_VALID_AFTER_END = dt.timedelta(hours=1)
CLOCK_SKEW = dt.timedelta(minutes=1)


class JitsiError(Exception):
    """Jitsi is not configured."""


def is_configured() -> bool:
    return bool(settings.LIVE_JITSI_URL)


def room_name(session: LiveSession) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode("utf-8"), f"bridgeline-jitsi-room:{session.pk}".encode("ascii"), hashlib.sha256
    ).hexdigest()
    return f"bridgeline{digest[:32]}"


def _base_url() -> str:
    if not is_configured():
        raise JitsiError("LIVE_JITSI_URL is not set")
    base = settings.LIVE_JITSI_URL
    return base if base.endswith("/") else base + "/"


def domain() -> str:
    return urlsplit(_base_url()).hostname or ""


def token(session: LiveSession, participant: Participant, *, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    user = {"id": str(participant.pk), "name": participant.display_name}
    if participant.role != Participant.Role.GUEST and participant.user_id and participant.user.email:
        user["email"] = participant.user.email
    claims = {
        "iss": settings.LIVE_JITSI_APP_ID,
        "aud": "jitsi",
        "sub": domain(),
        "room": room_name(session),
        "iat": int(now.timestamp()),
        "nbf": int((now - CLOCK_SKEW).timestamp()),
        "exp": int((max(session.ends_at, now) + TOKEN_VALID_AFTER_END).timestamp()),
        "context": {"user": {**user, "moderator": participant.is_staff}},
        "moderator": participant.is_staff,
    }
    return jwt.encode(claims, settings.LIVE_JITSI_SECRET, algorithm="HS256")


def room_url(session: LiveSession, participant: Participant, *, now: dt.datetime | None = None) -> str:
    """Where `participant` enters the session's Jitsi room. With a token it
    is a bearer credential: minted when they click, never put into a page."""
    url = f"{_base_url()}{room_name(session)}"
    if settings.LIVE_JITSI_SECRET:
        url += "?" + urlencode({"jwt": token(session, participant, now=now)})
    return url
