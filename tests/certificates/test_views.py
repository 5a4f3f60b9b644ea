"""Downloads (who may, parametrised over every certificate URL), the public
verification page and JSON, malformed input and the rate limit."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates import ratelimit
from certificates.models import Certificate
from certificates.services import certificate_reissue, certificate_revoke
from partners.models import Role

from .conftest import issue, make_partner, make_user

pytestmark = pytest.mark.django_db

JSON_KEYS = {"code", "status", "holder_name", "title", "partner", "country", "issued_on", "expires_on", "hours", "kind"}


def body(response) -> bytes:
    """A streamed download's bytes. Reading to the end closes the file (the
    test client wraps the stream); an unread one would leak it."""
    return b"".join(response.streaming_content)


def pdf_url(certificate):
    return f"/certificates/{certificate.display_code}/pdf/"


def json_url(code):
    return f"/certificates/verify/{code}.json"


def page_url(code, language="en"):
    return f"/{language}/certificates/verify/{code}/"


# --- Downloads ---------------------------------------------------------------------

PRIVATE_URLS = {
    "pdf (display code)": lambda c: f"/certificates/{c.display_code}/pdf/",
    "pdf (stored code)": lambda c: f"/certificates/{c.code}/pdf/",
    "pdf (lower case)": lambda c: f"/certificates/{c.display_code.lower()}/pdf/",
}


@pytest.fixture
def people(partner, holder):
    other_partner = make_partner("NL", language="nl")
    return {
        "holder": holder,
        "coordinator": make_user(name="Katrien", partner=partner, role=Role.COORDINATOR),
        "trainer": make_user(name="Youssef", partner=partner, role=Role.TRAINER),
        "other coordinator": make_user(name="Marieke", partner=other_partner, role=Role.COORDINATOR),
        "other learner": make_user(name="Pieter", partner=partner, role=Role.LEARNER),
        "staff": make_user(name="Staff", is_staff=True),
    }


@pytest.mark.parametrize("url", PRIVATE_URLS.values(), ids=PRIVATE_URLS.keys())
@pytest.mark.parametrize(
    "who, expected",
    [("holder", 200), ("coordinator", 200), ("staff", 200), ("trainer", 404), ("other coordinator", 404),
     ("other learner", 404)],
)
def test_download_permissions(client, certificate, people, who, expected, url):
    client.force_login(people[who])
    response = client.get(url(certificate))
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"] == f'attachment; filename="certificate-{certificate.display_code}.pdf"'
        assert body(response).startswith(b"%PDF")


@pytest.mark.parametrize("url", PRIVATE_URLS.values(), ids=PRIVATE_URLS.keys())
def test_anonymous_is_sent_to_log_in_whatever_the_code(client, certificate, url):
    """A logged-out holder following a link can log in; the redirect is the same
    for a code that does not exist, so it tells a stranger nothing."""
    response = client.get(url(certificate))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    unknown = client.get("/certificates/AAAA-BBBB-CCCC-DDDD/pdf/")
    assert unknown.status_code == 302


def test_unknown_and_malformed_codes_are_404_for_staff(client, people):
    client.force_login(people["staff"])
    assert client.get("/certificates/AAAA-BBBB-CCCC-DDDD/pdf/").status_code == 404
    assert client.get("/certificates/nonsense/pdf/").status_code == 404


def test_download_renders_once_when_the_task_has_not_run(client, certificate):
    assert not certificate.pdf
    client.force_login(certificate.holder)
    first = body(client.get(pdf_url(certificate)))
    certificate.refresh_from_db()
    stored = certificate.pdf.name
    assert stored
    second = body(client.get(pdf_url(certificate)))
    certificate.refresh_from_db()
    assert certificate.pdf.name == stored
    assert first == second


def test_download_streams_the_stored_file_not_a_new_render(client, certificate, monkeypatch):
    from certificates import views

    client.force_login(certificate.holder)
    body(client.get(pdf_url(certificate)))

    def no_render(certificate):
        raise AssertionError("rendered again")

    monkeypatch.setattr(views, "store_certificate_pdf", no_render)
    response = client.get(pdf_url(certificate))
    assert response.status_code == 200
    body(response)


def test_my_certificates_lists_only_mine(client, certificate, people):
    other = issue(people["other learner"], certificate.partner, title="Someone else's course")
    client.force_login(certificate.holder)
    response = client.get("/en/certificates/mine/")
    html = response.content.decode()
    assert response.status_code == 200
    assert certificate.display_code in html and pdf_url(certificate) in html
    assert other.display_code not in html
    assert client.get("/fr/certificates/mine/").status_code == 200


def test_my_certificates_needs_a_login(client):
    response = client.get("/en/certificates/mine/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


# --- Verification ------------------------------------------------------------------


def test_valid_page_shows_only_printed_facts(client, certificate):
    response = client.get(page_url(certificate.display_code))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This certificate is valid." in html
    for text in ("Zoë Vandenbroucke-Ç", "Recognising radicalisation", "Preventiecentrum Gent", "6.5"):
        assert text in html
    assert certificate.holder.email not in html
    assert f'value="{certificate.display_code}"' in html
    assert "certificates/includes/credential_upload.html" not in html


def test_valid_json_has_the_stable_shape(client, certificate):
    response = client.get(json_url(certificate.code))
    assert response.status_code == 200
    data = response.json()
    assert set(data) == JSON_KEYS
    assert data == {
        "code": certificate.display_code, "status": "valid", "holder_name": "Zoë Vandenbroucke-Ç",
        "title": "Recognising radicalisation", "partner": "Preventiecentrum Gent", "country": "BE",
        "issued_on": certificate.issued_on.isoformat(), "expires_on": None, "hours": "6.50", "kind": "completion",
    }
    assert certificate.holder.email not in response.content.decode()


def test_revoked(client, certificate):
    certificate_revoke(certificate=certificate, reason="Plagiarised the reflection", by=None)
    response = client.get(page_url(certificate.display_code))
    html = response.content.decode()
    assert "This certificate has been revoked." in html
    assert "Plagiarised" not in html
    assert client.get(json_url(certificate.display_code)).json()["status"] == "revoked"


def test_expired(client, holder, partner):
    certificate = issue(holder, partner, expires_on=timezone.localdate() - datetime.timedelta(days=1))
    assert "This certificate has expired." in client.get(page_url(certificate.display_code)).content.decode()
    data = client.get(json_url(certificate.display_code)).json()
    assert data["status"] == "expired" and data["expires_on"] == certificate.expires_on.isoformat()


def test_superseded_does_not_point_to_the_new_certificate(client, certificate):
    new = certificate_reissue(certificate=certificate, holder_name="Zoë Vandenbroucke-Çelik", by=None)
    html = client.get(page_url(certificate.display_code)).content.decode()
    assert "This certificate has been replaced." in html
    assert new.display_code not in html and new.code not in html
    assert client.get(json_url(certificate.display_code)).json()["status"] == "superseded"
    new_page = client.get(page_url(new.display_code)).content.decode()
    assert "This certificate is valid." in new_page and "Zoë Vandenbroucke-Çelik" in new_page


def test_unknown(client, db):
    response = client.get(page_url("AAAA-BBBB-CCCC-DDDD"))
    assert response.status_code == 404
    assert "No certificate has this code." in response.content.decode()
    response = client.get(json_url("AAAABBBBCCCCDDDD"))
    assert response.status_code == 404
    assert response.json() == {key: None for key in JSON_KEYS} | {"code": "AAAA-BBBB-CCCC-DDDD", "status": "unknown"}


MALFORMED = ["", "abc", "A" * 200, "ÀBCD-ÉFGH-ÎJKM-ÑPQR", "💥" * 5, "' OR 1=1 --", "'; DROP TABLE x;--", "%00", "..", "<script>"]


@pytest.mark.parametrize("code", MALFORMED)
def test_malformed_codes_get_a_clear_answer(client, db, code):
    response = client.get(json_url(code))
    assert response.status_code == 404
    data = response.json()
    assert set(data) == JSON_KEYS and data["status"] == "unknown"
    assert len(data["code"]) <= 40
    page = client.get("/en/certificates/verify/", {"code": code})
    assert page.status_code in (200, 404)
    assert "<script>" not in page.content.decode().split("<main", 1)[1]


def test_malformed_and_unknown_cost_the_same_queries(client, db, django_assert_num_queries, certificate):
    counts = []
    for code in ("nonsense", "AAAA-BBBB-CCCC-DDDD", certificate.display_code):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            client.get(json_url(code))
        counts.append(len([q for q in queries.captured_queries if "certificates_certificate" in q["sql"]]))
    assert counts[0] == counts[1] == counts[2] == 1


def test_the_form_redirects_to_the_code_page(client, certificate):
    response = client.get("/en/certificates/verify/", {"code": certificate.code.lower()})
    assert response.status_code == 302
    assert response["Location"] == page_url(certificate.display_code)
    empty = client.get("/en/certificates/verify/", {"code": "  "})
    assert empty.status_code == 200 and 'aria-invalid="true"' in empty.content.decode()
    blank = client.get("/en/certificates/verify/")
    assert blank.status_code == 200 and 'for="verify-code"' in blank.content.decode()


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_verify_pages_render_in_every_language(client, certificate, language):
    response = client.get(page_url(certificate.display_code, language))
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()
    assert client.get(page_url("AAAA-BBBB-CCCC-DDDD", language)).status_code == 404
    assert client.get(f"/{language}/certificates/verify/").status_code == 200


def test_wrong_codes_are_rate_limited_per_address(client, certificate, monkeypatch):
    monkeypatch.setattr(ratelimit, "LIMIT", 5)
    for n in range(5):
        assert client.get(json_url(f"AAAA-BBBB-CCCC-DDD{n}")).status_code == 404
    blocked = client.get(json_url("AAAA-BBBB-CCCC-DDDE"))
    assert blocked.status_code == 429
    assert set(blocked.json()) == JSON_KEYS and blocked.json()["status"] == "rate_limited"
    # Once blocked, real codes are refused too: otherwise the limit is no limit.
    assert client.get(json_url(certificate.code)).status_code == 429
    assert client.get(page_url(certificate.display_code)).status_code == 429
    # Another address is not affected.
    assert client.get(json_url(certificate.code), REMOTE_ADDR="10.0.0.2").status_code == 200


def test_a_forged_forwarded_for_does_not_reset_the_lookup_limit(client, certificate, monkeypatch, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    monkeypatch.setattr(ratelimit, "LIMIT", 3)
    for n in range(3):
        assert client.get(json_url(f"AAAA-BBBB-CCCC-DDD{n}"), REMOTE_ADDR="203.0.113.7").status_code == 404
    for forged in ("1.2.3.4", "10.0.0.1, 1.2.3.4"):
        response = client.get(json_url(certificate.code), REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=forged)
        assert response.status_code == 429


def test_behind_one_proxy_a_prepended_forged_address_does_not_reset_the_lookup_limit(
    client, certificate, monkeypatch, settings,
):
    settings.TRUSTED_PROXY_COUNT = 1
    monkeypatch.setattr(ratelimit, "LIMIT", 3)
    behind_proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for n in range(3):
        response = client.get(json_url(f"AAAA-BBBB-CCCC-DDD{n}"), HTTP_X_FORWARDED_FOR="203.0.113.7", **behind_proxy)
        assert response.status_code == 404
    for forged in ("1.2.3.4, 203.0.113.7", "1.2.3.4,5.6.7.8, 203.0.113.7"):
        response = client.get(json_url(certificate.code), HTTP_X_FORWARDED_FOR=forged, **behind_proxy)
        assert response.status_code == 429
    response = client.get(page_url(certificate.display_code), HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7", **behind_proxy)
    assert response.status_code == 429
    # Another client behind the same proxy keeps its own budget.
    response = client.get(json_url(certificate.code), HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9", **behind_proxy)
    assert response.status_code == 200


def test_valid_lookups_do_not_spend_the_budget(client, certificate, monkeypatch):
    monkeypatch.setattr(ratelimit, "LIMIT", 3)
    for _ in range(10):
        assert client.get(json_url(certificate.code)).status_code == 200


def test_verification_page_is_public_and_not_indexed(client, certificate):
    html = client.get(page_url(certificate.display_code)).content.decode()
    assert '<meta name="robots" content="noindex">' in html


def test_holder_deleted_keeps_the_certificate_verifiable(client, certificate):
    certificate.holder.delete()
    assert client.get(json_url(certificate.code)).json()["status"] == "valid"
    assert Certificate.objects.get(pk=certificate.pk).holder is None
