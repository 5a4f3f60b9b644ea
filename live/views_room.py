"""The room page of a live session and its video door.

- `room`: the page the websocket client (static live/room.js) runs in. Who
  you are comes from the browser session (live/identity.py), set by the join
  page; everything the script needs arrives as one json_script config with
  the translated strings, so the script has no English of its own and no
  inline code.
- `video`: for BigBlueButton and Jitsi, mints the participant's join URL at
  the moment they click and redirects there. A join URL is a bearer
  credential, so it never appears in a page.

Both views only read; the one write is BigBlueButton's idempotent `create`.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from .identity import participant_from_session
from .models import LiveSession, Participant
from .video import bbb, jitsi, webrtc

logger = logging.getLogger(__name__)

CAMERA_POLICY = "camera=(self), microphone=(self), display-capture=(), geolocation=()"
NO_CAMERA_POLICY = "camera=(), microphone=(), display-capture=(), geolocation=()"


def join_url(session: LiveSession) -> str:
    """The join page (live/views.py): a code form, or a name form for a
    remembered session."""
    return reverse("live:join")


def _plural(singular: str, plural: str) -> list[str]:
    """The forms for 0, 1 and more (the rules of English, French and Dutch
    differ only at 0): room.js picks one by count."""
    return [ngettext(singular, plural, n) for n in (0, 1, 2)]


def room_strings() -> dict:
    """Every sentence room.js and video.js show, in the request's language.
    `%(name)s` placeholders are filled in by the script."""
    return {
        "connecting": _("Connecting to the room…"),
        "reconnecting": _("Reconnecting…"),
        "reconnect_in": _("The connection was lost. Trying again in %(seconds)s seconds…"),
        "connected": _("Connected to the room."),
        "admitted": _("A trainer let you in. Welcome to the room."),
        "in_lobby": _("You are in the waiting room. A trainer will let you in shortly."),
        "locked_wait": _("The room is locked at the moment. We keep trying to come in."),
        "offline": _("You are not connected at the moment. Please try again when the room is back."),
        "error_generic": _("Something went wrong. Please try again."),
        "removed_title": _("You were removed from the session"),
        "removed_text": _("A trainer has removed you from this session, so you cannot come back into the room."),
        "ended_title": _("The session has ended"),
        "ended_text": _("Thank you for taking part."),
        "not_found_text": _("This session is no longer available."),
        "too_many_title": _("The room is open in too many windows"),
        "too_many_text": _("This room is already open in other windows or tabs. Close one of them, then try again."),
        "rejoin_title": _("Please join the session again"),
        "rejoin_text": _("We could not tell who you are in this session any more (for example after logging out)."),
        "someone": _("Someone"),
        "you": _("you"),
        "role_staff": _("trainer"),
        "sending": _("Sending…"),
        "held_for_review": _("Waiting for a trainer to check this message before others see it."),
        "not_sent": _("Not sent."),
        "send_again": _("Send again"),
        "message_removed": _("A trainer removed this message."),
        "report": _("Report"),
        "report_message_about": _("About a message from %(name)s"),
        "report_person_about": _("About %(name)s"),
        "report_question_about": _("About a question from %(name)s"),
        "report_received": _("Thank you. The trainers have received your report."),
        "report_created": _("A participant sent a report to the trainers. Open the safeguarding reports to read it."),
        "delete": _("Delete"),
        "you_are_muted": _("A trainer has muted you in the chat. You can still follow the room."),
        "chat_paused": _("The trainers have paused the chat for everyone."),
        "chat_muted_all": _("The chat is paused for everyone."),
        "chat_unmuted_all": _("The chat is open again."),
        "private_to": _("Privately to %(name)s"),
        "no_other_staff": _("No other trainer is here"),
        "hand_raised": _("hand raised"),
        "muted_badge": _("muted in chat"),
        "camera_badge": _("camera on"),
        "mute_person": _("Mute in chat"),
        "unmute_person": _("Unmute in chat"),
        "mute_person_named": _("Mute %(name)s in the chat"),
        "unmute_person_named": _("Unmute %(name)s in the chat"),
        "remove": _("Remove"),
        "remove_named": _("Remove %(name)s from the session"),
        "remove_title": _("Remove this person?"),
        "remove_text": _("%(name)s will leave the room and cannot come back into this session."),
        "raise_hand": _("Raise hand"),
        "lower_hand": _("Lower hand"),
        "lower_hand_of": _("Lower"),
        "lower_hand_named": _("Lower the hand of %(name)s"),
        "in_spotlight": _("In the spotlight"),
        "answered": _("Answered"),
        "votes": _plural("%(count)s vote", "%(count)s votes"),
        "upvote": _("Me too"),
        "upvoted": _("You asked this too"),
        "mark_answered": _("Mark as answered"),
        "spotlight_on": _("Put in the spotlight"),
        "spotlight_off": _("Take out of the spotlight"),
        "vote": _("Vote"),
        "voted": _("Thank you for voting."),
        "poll_count": _plural("%(count)s vote (%(percent)s%%)", "%(count)s votes (%(percent)s%%)"),
        "poll_draft": _("Draft: only trainers see it"),
        "poll_open": _("Open: you can vote"),
        "poll_closed_label": _("Closed"),
        "poll_open_action": _("Open the poll"),
        "poll_close_action": _("Close the poll"),
        "poll_opened": _("A poll is open: %(question)s"),
        "poll_closed": _("The poll is closed: %(question)s"),
        "poll_options_count": _("A poll needs between 2 and 10 answers, one per line."),
        "admit": _("Let in"),
        "admit_named": _("Let %(name)s in"),
        "release": _("Show to everyone"),
        "reject": _("Reject"),
        "lock_room": _("Lock the room"),
        "unlock_room": _("Unlock the room"),
        "room_locked": _("The room is locked: nobody new can come in."),
        "room_unlocked": _("The room is open again."),
        "guest_lobby_on": _("Someone was removed from this session: from now on, new guests wait in the waiting room until a trainer lets them in."),
        "mute_all": _("Mute the chat for everyone"),
        "unmute_all": _("Open the chat again"),
        "end_title": _("End the session for everyone?"),
        "end_text": _("Everyone leaves the room and nobody can come back into this session."),
        "end_action": _("End the session"),
        # Shown to staff when fewer than two trainers are connected (0 or 1).
        "one_staff": [
            _("No trainer is connected. Sessions with young people need at least two trainers in the room."),
            _("Only one trainer is connected. Sessions with young people need at least two trainers in the room."),
            "",
        ],
        "mute_mic": _("Mute microphone"),
        "unmute_mic": _("Unmute microphone"),
        "camera_off": _("Turn camera off"),
        "camera_on": _("Turn camera on"),
        "you_video": _("%(name)s (you)"),
        "video_unsupported": _("This browser cannot show the built-in video. Please try a recent Firefox, Chrome, Edge or Safari."),
        "camera_denied": _("The browser did not allow the camera and microphone. Check the permission next to the address bar, then try again."),
        "camera_failed": _("Your camera or microphone could not be started. Is another app using it?"),
    }


def _participant_or_response(request: HttpRequest, session: LiveSession) -> tuple[Participant | None, HttpResponse | None]:
    """The participant for this request, or the page to answer instead."""
    if session.status == LiveSession.Status.ENDED:
        return None, render(request, "live/room_ended.html", {"session": session})
    participant = participant_from_session(session, request.session, request.user)
    if participant is None:
        messages.info(request, _("Please join the session first: enter your name or log in, then you will come to the room."))
        return None, redirect(join_url(session))
    if participant.status == Participant.Status.REMOVED:
        return None, render(request, "live/room_removed.html", {"session": session}, status=403)
    return participant, None


def _csp(request: HttpRequest) -> str:
    """The room's policy: scripts and styles only from our origin, and the
    websocket to our host (named explicitly: older Safari does not let
    'self' cover ws:/wss:)."""
    ws_scheme = "wss" if request.is_secure() else "ws"
    host = request.get_host()
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "media-src 'self' blob: mediastream:",
            f"connect-src 'self' {ws_scheme}://{host}",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'",
        ]
    )


def room_config(request: HttpRequest, session: LiveSession, participant: Participant) -> dict:
    """What room.js needs, and nothing more: no join code, no provider
    secrets, no contact details of anyone."""
    is_webrtc = session.provider == LiveSession.Provider.WEBRTC
    return {
        "ws_path": f"/ws/live/{session.pk}/",
        "you": {"id": participant.pk, "name": participant.display_name, "role": participant.role},
        "session": {
            "id": session.pk,
            "title": session.title,
            "audience": session.audience,
            "is_youth": session.is_youth,
            "provider": session.provider,
            "stream_url": session.stream_url if session.provider == LiveSession.Provider.NONE else "",
        },
        "ice_servers": webrtc.ice_servers() if is_webrtc else [],
        "max_video": webrtc.max_video() if is_webrtc else 0,
        "max_text": settings.LIVE_MAX_TEXT_CHARS,
        "strings": room_strings(),
    }


@require_GET
def room(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(LiveSession, pk=session_id)
    participant, response = _participant_or_response(request, session)
    if response is not None:
        return response
    context = {
        "session": session,
        "participant": participant,
        "config": room_config(request, session, participant),
        "Provider": LiveSession.Provider,
    }
    response = render(request, "live/room.html", context)
    response.headers["Permissions-Policy"] = (
        CAMERA_POLICY if session.provider == LiveSession.Provider.WEBRTC else NO_CAMERA_POLICY
    )
    response.headers["Content-Security-Policy"] = _csp(request)
    response.headers["Cache-Control"] = "no-store"
    return response


def _video_error(request: HttpRequest, session: LiveSession, message: str, status: int) -> HttpResponse:
    return render(request, "live/video_error.html", {"session": session, "message": message}, status=status)


@require_POST
def video(request: HttpRequest, session_id: int) -> HttpResponse:
    """POST (a form with the CSRF token): minting a credential and creating
    a meeting are not things a link from another site should trigger."""
    session = get_object_or_404(LiveSession, pk=session_id)
    if session.provider not in (LiveSession.Provider.BIGBLUEBUTTON, LiveSession.Provider.JITSI):
        raise Http404
    participant, response = _participant_or_response(request, session)
    if response is not None:
        return response
    if participant.status != Participant.Status.ADMITTED and not participant.is_staff:
        return _video_error(
            request, session, _("A trainer has not let you into the room yet. Please wait in the room page."), 403
        )
    if session.provider == LiveSession.Provider.JITSI:
        if not jitsi.is_configured():
            return _video_error(request, session, _("The video room is not set up on this site. Please tell your trainer."), 503)
        return _no_store(redirect(jitsi.room_url(session, participant)))
    try:
        meeting = bbb.meeting_create(session)
        url = bbb.join_url(session, participant, create_time=meeting.create_time)
    except bbb.BBBError as error:
        logger.warning("BigBlueButton refused session %s: %s", session.pk, error)
        if error.reason == "not_configured":
            message = _("The video room is not set up on this site. Please tell your trainer.")
        else:
            message = _(
                "The video room cannot be reached at the moment. Please try again in a minute; "
                "the chat in the room page keeps working."
            )
        return _video_error(request, session, message, 503)
    return _no_store(redirect(url))


def _no_store(response: HttpResponse) -> HttpResponse:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
