"""Run as a separate process (DJANGO_SETTINGS_MODULE and DATABASE_URL from
the environment, a migrated file SQLite database): N people register at the
same moment for a training with few places, each in its own thread (so each
with its own database connection), through `registrations.services`.
Prints one JSON line: what happened (tests/integration/test_sqlite_setup.py).

    python tests/support/sqlite_registration_race.py PEOPLE PLACES
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402

from registrations import services  # noqa: E402
from registrations.models import Registration  # noqa: E402
from tests.registrations import factories  # noqa: E402


def main(people: int, places: int) -> dict:
    # Unique names whatever the database already holds (a run may repeat).
    factories._counter = itertools.count(time.time_ns())
    training = factories.make_training(capacity=places)
    users = [factories.make_user() for _ in range(people)]
    connection.close()
    barrier = threading.Barrier(people)
    errors: list[str] = []
    durations: list[float] = []
    lock = threading.Lock()

    def register(user) -> None:
        try:
            barrier.wait(timeout=60)
            started = time.perf_counter()
            services.registration_create(training=training, user=user, answers={}, privacy_consent=True)
            with lock:
                durations.append(time.perf_counter() - started)
        except Exception as error:  # noqa: BLE001 (each failure is reported)
            with lock:
                errors.append(f"{type(error).__name__}: {error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = list(Registration.objects.filter(training=training).values_list("status", flat=True))
    training.refresh_from_db()
    pragmas = {}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for name in ("journal_mode", "synchronous", "busy_timeout"):
                pragmas[name] = cursor.execute(f"PRAGMA {name}").fetchone()[0]
    return {
        "pragmas": pragmas,
        "vendor": connection.vendor,
        "transaction_mode": connection.transaction_mode if connection.vendor == "sqlite" else None,
        "errors": errors,
        "hung": sum(thread.is_alive() for thread in threads),
        "confirmed": statuses.count(Registration.Status.CONFIRMED),
        "waiting": statuses.count(Registration.Status.WAITING),
        "confirmed_count": training.confirmed_count,
        "slowest_s": round(max(durations, default=0), 3),
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
