"""Reactions to other apps' signals (connected in CertificatesConfig.ready,
except `names_changed`, connected below when ready() imports this module)."""

from __future__ import annotations

from accounts.signals import names_changed

from .services import certificate_issue_for_completion, certificates_name


def issue_on_course_completed(sender, *, learner, course_key, completion=None, **kwargs) -> None:
    """learning.signals.course_completed is sent once, after commit: issue the
    completion certificate (the service decides whether the course gives one)."""
    certificate_issue_for_completion(learner=learner, course_key=course_key)


def name_on_names_changed(sender, *, user, **kwargs) -> None:
    """accounts.signals.names_changed (inside the saving transaction): print
    the name on the certificates that waited for it."""
    certificates_name(holder=user)


names_changed.connect(name_on_names_changed, dispatch_uid="certificates.name_on_names_changed")
