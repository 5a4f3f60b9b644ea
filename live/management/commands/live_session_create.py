"""`python manage.py live_session_create --title T ...`: schedule a session
from the command line (operations, load tests, demos) through the same
service as the trainers' form, and print what a client needs as JSON:
{"id", "join_code", "join_url", "ws_path"}."""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from live import scheduling
from live.links import join_url
from live.models import LiveSession
from live.selectors import trainers_for_partners
from partners.models import Partner


class Command(BaseCommand):
    help = "Schedule a live session and print its id, join code, join link and websocket path as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--title", required=True)
        parser.add_argument("--audience", choices=[c for c, _ in LiveSession.Audience.choices], default="professionals")
        parser.add_argument("--guests", action="store_true", help="Professional sessions: guests may join with the code.")
        parser.add_argument("--no-lobby", action="store_true", help="Admit participants directly (refused for young people).")
        parser.add_argument("--starts-in", type=int, default=0, metavar="MINUTES", help="Minutes from now (0 = now).")
        parser.add_argument("--duration", type=int, default=60, metavar="MINUTES")
        parser.add_argument("--partner", metavar="SLUG", help="Default: the first active partner.")
        parser.add_argument("--provider", choices=[c for c, _ in LiveSession.Provider.choices], default="webrtc")
        parser.add_argument("--stream-url", default="", help="Required with --provider none.")
        parser.add_argument("--capacity", type=int, default=100)
        parser.add_argument("--language", default="en")
        parser.add_argument(
            "--trainer", action="append", default=[], metavar="EMAIL",
            help="A trainer (repeat for more). Default: the partner's trainers and coordinators (two for young people).",
        )

    def handle(self, *args, **options):
        if options["starts_in"] < 0:
            raise CommandError("--starts-in must be 0 or more minutes.")
        if not options["title"].strip():
            raise CommandError("--title must not be empty.")
        partner = self._partner(options["partner"])
        youth = options["audience"] == LiveSession.Audience.YOUNG_PEOPLE
        trainers = self._trainers(partner, options["trainer"], needed=2 if youth else 1)
        now = timezone.now().replace(microsecond=0)
        try:
            session = scheduling.session_create(
                created_by=None, trainers=trainers, now=now, invite=False,
                title=options["title"].strip(), starts_at=now + dt.timedelta(minutes=options["starts_in"]),
                duration_minutes=options["duration"], audience=options["audience"], partner=partner,
                language=options["language"], allow_guests=options["guests"], lobby_enabled=not options["no_lobby"],
                provider=options["provider"], stream_url=options["stream_url"], capacity=options["capacity"],
            )
        except ValidationError as error:
            raise CommandError(_messages(error)) from error
        self.stdout.write(json.dumps({
            "id": session.pk,
            "join_code": session.join_code_display,
            "join_url": join_url(session),
            "ws_path": f"/ws/live/{session.pk}/",
        }))

    def _partner(self, slug: str | None) -> Partner:
        if slug:
            partner = Partner.objects.filter(slug=slug).first()
            if partner is None:
                raise CommandError(f"No partner with the slug {slug!r}.")
            return partner
        partner = Partner.objects.filter(is_active=True).order_by("pk").first()
        if partner is None:
            raise CommandError("No active partner: create one (seed_demo does) or pass --partner SLUG.")
        return partner

    def _trainers(self, partner: Partner, emails: list[str], *, needed: int) -> list[User]:
        if emails:
            trainers = list(User.objects.filter(email__in=[e.lower() for e in emails]))
            missing = sorted({e.lower() for e in emails} - {t.email for t in trainers})
            if missing:
                raise CommandError(f"No user with the email {', '.join(missing)}.")
            return trainers
        trainers = list(trainers_for_partners(partners=[partner])[: max(needed, 2)])
        if len(trainers) < needed:
            raise CommandError(
                f"{partner.slug} has {len(trainers)} trainer(s) or coordinator(s); this session needs {needed}"
                + (" (two-staff rule for young people)." if needed == 2 else ".")
                + " Add memberships or pass --trainer EMAIL."
            )
        return trainers[:needed]


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)
