"""Live-session mail as the recipient reads it (live/emails.py): the
subject and the plain-text body are text, so a title with `&`, `<` or
quotes arrives as typed; only the HTML part escapes it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from live.emails import session_mail
from tests.live.conftest import make_live_partner, make_live_session, make_live_user

pytestmark = pytest.mark.django_db

TITLE = 'Q&A <live>: "grievances" & l\'école'


@pytest.fixture(autouse=True)
def _prefix(settings):
    settings.ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Bridgeline] "


@pytest.fixture
def session():
    return make_live_session(
        partner=make_live_partner(), title=TITLE, starts_at=timezone.now() + dt.timedelta(days=1)
    )


@pytest.mark.parametrize(
    ("kind", "minutes_before", "language", "subject"),
    [
        ("invitation", None, "en", f"Invitation: {TITLE}"),
        ("reminder", 24 * 60, "en", f"Tomorrow: {TITLE}"),
        ("reminder", 60, "en", f"Starting soon: {TITLE}"),
        ("invitation", None, "fr", f"Invitation : {TITLE}"),
        ("reminder", 24 * 60, "nl", None),
    ],
)
def test_subject_and_text_body_are_plain_text(session, kind, minutes_before, language, subject):
    user = make_live_user(language=language)
    message = session_mail(session=session, user=user, kind=kind, minutes_before=minutes_before)
    if subject is not None:
        assert message.subject == f"[Bridgeline] {subject}"
    assert TITLE in message.subject
    assert "&amp;" not in message.subject and "&lt;" not in message.subject and "&quot;" not in message.subject
    assert "&#x27;" not in message.subject and "&#39;" not in message.subject
    assert "\n" not in message.subject
    assert TITLE in message.body and "&amp;" not in message.body
    html = message.alternatives[0][0]
    assert "Q&amp;A &lt;live&gt;" in html and "<live>" not in html


def test_a_title_over_several_lines_gives_a_one_line_subject(session):
    session.title = "Line one\nline two\r\n  & three"
    message = session_mail(session=session, user=make_live_user(), kind="invitation")
    assert message.subject == "[Bridgeline] Invitation: Line one line two & three"
