"""The coordinator's certificate dashboard in a real browser: no serious or
critical axe violations, the chart drawn next to its table, the filter form
used with the keyboard alone, and a ZIP export from request to download
through the progress page.

The server is a forked daphne that reads certificate PDFs from the storage
it inherited (var/certificates, ignored by git): the files this test
creates there are removed again at the end."""

from __future__ import annotations

import datetime
import json
import zipfile
from decimal import Decimal
from uuid import uuid4

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.test_h5p_player import log_in

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}
MAX_TABS = 80


@pytest.fixture
def tracked_partner(asgi_live_server):
    from accounts.models import User
    from certificates.models import Certificate, CertificateExport
    from certificates.services import certificate_issue
    from partners.models import Membership, Partner, Role

    partner = Partner.objects.create(name="Preventiecentrum Gent", slug="browser-gent", country="BE", default_language="nl")
    coordinator = User.objects.create_user(email="katrien@example.org", password="x-9-long-enough", full_name="Katrien")
    Membership.objects.create(user=coordinator, partner=partner, role=Role.COORDINATOR)
    courses = {uuid4(): "Radicalisation: the basics", uuid4(): "Talking with young people"}
    for number, (key, title) in enumerate([*courses.items(), *courses.items(), *courses.items()]):
        learner = User.objects.create_user(email=f"learner{number}@example.org", password="x-9-long-enough", full_name=f"Learner {number}")
        Membership.objects.create(user=learner, partner=partner, role=Role.LEARNER)
        # Committed, so the render task runs at once (ImmediateBackend) and
        # stores the PDF where the server reads it.
        certificate, _ = certificate_issue(
            kind=Certificate.Kind.COMPLETION, holder=learner, partner=partner, course_key=key, title=title,
            hours=Decimal(6),
        )
        Certificate.objects.filter(pk=certificate.pk).update(issued_on=datetime.date(2026, 1 + number % 3, 10))
    yield partner, coordinator, courses
    for certificate in Certificate.objects.filter(partner=partner).exclude(pdf=""):
        certificate.pdf.storage.delete(certificate.pdf.name)
    for export in CertificateExport.objects.filter(partner=partner).exclude(file=""):
        export.file.storage.delete(export.file.name)


def _axe_problems(page) -> list[str]:
    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    return [f"{page.url} [{v['impact']}] {v['id']}: {json.dumps([n['target'] for n in v['nodes'][:3]])}" for v in violations]


def _focused_id(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def _tab_to(page, element_id: str) -> None:
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if _focused_id(page) == element_id:
            return
    pytest.fail(f"#{element_id} was not reached in {MAX_TABS} tab stops")


def test_dashboard_chart_table_and_axe(page, context, asgi_live_server, tracked_partner):
    partner, coordinator, _courses = tracked_partner
    log_in(context, asgi_live_server, coordinator)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Every script and stylesheet loads (the browser's own favicon request aside).
    page.on(
        "response",
        lambda response: errors.append(f"{response.status} {response.url}")
        if response.status >= 400 and not response.url.endswith("/favicon.ico") else None,
    )

    page.goto(f"/en/certificates/partners/{partner.slug}/")
    expect(page.locator("h1")).to_contain_text("Preventiecentrum Gent")
    canvas = page.locator("canvas#per-course-chart")
    expect(canvas).to_be_visible()
    expect(canvas).to_have_attribute("role", "img")
    # Chart.js drew on it (from the json_script data, no inline script).
    page.wait_for_function("() => window.Chart && window.Chart.getChart(document.getElementById('per-course-chart'))")
    assert page.evaluate("() => window.Chart.getChart(document.getElementById('per-course-chart')).data.datasets.length") == 2
    table = page.get_by_role("table", name="Certificates issued per month (rows) and course (columns)")
    expect(table).to_be_visible()
    expect(table.locator("tfoot td").last).to_have_text("6")
    assert not _axe_problems(page)
    assert not errors, errors


def test_filter_form_by_keyboard(page, context, asgi_live_server, tracked_partner):
    partner, coordinator, courses = tracked_partner
    log_in(context, asgi_live_server, coordinator)
    page.goto(f"/en/certificates/partners/{partner.slug}/")

    _tab_to(page, "id_course")
    page.keyboard.press("ArrowDown")  # the first course (alphabetical)
    _tab_to(page, "id_date_from")
    # Day and month equal: the field's order (dd/mm or mm/dd) follows the
    # browser's own locale, not the page's.
    page.keyboard.type("01012026")
    _tab_to(page, "id_date_to")
    page.keyboard.type("02022026")
    # Tab leaves the date field (Chromium may stop on its day, month and year parts first).
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Apply the filter":
            break
    else:
        pytest.fail("the filter button was not reached after the end date")
    page.keyboard.press("Enter")

    expect(page).to_have_url(
        f"{asgi_live_server.url}/en/certificates/partners/{partner.slug}/?course={min(courses, key=courses.get)}"
        "&cohort=&date_from=2026-01-01&date_to=2026-02-02"
    )
    expect(page.locator('[data-figure="issued"]')).to_have_text("1")

    # An inverted range: an error the keyboard user is taken to by its link.
    page.goto(f"/en/certificates/partners/{partner.slug}/?date_from=2026-02-01&date_to=2026-01-01")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The end date is before the start date.")
    alert.get_by_role("link").first.focus()
    page.keyboard.press("Enter")
    assert _focused_id(page) == "id_date_to" or page.url.endswith("#id_date_to")
    assert not _axe_problems(page)


def test_zip_export_shows_progress_then_a_download(page, context, asgi_live_server, tracked_partner):
    from certificates.models import CertificateExport

    partner, coordinator, _courses = tracked_partner
    log_in(context, asgi_live_server, coordinator)
    page.goto(f"/en/certificates/partners/{partner.slug}/")
    page.get_by_role("button", name="Prepare a ZIP of the certificate PDFs").click()

    expect(page.locator("h1")).to_have_text("ZIP of certificate PDFs")
    progress = page.get_by_label("Progress")
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("value", "100")
    expect(page.get_by_role("status")).to_contain_text("6 of 6 certificates processed")
    link = page.get_by_role("link", name="Download the ZIP")
    expect(link).to_be_visible()
    assert not _axe_problems(page)

    with page.expect_download() as download_info:
        link.click()
    path = download_info.value.path()
    with zipfile.ZipFile(path) as archive:
        assert len(archive.namelist()) == 6
        assert all(name.startswith("BE/completion/certificate-") for name in archive.namelist())
    export = CertificateExport.objects.get()
    assert (export.owner, export.added, export.skipped) == (coordinator, 6, 0)


def test_progress_page_polls_until_the_export_is_ready(page, context, asgi_live_server, tracked_partner):
    """An export still running: the bar shows where it is, the link appears
    by itself once the status endpoint says it is done (no reload)."""
    from django.core.files.base import ContentFile

    from certificates.models import CertificateExport

    partner, coordinator, _courses = tracked_partner
    export = CertificateExport.objects.create(
        owner=coordinator, partner=partner, total=6, done=3, added=3, status=CertificateExport.Status.RUNNING
    )
    log_in(context, asgi_live_server, coordinator)
    page.goto(f"/en/certificates/partners/{partner.slug}/exports/{export.pk}/")
    expect(page.get_by_label("Progress")).to_have_attribute("value", "50")
    link = page.get_by_role("link", name="Download the ZIP")
    expect(link).to_be_hidden()

    export.file.save("exports/browser-test.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=False)
    CertificateExport.objects.filter(pk=export.pk).update(
        status=CertificateExport.Status.DONE, done=6, added=5, skipped=1, file=export.file.name
    )
    expect(link).to_be_visible()
    expect(page.get_by_label("Progress")).to_have_attribute("value", "100")
    expect(page.get_by_role("status")).to_contain_text("6 of 6 certificates processed")
    expect(page.get_by_role("status")).to_contain_text("1 skipped")
