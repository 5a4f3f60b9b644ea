"""Calendar files (live/ics.py): one VEVENT, UTC times, a stable UID, the
join link for professionals and never the code of a youth session."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from live.ics import session_ics, uid
from live.models import LiveSession
from tests.live.conftest import make_live_session

pytestmark = pytest.mark.django_db


def event_of(data: bytes):
    calendar = Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return events[0]


def test_one_event_in_utc_with_the_join_link():
    start = dt.datetime(2027, 3, 28, 0, 30, tzinfo=dt.UTC)  # the night the clocks change in Europe
    session = make_live_session(starts_at=start, duration_minutes=90, title="Webinar", description="About grievances.")
    data = session_ics(session, language="fr")
    event = event_of(data)
    assert str(event["uid"]) == uid(session)
    assert event.decoded("dtstart") == start and event.decoded("dtstart").utcoffset() == dt.timedelta(0)
    assert event.decoded("dtend") == start + dt.timedelta(minutes=90)
    assert str(event["summary"]) == "Webinar"
    assert f"/fr/live/j/{session.join_code}/" in str(event["url"])
    assert f"/fr/live/j/{session.join_code}/" in str(event["description"])
    assert "About grievances." in str(event["description"])
    assert b"DTSTART:20270328T003000Z" in data


def test_the_uid_is_stable_so_a_resent_invitation_updates_the_entry():
    session = make_live_session()
    assert event_of(session_ics(session, language="en"))["uid"] == event_of(session_ics(session, language="nl"))["uid"]


@pytest.mark.parametrize("for_staff", [True, False])
def test_a_youth_sessions_calendar_file_never_holds_the_code(for_staff):
    session = make_live_session(audience=LiveSession.Audience.YOUNG_PEOPLE, lobby_enabled=True)
    data = session_ics(session, language="en", for_staff=for_staff).decode()
    assert session.join_code not in data
    assert session.join_code_display not in data
    event = event_of(data.encode())
    if for_staff:
        assert f"/en/live/sessions/{session.pk}/" in str(event["url"])
    else:
        assert "url" not in event
