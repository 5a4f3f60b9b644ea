"""Certificates print the holder's given and family name, never their email
address: a holder without a name is asked for it before a certificate of
theirs is printed or shown, and the certificates that waited for it print it
once given."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages

from accounts.services import profile_update
from certificates.models import Certificate
from certificates.tasks import certificate_render_pdf
from accounts.models import User
from partners.models import Membership, Role

from .conftest import issue, make_user
from .test_views import body, pdf_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def nameless(partner):
    """An account from before sign-up asked for names."""
    user = User.objects.create_user(email="ux.learner@example.org", password="x-9-long-enough")
    Membership.objects.create(user=user, partner=partner, role=Role.LEARNER)
    return user


def _names(client, *, next_url: str, language: str = "en"):
    return client.post(
        f"/{language}/accounts/profile/",
        {"first_name": "Marie", "last_name": "Dubois", "preferred_language": language, "next": next_url},
    )


def _asked_for_name(response, *, next_url: str, language: str = "en") -> None:
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == f"/{language}/accounts/profile/"
    assert parse_qs(location.query)["next"] == [next_url]


def test_holder_without_a_name_is_asked_for_it_before_the_pdf(client, nameless, partner, django_capture_on_commit_callbacks):
    certificate = issue(nameless, partner)
    # The background render skips it: nothing is printed without a name.
    assert certificate_render_pdf.call(certificate.pk) is False
    client.force_login(nameless)

    response = client.get(pdf_url(certificate))
    _asked_for_name(response, next_url=pdf_url(certificate))
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Please give your given and family name first: your certificates print them."
    ]
    assert not Certificate.objects.get(pk=certificate.pk).pdf

    form = client.get(response["Location"]).content.decode()
    assert f'<input type="hidden" name="next" value="{pdf_url(certificate)}">' in form

    with django_capture_on_commit_callbacks(execute=True):
        response = _names(client, next_url=pdf_url(certificate))
    assert response["Location"] == pdf_url(certificate)
    certificate.refresh_from_db()
    assert certificate.holder_name == "Marie Dubois"
    assert certificate.pdf  # rendered after the name was saved
    identity = certificate.credential["credential"]["credentialSubject"]["identifier"][0]
    assert identity["identityHash"] == "Marie Dubois"

    response = client.get(response["Location"])
    assert response.status_code == 200 and body(response).startswith(b"%PDF")


def test_my_certificates_asks_first_and_comes_back(client, nameless, partner):
    client.force_login(nameless)
    # Nothing to print yet: the page opens.
    assert client.get("/en/certificates/mine/").status_code == 200
    issue(nameless, partner)
    response = client.get("/fr/certificates/mine/")
    _asked_for_name(response, next_url="/fr/certificates/mine/", language="fr")
    assert _names(client, next_url="/fr/certificates/mine/", language="fr")["Location"] == "/fr/certificates/mine/"
    assert client.get("/fr/certificates/mine/").status_code == 200


def test_credential_download_asks_too(client, nameless, partner):
    certificate = issue(nameless, partner)
    client.force_login(nameless)
    url = f"/certificates/{certificate.display_code}/credential.json"
    _asked_for_name(client.get(url), next_url=url)


def test_others_get_nothing_printed_before_the_holder_names_it(client, nameless, partner):
    certificate = issue(nameless, partner)
    client.force_login(make_user(name="Katrien", partner=partner, role=Role.COORDINATOR))
    assert client.get(pdf_url(certificate)).status_code == 404
    assert client.get(f"/certificates/{certificate.display_code}/credential.json").status_code == 404
    page = client.get(f"/en/certificates/verify/{certificate.display_code}/").content.decode()
    assert "ux.learner" not in page and "@" not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_an_old_certificate_printed_with_the_local_part_gets_the_name(client, nameless, partner):
    certificate = issue(nameless, partner)
    # As issued before names were asked: the local part of the address, rendered.
    Certificate.objects.filter(pk=certificate.pk).update(holder_name="ux.learner")
    client.force_login(nameless)
    first = client.get(pdf_url(certificate))
    _asked_for_name(first, next_url=pdf_url(certificate))

    profile_update(user=nameless, first_name="Marie", last_name="Dubois", preferred_language="en")
    certificate.refresh_from_db()
    # Not a correction: the same code now prints the name.
    assert (certificate.holder_name, certificate.status) == ("Marie Dubois", Certificate.Status.VALID)
    assert certificate.credential["credential"]["credentialSubject"]["identifier"][0]["identityHash"] == "Marie Dubois"
    response = client.get(pdf_url(certificate))
    assert response.status_code == 200 and body(response).startswith(b"%PDF")


def test_a_name_given_in_the_admin_is_printed_at_the_next_download(client, nameless, partner):
    certificate = issue(nameless, partner)
    nameless.first_name, nameless.last_name = "Marie", "Dubois"
    nameless.save()  # the admin saves the model: no names_changed signal
    client.force_login(nameless)
    response = client.get(pdf_url(certificate))
    assert response.status_code == 200
    body(response)
    certificate.refresh_from_db()
    assert certificate.holder_name == "Marie Dubois"


def test_revoking_a_certificate_that_waits_for_its_name(nameless, partner):
    from certificates.services import certificate_revoke

    certificate = certificate_revoke(certificate=issue(nameless, partner), reason="error", by=None)
    assert certificate.status == Certificate.Status.REVOKED
