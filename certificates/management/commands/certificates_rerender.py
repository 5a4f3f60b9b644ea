"""Re-render stored certificate PDFs (after a change to the certificate
template), in parallel worker processes. See certificates/rerender.py."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from certificates.rerender import certificates_rerender
from partners.models import Partner


class Command(BaseCommand):
    help = "Render again and store the PDFs of every certificate (or one partner's), on several cores."

    def add_arguments(self, parser):
        parser.add_argument("--partner", metavar="SLUG", help="only this partner's certificates")
        parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")

    def handle(self, *args, partner=None, workers=None, **options):
        if workers is not None and workers < 1:
            raise CommandError("--workers must be at least 1.")
        chosen = None
        if partner:
            chosen = Partner.objects.filter(slug=partner).first()
            if chosen is None:
                raise CommandError(f"No partner with the slug {partner!r}.")
        verbosity = options.get("verbosity", 1)

        def progress(done: int, total: int) -> None:
            if verbosity >= 2:
                self.stdout.write(f"{done}/{total}")

        result = certificates_rerender(partner=chosen, workers=workers, progress=progress)
        self.stdout.write(f"Re-rendered {result.rendered} certificate PDFs; {result.failed} failed.")
        if result.failed:
            raise CommandError(f"{result.failed} certificates could not be rendered (see the log).")
