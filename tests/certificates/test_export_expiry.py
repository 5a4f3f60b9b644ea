"""ZIP exports do not pile up: CERTIFICATES_EXPORT_RETENTION_DAYS after an
export is ready, `manage.py certificates_housekeeping` (started by `make
run`) deletes its ZIP and marks it expired, and its page says so to the
person who asked for it, with a button to prepare it again. ZIP files that
no export names any more (an export deleted with its owner) go too."""

from __future__ import annotations

import datetime as dt
import os
import time
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from certificates.housekeeping import exports_expire, housekeeping_run
from certificates.models import CertificateExport
from partners.models import Role

from .conftest import issue, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(partner):
    return make_user(name="Katrien", partner=partner, role=Role.COORDINATOR)


def ready_export(owner, partner, *, days_ago: float, filters=None) -> CertificateExport:
    """A built export whose ZIP was ready `days_ago` days ago."""
    export = CertificateExport.objects.create(
        owner=owner, partner=partner, filters=filters or {}, status=CertificateExport.Status.DONE,
        total=1, done=1, added=1, finished_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    export.file.save(f"certificates-{partner.slug}-{export.pk}.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=True)
    return export


def base_url(export) -> str:
    return f"/en/certificates/partners/{export.partner.slug}/exports/{export.pk}/"


def test_zips_older_than_the_retention_are_deleted_and_their_exports_expire(partner, holder, coordinator):
    issue(holder, partner)
    old = ready_export(coordinator, partner, days_ago=7.1)
    recent = ready_export(coordinator, partner, days_ago=6.9)
    old_name, storage = old.file.name, old.file.storage
    failed = CertificateExport.objects.create(
        owner=coordinator, partner=partner, status=CertificateExport.Status.FAILED,
        finished_at=timezone.now() - dt.timedelta(days=30),
    )
    running = CertificateExport.objects.create(owner=coordinator, partner=partner, status=CertificateExport.Status.RUNNING)
    CertificateExport.objects.filter(pk=running.pk).update(created_at=timezone.now() - dt.timedelta(days=30))

    assert exports_expire() == [old.pk]

    old.refresh_from_db()
    assert old.status == CertificateExport.Status.EXPIRED and not old.file
    assert not storage.exists(old_name)
    recent.refresh_from_db()
    assert recent.status == CertificateExport.Status.DONE and storage.exists(recent.file.name)
    failed.refresh_from_db()
    running.refresh_from_db()
    assert (failed.status, running.status) == (CertificateExport.Status.FAILED, CertificateExport.Status.RUNNING)
    # A second run finds nothing more to do.
    assert exports_expire() == []


def test_the_retention_is_a_setting(settings, partner, coordinator):
    settings.CERTIFICATES_EXPORT_RETENTION_DAYS = 1
    export = ready_export(coordinator, partner, days_ago=1.5)
    assert exports_expire() == [export.pk]
    settings.CERTIFICATES_EXPORT_RETENTION_DAYS = 30
    fresh = ready_export(coordinator, partner, days_ago=0)
    assert fresh.expires_at == fresh.finished_at + dt.timedelta(days=30)
    assert exports_expire(now=timezone.now() + dt.timedelta(days=29)) == []
    assert exports_expire(now=timezone.now() + dt.timedelta(days=31)) == [fresh.pk]


def test_zip_files_no_export_names_are_deleted_once_as_old(partner, coordinator):
    kept = ready_export(coordinator, partner, days_ago=1)
    storage = kept.file.storage
    orphan = storage.save("exports/orphan.zip", ContentFile(b"PK"))
    being_built = storage.save("exports/being-built.zip", ContentFile(b"PK"))
    eight_days_ago = time.time() - 8 * 86400
    os.utime(storage.path(orphan), (eight_days_ago, eight_days_ago))
    os.utime(storage.path(kept.file.name), (eight_days_ago, eight_days_ago))

    result = housekeeping_run()

    assert result.orphans_deleted == ["exports/orphan.zip"]
    assert not storage.exists(orphan)
    # A recent file may be an export being written; a named one is its export's.
    assert storage.exists(being_built) and storage.exists(kept.file.name)


def test_an_expired_export_says_so_on_its_page_and_can_be_prepared_again(
    client, partner, holder, coordinator, django_capture_on_commit_callbacks
):
    from tests.certificates.test_exports import with_pdf

    with_pdf(issue(holder, partner))
    export = ready_export(coordinator, partner, days_ago=8, filters={"course": None, "cohort": None, "date_from": "2020-01-01", "date_to": None})
    exports_expire()
    client.force_login(coordinator)

    page = client.get(base_url(export))
    assert page.status_code == 200
    html = page.content.decode()
    assert "This ZIP has expired" in html and "kept for 7 days" in html
    assert 'data-export-download' not in html
    # The same filter, posted again, prepares a new export.
    assert f'action="/en/certificates/partners/{partner.slug}/exports/"' in html
    assert 'name="date_from" value="2020-01-01"' in html and 'name="date_to"' not in html
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/en/certificates/partners/{partner.slug}/exports/", {"date_from": "2020-01-01"})
    new = CertificateExport.objects.exclude(pk=export.pk).get()
    assert again["Location"] == base_url(new) and new.status == CertificateExport.Status.DONE

    # The download address explains rather than failing: back to the page.
    download = client.get(base_url(export) + "download/", follow=True)
    assert download.status_code == 200 and "This ZIP has expired" in download.content.decode()
    status = client.get(base_url(export) + "status.json").json()
    assert (status["status"], status["status_label"], status["download_url"]) == ("expired", "Expired", None)


def test_expired_page_in_french_and_dutch(client, partner, coordinator):
    export = ready_export(coordinator, partner, days_ago=8)
    exports_expire()
    client.force_login(coordinator)
    french = client.get(base_url(export).replace("/en/", "/fr/")).content.decode()
    assert "Ce ZIP a expiré" in french
    dutch = client.get(base_url(export).replace("/en/", "/nl/")).content.decode()
    assert "Deze ZIP is verlopen" in dutch


def test_a_ready_export_says_until_when(client, partner, coordinator):
    export = ready_export(coordinator, partner, days_ago=2)
    client.force_login(coordinator)
    html = client.get(base_url(export)).content.decode()
    assert "Ready to download until" in html
    assert export.expires_at == export.finished_at + dt.timedelta(days=7)


def test_command_runs_once_or_every_n_seconds(monkeypatch, partner, coordinator):
    ready_export(coordinator, partner, days_ago=9)
    out = StringIO()
    call_command("certificates_housekeeping", stdout=out)
    assert "certificates housekeeping: 1 ZIP exports expired, 0 unnamed ZIP files deleted" in out.getvalue()

    import certificates.management.commands.certificates_housekeeping as command

    naps = []

    def sleep(seconds):
        naps.append(seconds)
        if len(naps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(command.time, "sleep", sleep)
    with pytest.raises(KeyboardInterrupt):
        call_command("certificates_housekeeping", "--every", "3600", stdout=StringIO())
    assert naps == [3600, 3600]
