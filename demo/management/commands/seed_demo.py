"""`python manage.py seed_demo`: the demo content of `make run`. Idempotent:
running it again updates what exists and creates nothing twice."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.certificates import seed_certificates
from demo.cms import seed_cms
from demo.cohorts import seed_cohorts
from demo.courses import seed_courses
from demo.learning import seed_learning
from demo.live import seed_live
from demo.people import DEMO_PASSWORD, seed_people
from demo.registrations import seed_registrations


class Command(BaseCommand):
    help = "Create the demo partners, people, site pages, course, progress, cohorts, certificates and live sessions (refused with production settings)."

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError("seed_demo refuses to run with these settings (DEMO_DATA_ALLOWED is off, e.g. production).")
        partners = seed_people()
        seed_cms(partners=partners)
        seed_courses(partners=partners)
        seed_learning(partners=partners)
        seed_cohorts(partners=partners)
        seed_live(partners=partners)
        seed_certificates(partners=partners)
        seed_registrations(partners=partners)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(partners)} partners. Log in as e.g. coordinator.be@demo.example / {DEMO_PASSWORD}"
            )
        )
