"""Registrations under a rush: 500 people register at the same moment for a
training with 100 places, through real daphne processes and the real
registration form, against this run's PostgreSQL.

What it checks and reports (README "Registrations"):
- exactly 100 confirmed and 400 waiting, none lost (every user has one
  registration), no error page (every POST answered 302 to the
  confirmation page);
- registrations per second (500 / wall time from the first request sent to
  the last answer) and p50/p95 latency of the POSTs;
- baseline in the same run: 500 concurrent GETs of /healthz.

How: two daphne processes (so that two Django processes really race in
PostgreSQL, as several ASGI processes would in production; one process
runs its sync views one at a time), 500 users with sessions created
directly in the session store (SessionStore + the session cookie: a load
test of registering, not of logging in) and a CSRF cookie/field pair, then
500 threads, each with its own HTTP connection, released together by a
barrier. Settings are config.settings.test (as the rest of the bench): the
task backend is the immediate one, so each request also renders and
"sends" (locmem) its confirmation mail with the .ics, the worst case for
the request; production queues it.

A small live event (issue #13), on both databases: 200 people register at
once for 20 places through the same form and two daphne processes, on
PostgreSQL and on the zero-setup SQLite (`event_on_sqlite`: a temporary
file database, migrated, with config.settings.dev, so the SQLite options
of config/settings/base.py and the database task queue of `make run`).
Expected on both: 0 error pages, exactly 20 confirmed, 180 waiting.

Run alone: `python -m bench.registrations` (starts its own PostgreSQL, then
the SQLite run in a child process).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from bench.harness import bench_database, percentile_ms

PEOPLE = 500
PLACES = 100
PROCESSES = 2
TIMEOUT_SECONDS = 180
# The small live event of issue #13.
EVENT_PEOPLE = 200
EVENT_PLACES = 20


def build(people: int = PEOPLE, places: int = PLACES) -> dict:
    """A training with `places` places and `people` professionals with live sessions."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string
    from django.utils import timezone

    from accounts.models import User
    from partners.models import Partner
    from registrations.models import Training

    partner = Partner.objects.order_by("pk").first() or Partner.objects.create(
        name="Bench partner", slug="bench-partner", country="BE", default_language="en"
    )
    starts = (timezone.now() + dt.timedelta(days=20)).replace(microsecond=0)
    training = Training(
        partner=partner, kind=Training.Kind.ON_SITE, title="Bench: the rush", language="en",
        format=Training.Format.ON_SITE, location="Bench hall", starts_at=starts, ends_at=starts + dt.timedelta(hours=6),
        capacity=places,
    )
    training.full_clean()
    training.save()
    password = make_password(None)
    users = User.objects.bulk_create(
        [User(email=f"rush{n:04d}@bench.example", full_name=f"Rush {n:04d}", password=password) for n in range(people)]
    )
    users = list(User.objects.filter(email__endswith="@bench.example").order_by("email"))
    backend = settings.AUTHENTICATION_BACKENDS[0]
    sessions = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.append((user.pk, session.session_key, _get_new_csrf_string()))
    return {"training": training, "people": sessions}


def cleanup(data: dict) -> None:
    from accounts.models import User
    from registrations.models import Registration, Training

    Registration.objects.filter(training=data["training"]).delete()
    Training.objects.filter(pk=data["training"].pk).delete()
    User.objects.filter(email__endswith="@bench.example").delete()


def _rush(addresses: list[tuple[str, int]], requests: list[tuple[str, str, dict, bytes | None]]) -> dict:
    """Send every request at once (one thread and connection each, released
    by a barrier), spread over the servers. Returns latencies, statuses,
    failures and the wall time."""
    barrier = threading.Barrier(len(requests) + 1, timeout=60)
    latencies: list[float | None] = [None] * len(requests)
    statuses: list[int | str] = [0] * len(requests)
    locations: list[str] = [""] * len(requests)

    def run(index: int, method: str, path: str, headers: dict, body: bytes | None) -> None:
        host, port = addresses[index % len(addresses)]
        connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT_SECONDS)
        try:
            connection.connect()
            barrier.wait()
            started = time.perf_counter()
            connection.request(method, path, body=body, headers={**headers, "Host": f"{host}:{port}"})
            response = connection.getresponse()
            response.read()
            latencies[index] = time.perf_counter() - started
            statuses[index] = response.status
            locations[index] = response.getheader("Location") or ""
        except Exception as error:  # noqa: BLE001 - counted as a failure
            statuses[index] = type(error).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, *request)) for n, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join(TIMEOUT_SECONDS + 30)
    wall = time.perf_counter() - started
    return {"latencies": [x for x in latencies if x is not None], "statuses": statuses, "locations": locations, "wall": wall}


def run(data: dict | None = None, *, people: int = PEOPLE, places: int = PLACES, database: str = "PostgreSQL") -> str:
    from django.urls import reverse
    from django.utils import translation

    from bench.site_pages import running_daphne
    from registrations.models import Registration

    own = data is None
    data = data or build(people, places)
    training = data["training"]
    with translation.override("en"):
        path = reverse("registrations:register", kwargs={"training_id": training.pk})
        registered = reverse("registrations:registered", kwargs={"training_id": training.pk})
    try:
        with contextlib.ExitStack() as stack:
            addresses = [stack.enter_context(running_daphne()) for _ in range(PROCESSES)]
            # Warm each process (imports, URL resolver, templates) outside the timing.
            for host, port in addresses:
                for url in ("/healthz", "/en/trainings/"):
                    connection = http.client.HTTPConnection(host, port, timeout=60)
                    connection.request("GET", url)
                    connection.getresponse().read()
                    connection.close()
            health = _rush(addresses, [("GET", "/healthz", {}, None)] * people)
            posts = []
            for _user_id, session_key, csrf in data["people"]:
                body = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "privacy_consent": "on"}).encode()
                headers = {"Content-Type": "application/x-www-form-urlencoded",
                           "Cookie": f"sessionid={session_key}; csrftoken={csrf}"}
                posts.append(("POST", path, headers, body))
            rush = _rush(addresses, posts)
        confirmed = Registration.objects.filter(training=training, status="confirmed").count()
        waiting = Registration.objects.filter(training=training, status="waiting").count()
        user_ids = [user_id for user_id, _s, _c in data["people"]]
        registered_users = set(
            Registration.objects.filter(training=training, user_id__in=user_ids).values_list("user_id", flat=True)
        )
        lost = len(user_ids) - len(registered_users)
        ok = sum(1 for status, location in zip(rush["statuses"], rush["locations"]) if status == 302 and location.endswith(registered))
        errors = len(rush["statuses"]) - ok
        training.refresh_from_db()
        health_ok = sum(1 for status in health["statuses"] if status == 200)
    finally:
        if own:
            cleanup(data)

    def row(name, result, count_ok, expected):
        samples = result["latencies"] or [0.0]
        others = {}
        for status in result["statuses"]:
            if status != expected:
                others[str(status)] = others.get(str(status), 0) + 1
        other_text = ", ".join(f"{count}× {status}" for status, count in sorted(others.items())) or "none"
        return (f"| {name} | {len(result['statuses'])} | {count_ok} | {other_text} | {len(result['statuses']) / result['wall']:.0f} | "
                f"{statistics.median(samples) * 1000:.0f} | {percentile_ms(samples, 0.95):.0f} | {max(samples) * 1000:.0f} |")

    lines = [
        f"### {people} people register at once for {places} places ({PROCESSES} daphne processes, {database})",
        "",
        "| case | requests | answered as expected | other answers | requests/s | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---|---:|---:|---:|---:|",
        row("baseline: GET /healthz (200)", health, health_ok, 200),
        row("POST the registration form (302 to the confirmation)", rush, ok, 302),
        "",
        f"Outcome: {confirmed} confirmed, {waiting} waiting, {lost} lost, {errors} error pages; "
        f"confirmed_count column {training.confirmed_count} (places {training.capacity}).",
    ]
    problems = []
    if confirmed != places or training.confirmed_count != places:
        problems.append(f"confirmed {confirmed} / count {training.confirmed_count}, expected {places}")
    if waiting != people - places:
        problems.append(f"waiting {waiting}, expected {people - places}")
    if lost or errors:
        problems.append(f"{lost} lost, {errors} errors: {sorted({str(s) for s in rush['statuses'] if s != 302})}")
    if problems:
        lines += ["", "**FAILED:** " + "; ".join(problems)]
    return "\n".join(lines)


def event(database: str = "PostgreSQL") -> str:
    """The small live event on this process's database."""
    return run(people=EVENT_PEOPLE, places=EVENT_PLACES, database=database)


def event_on_sqlite() -> str:
    """The small live event on a temporary file SQLite database with the
    development settings (`make run`), in a child process (this process's
    Django is set up on PostgreSQL)."""
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="bridgeline-bench-sqlite-") as folder:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": f"sqlite:///{Path(folder) / 'db.sqlite3'}",
            "DEBUG": "false",  # no query log growing in the servers
            "MEDIA_ROOT": str(Path(folder) / "media"),
            "H5P_CONTENT_ROOT": str(Path(folder) / "h5p"),
            "CERTIFICATES_ROOT": str(Path(folder) / "certificates"),
            "LOG_LEVEL": "WARNING",
        }
        env.setdefault("SECRET_KEY", "bench-" + os.urandom(24).hex())
        child = subprocess.run(
            [sys.executable, "-m", "bench.registrations", "--sqlite-child"], cwd=root, env=env,
            capture_output=True, text=True, timeout=1800,
        )
    if child.returncode != 0 and "###" not in child.stdout:
        return f"**FAILED:** the SQLite run crashed:\n\n```\n{(child.stdout + child.stderr)[-3000:]}\n```"
    return json.loads(child.stdout.strip().splitlines()[-1])["text"]


def _sqlite_child() -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    assert connection.vendor == "sqlite", connection.vendor
    call_command("migrate", verbosity=0)
    mode = connection.settings_dict["OPTIONS"].get("transaction_mode") or "DEFERRED"
    text = event(f"SQLite, {mode} transactions, WAL")
    print(json.dumps({"text": text}))
    return 0 if "FAILED" not in text else 1


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    if "--sqlite-child" in sys.argv:
        return _sqlite_child()
    with bench_database():
        from demo.people import seed_people

        seed_people()
        texts = [run()] if "--event-only" not in sys.argv else []
        texts += [event(), event_on_sqlite()]
        text = "\n\n".join(texts)
        print(text)
        return 0 if "FAILED" not in text else 1


if __name__ == "__main__":
    sys.exit(main())
