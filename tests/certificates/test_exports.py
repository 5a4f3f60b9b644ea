"""Downloads for partner-country tracking: the funder's CSV and the ZIP of
stored PDFs built in the background with a progress status."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from uuid import uuid4

import pytest

from certificates import exports
from certificates.exports import NothingToExport, certificate_export_request
from certificates.models import Certificate, CertificateExport
from certificates.rendering import store_certificate_pdf
from certificates.services import certificate_revoke
from certificates.tracking import TrackingFilters
from partners.models import Role

from .conftest import issue, make_partner, make_user

pytestmark = pytest.mark.django_db


def csv_url(partner):
    return f"/en/certificates/partners/{partner.slug}/certificates.csv"


def export_request_url(partner):
    return f"/en/certificates/partners/{partner.slug}/exports/"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def coordinator(partner):
    return make_user(name="Katrien", partner=partner, role=Role.COORDINATOR)


def with_pdf(certificate):
    """A stored PDF without the renderer's cost."""
    from django.core.files.base import ContentFile

    certificate.pdf.save(f"{certificate.code}.pdf", ContentFile(b"%PDF-1.4 " + certificate.code.encode()), save=True)
    return certificate


# --- CSV -----------------------------------------------------------------------------------


def test_csv_one_row_per_certificate_without_personal_data(client, partner, holder, coordinator):
    first = issue(holder, partner, title="Radicalisation — the basics", hours="6.5")
    webinar = issue(holder, partner, kind=Certificate.Kind.ATTENDANCE, title="Webinar: online", hours="1.5")
    certificate_revoke(certificate=webinar, reason="mistake", by=None)
    issue(make_user(partner=make_partner("NL")), Certificate.objects.get(pk=first.pk).partner.__class__.objects.exclude(pk=partner.pk).first())
    client.force_login(coordinator)
    response = client.get(csv_url(partner))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="certificates-{partner.slug}-')
    content = body(response).decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content[1:])))
    assert rows[0] == ["Verification code", "Kind", "Country", "Partner organisation", "Course or session", "Hours", "Issued on", "Status"]
    assert len(rows) == 3  # the other partner's certificate is not here
    assert rows[1] == [first.display_code, "Course completion", "BE", partner.name, "Radicalisation — the basics", "6.50", first.issued_on.isoformat(), "Valid"]
    assert rows[2][1] == "Attendance" and rows[2][-1] == "Revoked"
    # Data minimisation: neither the holder's name nor an email address.
    assert holder.full_name not in content and holder.email not in content and "@" not in content


def test_csv_guards_against_formula_injection(client, partner, holder, coordinator):
    issue(holder, partner, title="=HYPERLINK(\"http://evil\",\"x\")")
    partner.name = "+Partner"
    partner.save()
    client.force_login(coordinator)
    rows = list(csv.reader(io.StringIO(body(client.get(csv_url(partner))).decode()[1:])))
    assert rows[1][4] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert rows[1][3] == "'+Partner"


def test_csv_follows_the_filter_and_rejects_a_bad_one(client, partner, holder, coordinator):
    old = issue(holder, partner, title="Old")
    Certificate.objects.filter(pk=old.pk).update(issued_on=datetime.date(2024, 1, 1))
    issue(holder, partner, title="New")
    client.force_login(coordinator)
    rows = list(csv.reader(io.StringIO(body(client.get(csv_url(partner), {"date_from": "2025-01-01"})).decode()[1:])))
    assert [row[4] for row in rows[1:]] == ["New"]
    bad = client.get(csv_url(partner), {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert bad.status_code == 400
    assert "The end date is before the start date." in bad.content.decode()


def test_csv_in_french_translates_labels_not_data(client, partner, holder, coordinator):
    issue(holder, partner, title="Titre")
    client.force_login(coordinator)
    response = client.get(f"/fr/certificates/partners/{partner.slug}/certificates.csv")
    assert response.status_code == 200
    assert "Titre" in body(response).decode()


# --- ZIP export ------------------------------------------------------------------------------


def test_zip_export_streams_stored_pdfs_and_counts_missing_ones(
    client, partner, holder, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    stored = [with_pdf(issue(make_user(partner=partner), partner, title=f"Course {n}")) for n in range(3)]
    missing = issue(holder, partner, title="No PDF yet")
    revoked = with_pdf(issue(make_user(partner=partner), partner, title="Revoked"))
    certificate_revoke(certificate=revoked, reason="x", by=None)
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)

    def no_render(*args, **kwargs):
        raise AssertionError("the export rendered a PDF")

    monkeypatch.setattr("certificates.rendering.render_certificate_pdf", no_render)
    client.force_login(coordinator)
    # The build is queued after commit and run at once (ImmediateBackend).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(export_request_url(partner))
    export = CertificateExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/certificates/partners/{partner.slug}/exports/{export.pk}/"
    assert (export.owner, export.partner, export.status) == (coordinator, partner, CertificateExport.Status.DONE)
    assert (export.total, export.done, export.added, export.skipped) == (4, 4, 3, 1)

    status = client.get(f"/en/certificates/partners/{partner.slug}/exports/{export.pk}/status.json").json()
    download_url = f"/en/certificates/partners/{partner.slug}/exports/{export.pk}/download/"
    assert status == {
        "status": "done", "status_label": "Ready", "total": 4, "done": 4, "added": 3, "skipped": 1, "percent": 100,
        "download_url": download_url,
    }
    page = client.get(response["Location"]).content.decode()
    assert 'value="100"' in page and download_url in page and 'aria-live="polite"' in page

    download = client.get(download_url)
    assert download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(body(download)))
    names = sorted(archive.namelist())
    assert names == sorted(f"BE/completion/certificate-{c.display_code}.pdf" for c in stored)
    assert archive.read(names[0]).startswith(b"%PDF")
    assert missing.display_code not in " ".join(names)


def test_zip_export_keeps_the_filter(client, partner, holder, coordinator, django_capture_on_commit_callbacks):
    course = uuid4()
    chosen = with_pdf(issue(holder, partner, course_key=course, title="Chosen"))
    with_pdf(issue(holder, partner, title="Not chosen"))
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(export_request_url(partner), {"course": str(course)})
    export = CertificateExport.objects.get()
    assert export.filters["course"] == str(course)
    assert export.total == 1
    with export.file.open("rb") as handle:
        assert zipfile.ZipFile(handle).namelist() == [f"BE/completion/certificate-{chosen.display_code}.pdf"]


def test_zip_request_for_no_certificate_is_refused_without_a_task(client, partner, coordinator, monkeypatch):
    monkeypatch.setattr(exports, "_enqueue_build", lambda export_id: pytest.fail("a task was queued"))
    client.force_login(coordinator)
    response = client.post(export_request_url(partner), {"date_from": "2020-01-01", "date_to": "2020-01-31"}, follow=True)
    assert response.status_code == 200
    assert not CertificateExport.objects.exists()
    html = response.content.decode()
    assert "No valid certificate matches this filter" in html
    # Back on the dashboard with the same filter.
    assert response.redirect_chain[-1][0] == f"/en/certificates/partners/{partner.slug}/?date_from=2020-01-01&date_to=2020-01-31"
    with pytest.raises(NothingToExport):
        certificate_export_request(owner=coordinator, partner=partner, filters=TrackingFilters())


def test_zip_request_with_a_bad_filter_is_a_form_error(client, partner, holder, coordinator):
    issue(holder, partner)
    client.force_login(coordinator)
    response = client.post(export_request_url(partner), {"date_from": "not a date"})
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    assert not CertificateExport.objects.exists()


def test_export_not_ready_yet_shows_progress_and_download_waits(client, partner, holder, coordinator):
    certificate = issue(holder, partner)
    export = CertificateExport.objects.create(owner=coordinator, partner=partner, total=1, status=CertificateExport.Status.RUNNING)
    client.force_login(coordinator)
    base = f"/en/certificates/partners/{partner.slug}/exports/{export.pk}/"
    status = client.get(base + "status.json").json()
    assert status["status"] == "running" and status["download_url"] is None and status["percent"] == 0
    page = client.get(base).content.decode()
    assert 'data-export-status="' + base + 'status.json"' in page
    assert "<progress" in page and 'hidden' in page.split('class="export-download"')[1][:20]
    assert client.get(base + "download/")["Location"] == base
    del certificate


def test_failed_export_says_so(partner, holder, coordinator, monkeypatch):
    with_pdf(issue(holder, partner))
    export = CertificateExport.objects.create(owner=coordinator, partner=partner, filters={})

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("zipfile.ZipFile.open", broken)
    with pytest.raises(OSError):
        exports.certificate_export_build(export=export)
    export.refresh_from_db()
    assert export.status == CertificateExport.Status.FAILED and export.error == "disk full"


def test_the_build_task_leaves_a_finished_or_deleted_export_alone(partner, coordinator):
    from certificates.tasks import certificate_export_build

    export = CertificateExport.objects.create(owner=coordinator, partner=partner, status=CertificateExport.Status.DONE)
    assert certificate_export_build.call(str(export.pk)) == "skipped"
    assert certificate_export_build.call(str(uuid4())) == "skipped"


def test_real_rendered_pdf_goes_into_the_zip_unchanged(partner, holder, coordinator, django_capture_on_commit_callbacks):
    certificate = store_certificate_pdf(issue(holder, partner))
    with django_capture_on_commit_callbacks(execute=True):
        export = certificate_export_request(owner=coordinator, partner=partner, filters=TrackingFilters())
    export.refresh_from_db()
    assert export.status == CertificateExport.Status.DONE
    with export.file.open("rb") as handle, certificate.pdf.open("rb") as original:
        assert zipfile.ZipFile(handle).read(f"BE/completion/certificate-{certificate.display_code}.pdf") == original.read()
