"""Joining a live session: from a typed code or a link to a `Participant`
remembered in the browser session (live/identity.py), which the room page
and the websocket then read back.

Who joins how:
- staff of the session (live.identity.is_session_staff) join as `staff`,
  admitted at once, whatever the capacity or the lock;
- in a session for professionals, a logged-in user joins with their account
  as `professional` (waiting in the lobby when the session has one);
  anonymous visitors must log in unless the session allows guests;
- guests (sessions with young people always; professional sessions only with
  `allow_guests`) give a display name and nothing else. Young people give a
  first name only (the first word), and no account is linked, even when
  someone happens to be logged in: least data about young people.

Codes are 40 bits and only work in the join window; failed look-ups spend a
per-address budget in the shared cache, so nobody can walk the code space.
A wrong, expired, malformed or ended session's code all get the same
answer (no enumeration). A valid code opened before its window is not a
failure: it says which session it is and when it opens, and spends nothing
(whoever has the right code may know that much).

Joining again is idempotent: an account has one participant per session
(unique constraint), a guest the one their browser session remembers. A
removed participant stays removed, and after a removal new guests wait in
the lobby for the rest of the session (LiveSession.guest_lobby), so a
removed guest who clears their cookies cannot walk straight back in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.failures import failure_record, failures_exhausted

from .codes import join_code_normalise
from .identity import is_session_staff, participant_from_session, remember_participant
from .models import LiveSession, Participant

# Failed code look-ups per address and window (shared cache: every process).
JOIN_FAILURES_LIMIT = getattr(settings, "LIVE_JOIN_FAILURES_LIMIT", 20)
JOIN_FAILURES_WINDOW = getattr(settings, "LIVE_JOIN_FAILURES_WINDOW", 600)

DISPLAY_NAME_MAX = 40

INVALID_CODE_MESSAGE = gettext_lazy("This code is not valid or the session is not open now.")
RATE_LIMITED_MESSAGE = gettext_lazy("Too many attempts with wrong codes. Please wait ten minutes and try again.")
NOT_OPEN_MESSAGE = gettext_lazy("This session is not open yet.")


class JoinRefused(Exception):
    """A join that cannot happen; `message` is for the person joining. A
    "not_open" refusal also names the `session` and when its code starts
    working (`opens_at`)."""

    def __init__(self, message, *, code: str, session: LiveSession | None = None, opens_at=None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.session = session
        self.opens_at = opens_at


# --- Finding the session -------------------------------------------------------------


def _failures_key(address: str) -> str:
    return f"live:join-failures:{address}"


def join_blocked(address: str) -> bool:
    return failures_exhausted(_failures_key(address), limit=JOIN_FAILURES_LIMIT)


def join_failure_record(address: str) -> None:
    failure_record(_failures_key(address), window_seconds=JOIN_FAILURES_WINDOW)


def session_for_code(text: object, *, address: str, now=None) -> LiveSession:
    """The open session whose join code `text` is (typing forgiven), or
    JoinRefused. Only failed look-ups spend the address's budget, so a whole
    class joining from one school address is never slowed, and nor is
    someone opening their link before the room opens ("not_open")."""
    if join_blocked(address):
        raise JoinRefused(RATE_LIMITED_MESSAGE, code="rate_limited")
    code = join_code_normalise(text)
    session = None
    if code is not None:
        session = LiveSession.objects.select_related("partner").filter(join_code=code).first()
    now = now or timezone.now()
    if session is not None and session.status == LiveSession.Status.SCHEDULED:
        opens_at = session.join_window()[0]
        if now < opens_at:
            raise JoinRefused(NOT_OPEN_MESSAGE, code="not_open", session=session, opens_at=opens_at)
    if session is None or not session.is_joinable(now):
        join_failure_record(address)
        raise JoinRefused(INVALID_CODE_MESSAGE, code="invalid")
    return session


# --- How this visitor joins --------------------------------------------------------


class Way:
    STAFF = "staff"
    PROFESSIONAL = "professional"
    GUEST = "guest"
    LOGIN = "login"


def join_way(session: LiveSession, user) -> str:
    """How `user` (possibly anonymous) joins `session`."""
    if is_session_staff(user, session):
        return Way.STAFF
    if session.is_youth:
        return Way.GUEST
    if getattr(user, "is_authenticated", False):
        return Way.PROFESSIONAL
    return Way.GUEST if session.allow_guests else Way.LOGIN


def consent_age(session: LiveSession) -> int:
    """The digital age of consent of the session partner's country."""
    return settings.LIVE_CONSENT_AGE.get(session.partner.country, 16)


# --- Display names ------------------------------------------------------------------

_URL_LIKE = re.compile(r"(://|www\.|\b[\w-]+\.(?:[a-z]{2,})(?:/|\b))", re.IGNORECASE)
_DIGITS = re.compile(r"\d")


def display_name_clean(text: object, *, first_name_only: bool) -> str:
    """A guest's display name: 1–40 characters of plain text, no contact
    details (web or email addresses, phone numbers). Young people give their
    first name only: the first word is kept."""
    if not isinstance(text, str):
        raise ValidationError(_("Enter a name."), code="required")
    # Control and format characters (including bidi overrides) never belong in a name.
    text = "".join(ch for ch in unicodedata.normalize("NFC", text) if unicodedata.category(ch)[0] != "C" or ch in " \t")
    name = " ".join(text.split())
    if not name:
        raise ValidationError(_("Enter a name."), code="required")
    if "@" in name:
        raise ValidationError(_("Please give a name only, without an email address."), code="contact")
    if _URL_LIKE.search(name):
        raise ValidationError(_("Please give a name only, without a web address."), code="contact")
    if len(_DIGITS.findall(name)) >= 5:
        raise ValidationError(_("Please give a name only, without a phone number."), code="contact")
    if first_name_only:
        name = name.split(" ")[0]
    if len(name) > DISPLAY_NAME_MAX:
        raise ValidationError(
            _("Use at most %(max)d characters.") % {"max": DISPLAY_NAME_MAX}, code="too_long"
        )
    return name


# The name shown for an account that has no name yet (never its email).
NAMELESS_LABEL = gettext_lazy("Participant")


def account_display_name(user) -> str:
    """The name everyone in a room sees for someone who joins with their
    account (staff and professionals, all adults): their given name and the
    initial of their family name, "Marie D.". Never the email address: an
    account without a name yet shows as "Participant". Guests (and so every
    young person) keep the name they typed (`display_name_clean`)."""
    given, family = (
        " ".join("".join(ch for ch in part if unicodedata.category(ch)[0] != "C").split())
        for part in user.name_parts()
    )
    # Names typed before they were checked may hold anything.
    if not given or "@" in given or "@" in family:
        return str(NAMELESS_LABEL)[:DISPLAY_NAME_MAX]
    initial = next((ch for ch in family if ch.isalpha()), family[:1])
    if not initial:
        return given[:DISPLAY_NAME_MAX]
    return f"{given[: DISPLAY_NAME_MAX - 3].rstrip()} {initial.upper()[:1]}."


# --- Joining ------------------------------------------------------------------------


def _check_room(session: LiveSession, *, staff: bool) -> None:
    """Refusals that apply to someone new coming in (staff excepted)."""
    if staff:
        return
    if session.locked:
        raise JoinRefused(_("The room is locked: the trainers are not letting anyone else in."), code="locked")
    taken = session.participants.filter(
        status__in=[Participant.Status.ADMITTED, Participant.Status.LOBBY]
    ).count()
    if taken >= session.capacity:
        raise JoinRefused(_("This session is full."), code="full")


def _reuse(participant: Participant, session: LiveSession) -> Participant:
    if participant.status == Participant.Status.REMOVED:
        raise JoinRefused(_("A trainer removed you from this session; you cannot join it again."), code="removed")
    if session.locked and participant.status != Participant.Status.ADMITTED and not participant.is_staff:
        raise JoinRefused(_("The room is locked: the trainers are not letting anyone else in."), code="locked")
    return participant


def _ended_check(session: LiveSession) -> None:
    if session.status == LiveSession.Status.ENDED:
        raise JoinRefused(_("This session has ended."), code="ended")


# Apps above live register checks here (live never imports them): each is
# called as check(session=, user=) before a professional (not staff) first
# joins with their account, and raises JoinRefused to refuse. Registrations
# uses it: a session whose training takes registrations admits the
# registered only.
account_join_checks: list[Callable[..., None]] = []


def participant_join_account(*, session: LiveSession, user, django_session) -> Participant:
    """Staff or a logged-in professional joins with their account."""
    way = join_way(session, user)
    if way not in (Way.STAFF, Way.PROFESSIONAL):
        raise JoinRefused(_("You cannot join this session with your account."), code="forbidden")
    staff = way == Way.STAFF
    with transaction.atomic():
        locked_session = LiveSession.objects.select_for_update().select_related("partner").get(pk=session.pk)
        _ended_check(locked_session)
        existing = Participant.objects.filter(session=locked_session, user=user).first()
        if existing is not None:
            participant = _reuse(existing, locked_session)
            name = account_display_name(user)
            if participant.display_name != name:
                # The person gave or corrected their name since.
                participant.display_name = name
                participant.save(update_fields=["display_name"])
            if staff and (participant.role != Participant.Role.STAFF or participant.status != Participant.Status.ADMITTED):
                # Became staff since (made a trainer of the session): promote.
                participant.role = Participant.Role.STAFF
                participant.status = Participant.Status.ADMITTED
                participant.save(update_fields=["role", "status"])
        else:
            if not staff:
                for check in account_join_checks:
                    check(session=locked_session, user=user)
            _check_room(locked_session, staff=staff)
            status = (
                Participant.Status.ADMITTED
                if staff or not locked_session.lobby_enabled
                else Participant.Status.LOBBY
            )
            try:
                with transaction.atomic():
                    participant = Participant.objects.create(
                        session=locked_session,
                        user=user,
                        display_name=account_display_name(user),
                        role=Participant.Role.STAFF if staff else Participant.Role.PROFESSIONAL,
                        status=status,
                    )
            except IntegrityError:  # a parallel request of the same user won
                participant = Participant.objects.get(session=locked_session, user=user)
    remember_participant(django_session, participant)
    return participant


def participant_remembered(*, session: LiveSession, django_session, user) -> Participant | None:
    """The participant this browser already is in `session` (a guest coming
    back, or an account), checked: a removed one is refused."""
    participant = participant_from_session(session, django_session, user)
    if participant is None:
        return None
    return _reuse(participant, session)


def participant_join_guest(
    *, session: LiveSession, django_session, display_name: str, consent: bool, user=None, now=None
) -> Participant:
    """A guest joins with a display name only (already cleaned by
    `display_name_clean`), confirming the consent statement when the session
    asks for it. Never linked to an account."""
    if join_way(session, user) != Way.GUEST:
        raise JoinRefused(_("This session is open to registered participants only. Please log in."), code="forbidden")
    if session.consent_required and not consent:
        raise JoinRefused(_("Please confirm the consent statement to join."), code="consent")
    with transaction.atomic():
        locked_session = LiveSession.objects.select_for_update().select_related("partner").get(pk=session.pk)
        _ended_check(locked_session)
        remembered = participant_from_session(locked_session, django_session, None)
        if remembered is not None and remembered.user_id is None:
            participant = _reuse(remembered, locked_session)
        else:
            _check_room(locked_session, staff=False)
            participant = Participant.objects.create(
                session=locked_session,
                user=None,
                display_name=display_name,
                role=Participant.Role.GUEST,
                # After a removal, new guests wait whatever the lobby
                # setting (LiveSession.guest_lobby).
                status=(
                    Participant.Status.LOBBY
                    if locked_session.lobby_enabled or locked_session.guest_lobby
                    else Participant.Status.ADMITTED
                ),
                consent_given_at=(now or timezone.now()) if locked_session.consent_required else None,
            )
    remember_participant(django_session, participant)
    return participant
