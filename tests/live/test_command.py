"""`manage.py live_session_create`: JSON out, bad arguments refused with a
clear CommandError."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from live.models import LiveSession
from partners.models import Role
from tests.live.conftest import make_live_partner, make_live_user

pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    out = io.StringIO()
    call_command("live_session_create", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def partner():
    partner = make_live_partner()
    make_live_user(partner=partner, role=Role.TRAINER)
    make_live_user(partner=partner, role=Role.COORDINATOR)
    return partner


def test_prints_the_session_as_json(partner, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://bridgeline.example"
    data = run("--title", "Load test", "--guests", "--no-lobby", "--starts-in", "0", "--duration", "45",
               "--partner", partner.slug, "--capacity", "300")
    session = LiveSession.objects.get(pk=data["id"])
    assert data == {
        "id": session.pk,
        "join_code": session.join_code_display,
        "join_url": f"https://bridgeline.example/en/live/j/{session.join_code}/",
        "ws_path": f"/ws/live/{session.pk}/",
    }
    assert session.allow_guests and not session.lobby_enabled and session.is_joinable()
    assert (session.duration_minutes, session.capacity, session.trainers.count()) == (45, 300, 1)


def test_a_youth_session_gets_two_trainers(partner):
    data = run("--title", "Group", "--audience", "young_people", "--starts-in", "30")
    session = LiveSession.objects.get(pk=data["id"])
    assert session.is_youth and session.trainers.count() == 2 and session.lobby_enabled


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--starts-in", "-5"], "--starts-in must be 0 or more"),
        (["--duration", "3"], "between 5 and 600"),
        (["--duration", "900"], "between 5 and 600"),
        (["--capacity", "1"], "between 2 and 1,000"),
        (["--partner", "nobody"], "No partner with the slug 'nobody'"),
        (["--provider", "none"], "link of the external stream"),
        (["--audience", "young_people", "--no-lobby"], "always use the lobby"),
        (["--trainer", "ghost@example.org"], "No user with the email ghost@example.org"),
        (["--title", "  "], "--title must not be empty"),
    ],
)
def test_bad_arguments_are_refused_clearly(partner, args, message):
    if "--title" not in args:
        args = ["--title", "T", *args]
    with pytest.raises(CommandError) as error:
        run(*args)
    assert message in str(error.value)
    assert not LiveSession.objects.exists()


def test_a_youth_session_without_two_trainers_is_refused():
    partner = make_live_partner()
    make_live_user(partner=partner, role=Role.TRAINER)
    with pytest.raises(CommandError) as error:
        run("--title", "T", "--audience", "young_people", "--partner", partner.slug)
    assert "two-staff rule" in str(error.value)


def test_without_any_partner_it_says_what_to_do():
    with pytest.raises(CommandError) as error:
        run("--title", "T")
    assert "No active partner" in str(error.value)


@pytest.mark.parametrize("args", [["--audience", "children"], ["--provider", "zoom"], ["--duration", "ten"]])
def test_argparse_refuses_unknown_choices(partner, args):
    with pytest.raises(CommandError):
        run("--title", "T", *args)
