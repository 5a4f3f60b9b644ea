"""Signals the live app sends; higher apps (certificates) listen.

attendance_changed(sender=LiveSession, session, user_ids)
    Sent after the transaction commits, when the attendance of the given
    users (accounts; guests have none) in `session` may have changed: a
    trainer's correction, or the end of the session. Learning progress has
    already been recomputed (live/attendance_effects.py); receivers decide
    about attendance certificates.
"""

from django.dispatch import Signal

attendance_changed = Signal()
