"""Reactions to other apps' signals (connected in CertificatesConfig.ready)."""

from __future__ import annotations

from .services import certificate_issue_for_completion


def issue_on_course_completed(sender, *, learner, course_key, completion=None, **kwargs) -> None:
    """learning.signals.course_completed is sent once, after commit: issue the
    completion certificate (the service decides whether the course gives one)."""
    certificate_issue_for_completion(learner=learner, course_key=course_key)
