"""The backup of docs/operations.md ("Backups", "Restoring") restores a
working site: PostgreSQL with `pg_dump`, H5P_CONTENT_ROOT and
CERTIFICATES_ROOT copied as folders; then everything is lost (the folders
deleted, an empty database on the server) and restored from the copies
alone, by `pg_restore` and copying the folders back, to other paths. A
separate process configured only with the restored database and folders
serves the H5P package from the content origin and the certificate PDF as
it was stored (not rendered again).

The test data is committed (pg_dump reads only that): the test runs on a
transactional database whose migrated rows are reloaded afterwards, as for
the tests against the real server (tests/conftest.py)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from tests.support.postgres import _bindir
from tests.support.processes import PYTHON, ROOT, clean_env, fresh_signing_key, random_secret_key

pytestmark = pytest.mark.integration

CONTENT_HOST = "h5p.restore.test"

_CHECK = """
import hashlib, json, sys
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from certificates.models import Certificate
from courses.h5p.models import H5PPackage

wanted = json.loads(sys.argv[1])
package = H5PPackage.objects.get(pk=wanted["package"])
certificate = Certificate.objects.select_related("holder").get(code=wanted["code"])
client = Client()
served = client.get(f"/h5p/{package.storage_path}/files/content/content.json", HTTP_HOST=sys.argv[2])
stored = certificate.pdf.storage.exists(certificate.pdf.name)
client.force_login(certificate.holder)
pdf = client.get(f"/certificates/{certificate.display_code}/pdf/")
print(json.dumps({
    "h5p_status": served.status_code,
    "h5p_sha256": hashlib.sha256(b"".join(served.streaming_content) if served.streaming else served.content).hexdigest(),
    "archive_sha256": package.archive_path.exists() and hashlib.sha256(package.archive_path.read_bytes()).hexdigest(),
    "pdf_stored_before_download": stored,
    "pdf_status": pdf.status_code,
    "pdf_type": pdf.get("Content-Type"),
    "pdf_sha256": hashlib.sha256(b"".join(pdf.streaming_content)).hexdigest(),
}))
"""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run(*command: str) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{command[0]} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture
def committed_db(_live_db_clean_slate, transactional_db, django_db_serialized_rollback):
    """Committed test data; the migrated rows come back for the next tests."""


@pytest.fixture
def empty_database():
    """A new, empty database on the suite's PostgreSQL server (the server a
    restore starts from), dropped afterwards."""
    config = connection.settings_dict
    name = f"restored_{uuid.uuid4().hex[:12]}"
    server = {"host": config["HOST"], "port": config["PORT"], "user": config["USER"], "dbname": "postgres"}
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{config['USER']}@{config['HOST']}:{config['PORT']}/{name}"
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_h5p_packages_and_certificate_pdfs(committed_db, empty_database, settings, tmp_path, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    from accounts.models import User
    from certificates.models import Certificate
    from certificates.services import certificate_issue
    from courses.h5p.services import h5p_package_create
    from partners.models import Membership, Partner, Role
    from tests.courses.h5p_builder import build_h5p, fixture_files

    # --- The site as it runs: files under its configured roots.
    site = tmp_path / "site"
    settings.H5P_CONTENT_ROOT = str(site / "h5p")
    settings.MEDIA_ROOT = str(site / "media")
    monkeypatch.setattr(Certificate._meta.get_field("pdf"), "storage", FileSystemStorage(location=site / "certificates"))

    upload = build_h5p()
    package = h5p_package_create(uploaded_file=io.BytesIO(upload), title="Spot the signs")
    partner = Partner.objects.create(name="Restore partner", slug="restore-partner", country="BE", default_language="en")
    holder = User.objects.create_user(email="restore-holder@example.org", password="x-9-long-enough", full_name="Rosa Restore")
    Membership.objects.create(user=holder, partner=partner, role=Role.LEARNER)
    # Issued after commit, its PDF rendered and stored by the task (as in production).
    certificate, _ = certificate_issue(
        kind=Certificate.Kind.COMPLETION, holder=holder, partner=partner, course_key=uuid.uuid4(),
        title="Recognising radicalisation", hours=6,
    )
    certificate.refresh_from_db()
    assert certificate.pdf, "the render task stored no PDF"
    issued_pdf = certificate.pdf.read()
    certificate.pdf.close()
    assert issued_pdf.startswith(b"%PDF")

    # --- Backup: the database and the two folders, from the same moment.
    backup = tmp_path / "backup"
    backup.mkdir()
    bindir = _bindir()
    config = connection.settings_dict
    source_url = f"postgres://{config['USER']}@{config['HOST']}:{config['PORT']}/{config['NAME']}"
    run(str(bindir / "pg_dump"), "--format=custom", "--no-owner", f"--file={backup / 'bridgeline.dump'}", f"--dbname={source_url}")
    shutil.copytree(site / "h5p", backup / "h5p")
    shutil.copytree(site / "certificates", backup / "certificates")

    # --- Everything is lost.
    shutil.rmtree(site)

    # --- Restore, onto the empty database and into other folders.
    run(str(bindir / "pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={empty_database}", str(backup / "bridgeline.dump"))
    restored = tmp_path / "restored"
    shutil.copytree(backup / "h5p", restored / "h5p")
    shutil.copytree(backup / "certificates", restored / "certificates")

    # --- A process that knows only the restored database and folders.
    env = clean_env(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=empty_database,
        SECRET_KEY=random_secret_key(),
        CERTIFICATE_SIGNING_KEY=fresh_signing_key(),
        H5P_CONTENT_ROOT=str(restored / "h5p"),
        CERTIFICATES_ROOT=str(restored / "certificates"),
        MEDIA_ROOT=str(restored / "media"),
        H5P_CONTENT_ORIGIN=f"http://{CONTENT_HOST}",
        H5P_SITE_ORIGINS="http://testserver",
    )
    wanted = json.dumps({"package": package.pk, "code": certificate.code})
    result = subprocess.run(
        [PYTHON, "-c", _CHECK, wanted, CONTENT_HOST], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])

    assert found["h5p_status"] == 200
    assert found["h5p_sha256"] == sha256(fixture_files()["content/content.json"])
    # The .h5p as uploaded came back too (it can rebuild the folder).
    assert found["archive_sha256"] == sha256(upload)
    # The PDF served is the stored one, not a new rendering.
    assert found["pdf_stored_before_download"] is True
    assert (found["pdf_status"], found["pdf_type"]) == (200, "application/pdf")
    assert found["pdf_sha256"] == sha256(issued_pdf)
