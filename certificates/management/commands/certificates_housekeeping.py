"""Delete certificate ZIP exports past their retention period
(certificates/housekeeping.py). Runs once; `--every SECONDS` keeps running
(for `make run` and production, beside the servers and the task worker)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from certificates.housekeeping import housekeeping_run


class Command(BaseCommand):
    help = "Delete certificate ZIP exports older than CERTIFICATES_EXPORT_RETENTION_DAYS (and ZIP files no export names)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS", help="Repeat forever, this often.")

    def handle(self, *args, every: int = 0, **options):
        if every < 0:
            raise CommandError("--every must be positive")
        while True:
            result = housekeeping_run()
            if options["verbosity"] >= 1 and (result.expired or result.orphans_deleted or not every):
                self.stdout.write(
                    f"certificates housekeeping: {len(result.expired)} ZIP exports expired, "
                    f"{len(result.orphans_deleted)} unnamed ZIP files deleted"
                )
            if not every:
                return
            time.sleep(every)
