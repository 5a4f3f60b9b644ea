"""Certificates at scale (issue "Certificate service", partner-country tracking).

Cases, each against a baseline measured in the same run:

1. issue to stored PDF, one certificate (the service, the Open Badges
   signature, the render task run at once, the file stored); baseline: a
   trivial xhtml2pdf document, and the empty Wagtail page for scale.
2. a ZIP of 1,000 stored PDFs for one country (the export task's work);
   baseline: copying the same bytes into one file.
3. re-rendering those 1,000 certificates after a template change with
   `certificates_rerender`, one worker process per core (2), against one.
4. a partner dashboard for a country with 20,000 certificates (and 5,000
   enrolments), its query count, the staff overview and the CSV;
   baseline: the empty Wagtail page. The dashboards keep their aggregate
   panels in the cache until a change (certificates/tracking.py): the
   repeated visits read them from there, and one case starts a new
   generation before every request (the first visit after a change).

PDFs go to a temporary folder, never to var/certificates.
"""

from __future__ import annotations

import datetime
import io
import shutil
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

from bench.harness import Result, measure, measure_interleaved, table

ZIP_CERTIFICATES = 1_000
DASHBOARD_CERTIFICATES = 20_000
DASHBOARD_LEARNERS = 5_000
COURSES = 6
MONTHS = 24


def _private_storage() -> Path:
    """Point the certificate and export file fields at a throwaway folder
    (the fields resolved their storage when the models were built)."""
    from django.core.files.storage import FileSystemStorage

    from certificates.models import Certificate, CertificateExport

    folder = Path(tempfile.mkdtemp(prefix="bench-certificates-"))
    storage = FileSystemStorage(location=folder)
    Certificate._meta.get_field("pdf").storage = storage
    CertificateExport._meta.get_field("file").storage = storage
    return folder


def _partner(slug: str, country: str, language: str):
    from partners.models import Partner

    partner, _ = Partner.objects.get_or_create(
        slug=slug, defaults={"name": f"Bench partner {country}", "country": country, "default_language": language}
    )
    return partner


def _bulk_certificates(partner, count: int, *, language: str) -> None:
    from certificates.codes import code_generate
    from certificates.models import Certificate

    courses = [(uuid.uuid4(), f"Bench course {n + 1}") for n in range(COURSES)]
    start = datetime.date(2025, 1, 1)
    rows = []
    for n in range(count):
        attendance = n % 7 == 0
        key, title = (None, f"Bench webinar {n % 3 + 1}") if attendance else courses[n % COURSES]
        month = n % MONTHS
        rows.append(
            Certificate(
                kind=Certificate.Kind.ATTENDANCE if attendance else Certificate.Kind.COMPLETION,
                code=code_generate(), holder=None, holder_name=f"Bench Holder {n}", partner=partner,
                country=partner.country, language=language, course_key=key, title=title,
                hours=Decimal("1.5") if attendance else Decimal(8),
                issued_on=datetime.date(start.year + (month // 12), month % 12 + 1, 1 + n % 28),
            )
        )
    Certificate.objects.bulk_create(rows, batch_size=2000)


def build() -> dict:
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from certificates.models import Certificate
    from learning.models import CourseCompletion, Enrollment
    from partners.models import Membership, Role

    folder = _private_storage()
    zip_partner = _partner("bench-certificates-fr", "FR", "fr")
    dashboard_partner = _partner("bench-certificates-nl", "NL", "nl")
    _bulk_certificates(zip_partner, ZIP_CERTIFICATES, language="fr")
    _bulk_certificates(dashboard_partner, DASHBOARD_CERTIFICATES, language="nl")

    password = make_password("bench-password")
    coordinator = User.objects.create(email="bench-coordinator@bench.example", password=password, full_name="Bench Coordinator")
    Membership.objects.create(user=coordinator, partner=dashboard_partner, role=Role.COORDINATOR)
    staff = User.objects.create(email="bench-staff@bench.example", password=password, full_name="Bench Staff", is_staff=True)
    learners = User.objects.bulk_create(
        [User(email=f"bench-cert-{i:05d}@bench.example", password=password, full_name=f"Learner {i}")
         for i in range(DASHBOARD_LEARNERS)],
        batch_size=2000,
    )
    Membership.objects.bulk_create([Membership(user=u, partner=dashboard_partner, role=Role.LEARNER) for u in learners])
    keys = list(
        Certificate.objects.filter(partner=dashboard_partner, course_key__isnull=False)
        .values_list("course_key", flat=True).distinct()
    )
    Enrollment.objects.bulk_create(
        [Enrollment(learner=u, course_key=keys[i % len(keys)]) for i, u in enumerate(learners)], batch_size=2000
    )
    CourseCompletion.objects.bulk_create(
        [CourseCompletion(learner=u, course_key=keys[i % len(keys)]) for i, u in enumerate(learners) if i % 2 == 0],
        batch_size=2000,
    )
    return {"folder": folder, "zip_partner": zip_partner, "dashboard_partner": dashboard_partner,
            "coordinator": coordinator, "staff": staff}


def cleanup(data: dict) -> None:
    shutil.rmtree(data["folder"], ignore_errors=True)


# --- 1. Issue to stored PDF -----------------------------------------------------------


def issue_to_pdf(data: dict, baseline_url: str, repeat: int) -> str:
    from django.test import Client
    from xhtml2pdf import pisa

    from accounts.models import User
    from certificates.models import Certificate
    from certificates.services import certificate_issue
    from partners.models import Partner

    partner = Partner.objects.filter(country="BE").exclude(slug__startswith="bench-").order_by("pk").first()
    holder = User.objects.create(email="bench-holder@bench.example", full_name="Zoë Vandenbroucke-Ç", preferred_language="nl")

    def trivial_pdf():
        pisa.CreatePDF("<html><body><p>Certificate</p></body></html>", dest=io.BytesIO())

    def issue_one():
        # Outside a transaction: the render task (ImmediateBackend under the
        # bench settings) runs on commit, so the call returns with the PDF stored.
        certificate, created = certificate_issue(
            kind=Certificate.Kind.COMPLETION, holder=holder, partner=partner, course_key=uuid.uuid4(),
            title="Recognising early signs of radicalisation", hours=Decimal("6.5"),
        )
        assert created
        assert Certificate.objects.filter(pk=certificate.pk).exclude(pdf="").exists()

    client = Client(HTTP_HOST="127.0.0.1")

    def empty_page():
        assert client.get(baseline_url).status_code == 200

    runs = max(20, repeat // 4)
    baseline = measure("trivial xhtml2pdf document (one paragraph)", trivial_pdf, repeat=runs, warmup=5)
    results = [
        measure("empty Wagtail page (for scale)", empty_page, repeat=runs, warmup=5),
        measure("certificate issued → signed → PDF rendered and stored", issue_one, repeat=runs, warmup=5),
    ]
    return table(f"1. Issue to stored PDF, one certificate ({runs} runs; target < 60 ms)", results, baseline)


# --- 2 and 3. Re-render 1,000, then ZIP them -------------------------------------------------


def _once(name: str, call) -> Result:
    start = time.perf_counter()
    call()
    return Result(name, [time.perf_counter() - start])


def rerender(data: dict) -> str:
    from certificates.rerender import certificates_rerender

    partner = data["zip_partner"]
    outcomes = {}

    def run(workers):
        def call():
            outcomes[workers] = certificates_rerender(partner=partner, workers=workers)

        return call

    one = _once(f"{ZIP_CERTIFICATES:,} certificates, 1 worker process", run(1))
    two = _once(f"{ZIP_CERTIFICATES:,} certificates, 2 worker processes (both cores)", run(2))
    assert outcomes[1].rendered == outcomes[2].rendered == ZIP_CERTIFICATES and not outcomes[2].failed
    lines = [
        "### 3. Re-render after a template change: `certificates_rerender` (one run each; target < 30 s)",
        "",
        "| case | seconds | certificates/s | ratio to 1 worker |",
        "|---|---:|---:|---:|",
    ]
    for result in (one, two):
        seconds = result.samples[0]
        lines.append(f"| {result.name} | {seconds:.1f} | {ZIP_CERTIFICATES / seconds:.0f} | {seconds / one.samples[0]:.2f}x |")
    return "\n".join(lines)


def zip_export(data: dict, repeat: int) -> str:
    from certificates.exports import certificate_export_build
    from certificates.models import Certificate, CertificateExport

    partner = data["zip_partner"]
    stored = list(Certificate.objects.filter(partner=partner).exclude(pdf="").values_list("pdf", flat=True))
    assert len(stored) == ZIP_CERTIFICATES, len(stored)
    storage = Certificate._meta.get_field("pdf").storage
    size = sum(storage.size(name) for name in stored)

    def copy_bytes():
        with tempfile.TemporaryFile() as target:
            for name in stored:
                with storage.open(name, "rb") as source:
                    shutil.copyfileobj(source, target)

    def build_zip():
        export = CertificateExport.objects.create(owner=data["coordinator"], partner=partner, filters={})
        certificate_export_build(export=export)
        assert export.added == ZIP_CERTIFICATES and export.skipped == 0, (export.added, export.skipped)
        storage.delete(export.file.name)

    runs = max(5, repeat // 40)
    baseline = measure(f"copy the same {size / 1e6:.1f} MB of PDFs into one file", copy_bytes, repeat=runs, warmup=1)
    results = [measure(f"ZIP export task, {ZIP_CERTIFICATES:,} stored PDFs (FR)", build_zip, repeat=runs, warmup=1)]
    return table(f"2. ZIP of {ZIP_CERTIFICATES:,} certificates from stored PDFs ({runs} runs; target < 5 s)", results, baseline)


# --- 4. Dashboard at 20,000 ------------------------------------------------------------------


def dashboard(data: dict, baseline_url: str, repeat: int) -> str:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    slug = data["dashboard_partner"].slug
    coordinator = Client(HTTP_HOST="127.0.0.1")
    coordinator.force_login(data["coordinator"])
    staff = Client(HTTP_HOST="127.0.0.1")
    staff.force_login(data["staff"])
    anonymous = Client(HTTP_HOST="127.0.0.1")
    dashboard_url = f"/en/certificates/partners/{slug}/"
    filtered_url = dashboard_url + "?date_from=2025-06-01&date_to=2026-05-31"
    queries = {}

    def getter(client, url, label):
        def call():
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)
            assert response.status_code == 200, (url, response.status_code)
            queries[label] = len(captured)

        return call

    def cold(call):
        """The first visit after a change: the panels are computed again."""
        from certificates.tracking import TRACKING_GENERATION_KEY
        from config.cache_generations import generation_bump

        def run():
            generation_bump(TRACKING_GENERATION_KEY)
            call()

        return run

    runs = max(20, repeat // 4)
    cases = [
        ("coordinator dashboard, 20,000 certificates", coordinator, dashboard_url, 1),
        ("same, filtered to 12 months", coordinator, filtered_url, 1),
        ("staff overview, all countries", staff, "/en/certificates/overview/", 1),
        ("funder CSV, 20,000 rows", coordinator, f"/en/certificates/partners/{slug}/certificates.csv", 4),
    ]
    baseline, *results = measure_interleaved(
        [
            ("empty Wagtail page", getter(anonymous, baseline_url, "baseline"), 1),
            *[(label, getter(client, url, label), every) for label, client, url, every in cases],
        ],
        rounds=runs,
        warmup=3,
    )
    text = table(
        f"4. Tracking pages for a country with {DASHBOARD_CERTIFICATES:,} certificates and "
        f"{DASHBOARD_LEARNERS:,} enrolments (in-process)",
        results, baseline,
    )
    # Apart: a new generation before each request empties every entry, the
    # other cases' too.
    first_visit = "coordinator dashboard, first visit after a change (panels computed)"
    cold_baseline, cold_result = measure_interleaved(
        [
            ("empty Wagtail page", getter(anonymous, baseline_url, "baseline"), 1),
            (first_visit, cold(getter(coordinator, dashboard_url, first_visit)), 1),
        ],
        rounds=runs,
        warmup=3,
    )
    text += "\n\n" + table("4b. The first visit after a change", [cold_result], cold_baseline)
    cases.insert(1, (first_visit, coordinator, dashboard_url, 1))
    counts = ", ".join(f"{label}: {queries[label]}" for label, *_rest in cases)
    return text + f"\n\nQueries per request: empty page {queries['baseline']}; {counts}."
