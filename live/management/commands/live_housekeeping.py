"""Close what dead server processes left open and purge old room content
(live/housekeeping.py). Runs once; `--every SECONDS` keeps running (for
`make run` and production, beside the ASGI servers)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from live.housekeeping import housekeeping_run


class Command(BaseCommand):
    help = "Close stale live attendance and connections; purge live chat past the retention period."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS", help="Repeat forever, this often.")

    def handle(self, *args, every: int = 0, **options):
        if every < 0:
            raise CommandError("--every must be positive")
        while True:
            result = housekeeping_run()
            if options["verbosity"] >= 1 and (result.left or result.ended or any(result.purged.values()) or not every):
                self.stdout.write(
                    f"live housekeeping: {len(result.left)} stale connections closed "
                    f"in {len(result.sessions_with_stale)} sessions; {len(result.ended)} overdue sessions ended; "
                    f"purged {result.purged}"
                )
            if not every:
                return
            time.sleep(every)
