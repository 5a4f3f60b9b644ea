"""The zero-setup path of `make run`: SQLite, development settings, demo
data. Run as separate processes in a temporary folder so that the checkout's
own database and key files are never touched."""

from __future__ import annotations

import json
import sqlite3
import subprocess

import pytest

from tests.support.processes import PYTHON, ROOT, clean_env, fresh_signing_key, manage, random_secret_key

pytestmark = pytest.mark.integration


def _counts(database) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        return {
            table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608 (fixed names)
            for table in ("accounts_user", "partners_partner", "partners_membership", "wagtailcore_page")
        }


@pytest.fixture(scope="module")
def sqlite_env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sqlite-setup")
    database = folder / "x.sqlite3"
    env = clean_env(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=f"sqlite:///{database}",
        SECRET_KEY=random_secret_key(),
        MEDIA_ROOT=str(folder / "media"),
        STATIC_ROOT=str(folder / "static"),
        # The demo's H5P packages (a few MB) stay out of the checkout's var/.
        H5P_CONTENT_ROOT=str(folder / "h5p"),
    )
    return folder, database, env


def test_migrate_then_seed_demo_twice_on_sqlite(sqlite_env):
    folder, database, env = sqlite_env
    migrated = manage("migrate", "--noinput", env=env, cwd=folder)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr

    first = manage("seed_demo", env=env, cwd=folder)
    assert first.returncode == 0, first.stdout + first.stderr
    after_first = _counts(database)
    assert after_first["partners_partner"] == 4
    assert after_first["accounts_user"] >= 21  # 4 x 5 people + staff

    second = manage("seed_demo", env=env, cwd=folder)
    assert second.returncode == 0, second.stdout + second.stderr
    assert _counts(database) == after_first, "seed_demo is not idempotent"


def test_seed_demo_refuses_production_settings(sqlite_env):
    folder, database, _ = sqlite_env
    env = clean_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=random_secret_key(),
        ALLOWED_HOSTS="bridgeline.example",
        DATABASE_URL=f"sqlite:///{database}",
        CERTIFICATE_SIGNING_KEY=fresh_signing_key(),
    )
    result = manage("seed_demo", env=env, cwd=folder)
    assert result.returncode != 0
    assert "seed_demo refuses" in result.stderr and "DEMO_DATA_ALLOWED" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, "a refusal, not a crash"


def test_simultaneous_registrations_wait_for_the_lock_instead_of_failing(sqlite_env):
    """Issue #13: 20 people register at the same moment for 5 places, each
    in its own thread and connection, on the development settings' file
    SQLite. Before IMMEDIATE transactions, all but one got "database is
    locked" (a DEFERRED transaction that read first cannot wait for the
    write lock); now each waits its turn: no error, 5 confirmed, 15 waiting."""
    folder, _database, env = sqlite_env
    migrated = manage("migrate", "--noinput", env=env, cwd=folder, timeout=600)  # no-op after the test above
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    race = subprocess.run(
        [PYTHON, str(ROOT / "tests" / "support" / "sqlite_registration_race.py"), "20", "5"],
        env=env, cwd=folder, capture_output=True, text=True, timeout=240,
    )
    assert race.returncode == 0, race.stdout + race.stderr
    outcome = json.loads(race.stdout.strip().splitlines()[-1])
    assert outcome["vendor"] == "sqlite"
    assert outcome["transaction_mode"] == "IMMEDIATE"
    assert outcome["pragmas"] == {"journal_mode": "wal", "synchronous": 2, "busy_timeout": 20000}  # FULL: no commit lost on a power cut
    assert outcome["errors"] == [] and outcome["hung"] == 0, outcome
    assert (outcome["confirmed"], outcome["waiting"], outcome["confirmed_count"]) == (5, 15, 5), outcome
