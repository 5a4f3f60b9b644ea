"""Who someone is in a live session, for HTTP views and the websocket alike.

The join page (live/joining.py) stores the participant's id in the Django
session under `session_key(session_id)`; the room page and the consumer read
it back with `participant_from_session`. An account's participant must also
belong to the logged-in user, so a copied session cookie of a guest cannot
become someone's account, and logging out ends account participation.

Staff of a session: its trainers, the coordinators and trainers of its
partner, and programme staff (is_staff).
"""

from __future__ import annotations

from partners.models import Membership, Role

from .models import LiveSession, Participant


def session_key(session_id: int) -> str:
    return f"live_participant_{session_id}"


def is_session_staff(user, session: LiveSession) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    if session.trainers.filter(pk=user.pk).exists():
        return True
    return Membership.objects.filter(
        user=user, partner_id=session.partner_id, role__in=[Role.TRAINER, Role.COORDINATOR]
    ).exists()


def participant_from_session(session: LiveSession, django_session, user) -> Participant | None:
    """The participant this browser is in `session`, or None."""
    participant_id = django_session.get(session_key(session.pk)) if django_session is not None else None
    if not isinstance(participant_id, int):
        return None
    participant = Participant.objects.filter(pk=participant_id, session=session).first()
    if participant is None:
        return None
    if participant.user_id is not None:
        if not getattr(user, "is_authenticated", False) or participant.user_id != user.pk:
            return None
    return participant


def remember_participant(django_session, participant: Participant) -> None:
    django_session[session_key(participant.session_id)] = participant.pk
