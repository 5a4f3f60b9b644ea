"""BigBlueButton: the meeting of a live session and per-participant join URLs.

API calls are `LIVE_BBB_URL + call + "?" + query + "&checksum=" + X` with
X = hex(sha1(call + query + LIVE_BBB_SECRET)), the query exactly as sent
(without the checksum). Newer servers also accept sha256
(settings.LIVE_BBB_CHECKSUM = "sha256").

- `create` is idempotent: for a meetingID that is already running, BBB
  answers SUCCESS with the existing meeting. We call it just before every
  join, so a meeting that BBB ended (empty for a while, or restarted) comes
  back without anyone noticing.
- A join URL is a bearer credential (whoever has it enters with that name
  and role): minted per participant at the moment they click, never stored,
  never put into a page.

Safeguarding settings on every meeting: private chat is disabled (no one to
one messages between adults and young people), nothing is recorded, and
everyone a join URL is minted for is accepted (the platform's own lobby
already decided who may come in; BBB's guest lobby would ask again).
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote, urlencode
from xml.etree import ElementTree

from django.conf import settings

from live.models import LiveSession, Participant

TIMEOUT_SECONDS = 5
MAX_RESPONSE_BYTES = 256 * 1024
CHECKSUM_ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256}


class BBBError(Exception):
    """The video room could not be prepared. `reason` is one of
    "not_configured", "unreachable", "refused" (BBB answered FAILED or
    something that is not a BBB answer)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Meeting:
    meeting_id: str
    create_time: str


def is_configured() -> bool:
    return bool(settings.LIVE_BBB_URL and settings.LIVE_BBB_SECRET)


def _algorithm() -> str:
    name = str(getattr(settings, "LIVE_BBB_CHECKSUM", "sha1") or "sha1").lower()
    if name not in CHECKSUM_ALGORITHMS:
        raise BBBError("not_configured", f"LIVE_BBB_CHECKSUM must be one of {sorted(CHECKSUM_ALGORITHMS)}")
    return name


def checksum(call: str, query: str, secret: str, algorithm: str = "sha1") -> str:
    return CHECKSUM_ALGORITHMS[algorithm]((call + query + secret).encode("utf-8")).hexdigest()


def api_url(call: str, params: list[tuple[str, str]]) -> str:
    """The signed URL of an API call. Spaces are sent as %20 (quote): the
    checksum covers the query exactly as it is sent, whatever the encoding."""
    if not is_configured():
        raise BBBError("not_configured", "LIVE_BBB_URL and LIVE_BBB_SECRET must both be set")
    query = urlencode(params, quote_via=quote)
    base = settings.LIVE_BBB_URL if settings.LIVE_BBB_URL.endswith("/") else settings.LIVE_BBB_URL + "/"
    signature = checksum(call, query, settings.LIVE_BBB_SECRET, _algorithm())
    return f"{base}{call}?{query}&checksum={signature}" if query else f"{base}{call}?checksum={signature}"


def meeting_id(session: LiveSession) -> str:
    """Stable per session: every create and join of the session names the
    same meeting."""
    return f"bridgeline-{session.pk}"


def create_params(session: LiveSession, *, end_callback_url: str = "") -> list[tuple[str, str]]:
    params = [
        ("name", session.title),
        ("meetingID", meeting_id(session)),
        ("record", "false"),
        ("autoStartRecording", "false"),
        ("allowStartStopRecording", "false"),
        ("lockSettingsDisablePrivateChat", "true"),
        ("disabledFeatures", "privateChat"),
        ("guestPolicy", "ALWAYS_ACCEPT"),
    ]
    if end_callback_url:
        params.append(("meta_endCallbackUrl", end_callback_url))
    return params


def create_url(session: LiveSession, *, end_callback_url: str = "") -> str:
    return api_url("create", create_params(session, end_callback_url=end_callback_url))


def join_params(session: LiveSession, participant: Participant, *, create_time: str = "") -> list[tuple[str, str]]:
    params = [
        ("fullName", participant.display_name),
        ("meetingID", meeting_id(session)),
        ("role", "MODERATOR" if participant.is_staff else "VIEWER"),
        ("userID", str(participant.pk)),
    ]
    if create_time:
        params.append(("createTime", create_time))
    return params


def join_url(session: LiveSession, participant: Participant, *, create_time: str = "") -> str:
    return api_url("join", join_params(session, participant, create_time=create_time))


def _call(url: str) -> ElementTree.Element:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (our configured https URL)
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise BBBError("refused", f"HTTP {error.code}") from error
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise BBBError("unreachable", str(error)) from error
    if len(body) > MAX_RESPONSE_BYTES:
        raise BBBError("refused", "response too large")
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise BBBError("refused", "not XML") from error


def meeting_create(session: LiveSession, *, end_callback_url: str = "") -> Meeting:
    """Create the session's meeting, or find it running (BBB's create is
    idempotent). Raises BBBError."""
    root = _call(create_url(session, end_callback_url=end_callback_url))
    if (root.findtext("returncode") or "").strip() != "SUCCESS":
        key = (root.findtext("messageKey") or "").strip()
        message = (root.findtext("message") or "").strip()
        raise BBBError("refused", f"{key} {message}".strip())
    return Meeting(
        meeting_id=(root.findtext("meetingID") or meeting_id(session)).strip(),
        create_time=(root.findtext("createTime") or "").strip(),
    )
