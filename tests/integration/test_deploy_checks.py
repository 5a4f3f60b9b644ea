"""The production configuration as an operator would start it, and the
migrations as committed: both checked by Django itself."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.support.processes import clean_env, fresh_signing_key, manage, postgres_test_database_url, random_secret_key

pytestmark = pytest.mark.integration


def test_check_deploy_reports_no_issues_with_production_settings(django_db_setup, redis_url):
    env = clean_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=random_secret_key(64),
        ALLOWED_HOSTS="bridgeline.example,www.bridgeline.example",
        DATABASE_URL=postgres_test_database_url(),
        REDIS_URL=redis_url,
        CERTIFICATE_SIGNING_KEY=fresh_signing_key(),
    )
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output


def test_models_and_migrations_agree(db):
    # db: makemigrations also checks the applied history against the database.
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(f"makemigrations --check found model changes without a migration (exit {exit_.code}):\n{out.getvalue()}")
