"""Close what dead server processes left open and purge old room content
(live/housekeeping.py). Runs once; `--every SECONDS` keeps running (for
`make run` and production, beside the ASGI servers).

With `--every`, a run that fails (the database restarting, a bug) is
logged with its traceback, broken database connections are closed, and
the loop goes on: it waits twice as long
after each failure in a row (at most BACKOFF_CAP_SECONDS, never less than
`--every`), and again `--every` after a good run. Ctrl-C and SIGTERM still
stop it. A single run (no `--every`, as from cron) fails loudly instead."""

from __future__ import annotations

import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from live.housekeeping import housekeeping_run

logger = logging.getLogger("live.housekeeping")

BACKOFF_CAP_SECONDS = 900


def pause_after(every: int, failures: int) -> int:
    """Seconds to wait before the next run after `failures` failed runs in
    a row."""
    if not failures:
        return every
    return max(every, min(every * 2**failures, BACKOFF_CAP_SECONDS))


class Command(BaseCommand):
    help = "Close stale live attendance and connections; purge live chat past the retention period."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS", help="Repeat forever, this often.")

    def handle(self, *args, every: int = 0, **options):
        if every < 0:
            raise CommandError("--every must be positive")
        if not every:
            self.report(housekeeping_run(), every=every, verbosity=options["verbosity"])
            return
        failures = 0
        while True:
            try:
                result = housekeeping_run()
            except Exception:  # KeyboardInterrupt and SystemExit are not Exceptions: they stop the loop.
                failures += 1
                logger.exception(
                    "live housekeeping failed (%d in a row); next try in %d seconds",
                    failures, pause_after(every, failures),
                )
                # A connection the database dropped stays broken until closed:
                # the next run opens a new one.
                close_old_connections()
            else:
                failures = 0
                self.report(result, every=every, verbosity=options["verbosity"])
            time.sleep(pause_after(every, failures))

    def report(self, result, *, every: int, verbosity: int) -> None:
        if verbosity >= 1 and (result.left or result.ended or any(result.purged.values()) or not every):
            self.stdout.write(
                f"live housekeeping: {len(result.left)} stale connections closed "
                f"in {len(result.sessions_with_stale)} sessions; {len(result.ended)} overdue sessions ended; "
                f"purged {result.purged}"
            )
