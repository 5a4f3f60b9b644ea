"""Credential URLs: the public issuer profile and keys, the holder's
download (who may, and 404 for everyone else), and the verify page's upload.

The module is its own URLconf (config.urls plus the credential includes the
lead wires into config/urls.py), so these tests do not depend on that wiring
having landed; with it in place the extra includes are simply shadowed."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from decimal import Decimal
from urllib.parse import urldefrag, urlsplit

import jwt
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf.urls.i18n import i18n_patterns
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, include, path, resolve, reverse

import config.urls
from accounts.models import User
from certificates import keys
from certificates.credentials import Outcome, credential_verify, status_from_database
from certificates.models import Certificate
from certificates.services import certificate_issue, certificate_revoke
from partners.models import Country, Membership, Partner, Role

urlpatterns = [
    path("certificates/", include("certificates.urls_credentials")),
    path("certificates/", include("certificates.urls_public")),
    *i18n_patterns(path("certificates/", include("certificates.urls_credentials_i18n")), prefix_default_language=True),
    *config.urls.urlpatterns,
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture(autouse=True)
def signing_key(settings):
    key = Ed25519PrivateKey.generate()
    settings.CERTIFICATE_SIGNING_KEY = keys.private_key_to_pem(key)
    settings.WAGTAILADMIN_BASE_URL = "https://learn.example.org"
    return key


def make_user(email: str, *, partner=None, role=None, **extra) -> User:
    user = User.objects.create_user(email=email, password="x-9-long-enough", full_name=email.split("@")[0].title(), **extra)
    if partner is not None:
        Membership.objects.create(user=user, partner=partner, role=role)
    return user


@pytest.fixture
def partner():
    return Partner.objects.create(name="Ville de Lille", slug="lille", country=Country.FR, default_language="fr")


@pytest.fixture
def other_partner():
    return Partner.objects.create(name="Gemeente Utrecht", slug="utrecht", country=Country.NL, default_language="nl")


@pytest.fixture
def holder(partner):
    return make_user("amelie@example.org", partner=partner, role=Role.LEARNER)


@pytest.fixture
def certificate(holder, partner) -> Certificate:
    certificate, _ = certificate_issue(
        kind=Certificate.Kind.COMPLETION, holder=holder, partner=partner, title="Repérer les signaux", hours=Decimal("4")
    )
    certificate.refresh_from_db()
    return certificate


# --- Issuer profile and keys ----------------------------------------------------


def test_issuer_profile(client, certificate):
    response = client.get("/certificates/issuer.json")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    profile = response.json()
    assert profile["id"] == "https://learn.example.org/certificates/issuer.json"
    assert profile["id"] == certificate.credential["credential"]["issuer"]["id"]
    assert profile["type"] == ["Profile"]
    assert profile["name"] == "Bridgeline"
    assert profile["url"] == "https://learn.example.org/"
    (method,) = profile["verificationMethod"]
    assert method["type"] == "JsonWebKey"
    assert method["id"] == f"https://learn.example.org/certificates/keys/{keys.key_id()}.json"
    # The published key verifies the credential's signature.
    public = keys.public_key_from_jwk(method["publicKeyJwk"])
    claims = jwt.decode(certificate.credential["jwt"], public, algorithms=["EdDSA"])
    assert claims["vc"] == certificate.credential["credential"]


def test_key_and_jwks_urls(client, certificate):
    kid = keys.key_id()
    assert reverse("certificate_credentials:key", kwargs={"kid": kid}) == f"/certificates/keys/{kid}.json"
    # The credential's header kid is that path on the site.
    assert jwt.get_unverified_header(certificate.credential["jwt"])["kid"] == f"https://learn.example.org/certificates/keys/{kid}.json"
    jwk = client.get(f"/certificates/keys/{kid}.json").json()
    assert jwk["kid"] == kid and jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519"
    assert "d" not in jwk  # never the private part
    jwt.decode(certificate.credential["jwt"], keys.public_key_from_jwk(jwk), algorithms=["EdDSA"])
    assert client.get("/certificates/jwks.json").json() == {"keys": [jwk]}
    assert client.get(f"/certificates/keys/{'A' * 43}.json").status_code == 404


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _resolve_kid(client, kid: str) -> dict:
    """What a verifier following the Open Badges 3.0 steps does with `kid`:
    fetch the URL without its fragment, then find the JWK it names (the
    document itself if it is a JWK, else the JWKS entry or verification
    method the fragment / full kid identifies)."""
    document_url, fragment = urldefrag(kid)
    response = client.get(urlsplit(document_url).path)
    assert response.status_code == 200, document_url
    document = response.json()
    if "kty" in document:
        return document
    for jwk in document.get("keys", []):
        if jwk.get("kid") in (kid, fragment):
            return jwk
    for method in document.get("verificationMethod", []):
        if method.get("id") in (kid, f"#{fragment}"):
            return method["publicKeyJwk"]
    raise AssertionError(f"{kid} names no key in {document_url}")


def test_new_credential_kid_is_a_url_that_resolves_to_the_signing_key(client, certificate, settings):
    token = certificate.credential["jwt"]
    encoded_header, encoded_payload, encoded_signature = token.split(".")
    kid = json.loads(_b64url_decode(encoded_header))["kid"]
    assert urlsplit(kid).scheme in ("https", "http")
    assert kid.startswith(settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/")
    jwk = _resolve_kid(client, kid)
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and "d" not in jwk
    # Independent check (cryptography only): the resolved key signed the token.
    public = Ed25519PublicKey.from_public_bytes(_b64url_decode(jwk["x"]))
    signing_input = f"{encoded_header}.{encoded_payload}".encode("ascii")
    public.verify(_b64url_decode(encoded_signature), signing_input)
    with pytest.raises(InvalidSignature):
        public.verify(_b64url_decode(encoded_signature), signing_input + b"x")
    # The URL names the key by its RFC 7638 thumbprint, computed here by hand.
    canonical = json.dumps({"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}, separators=(",", ":"), sort_keys=True)
    thumbprint = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
    assert kid.endswith(f"/{thumbprint}.json")
    # The issuer profile the credential names lists the same key under that id.
    profile = client.get(urlsplit(certificate.credential["credential"]["issuer"]["id"]).path).json()
    (method,) = [m for m in profile["verificationMethod"] if m["id"] == kid]
    assert method["publicKeyJwk"]["x"] == jwk["x"]


def test_kid_url_follows_the_site_address(client, holder, partner, settings):
    settings.WAGTAILADMIN_BASE_URL = "http://localhost:8000/"
    certificate, _ = certificate_issue(
        kind=Certificate.Kind.COMPLETION, holder=holder, partner=partner, title="Signaux", hours=Decimal("1")
    )
    certificate.refresh_from_db()
    kid = jwt.get_unverified_header(certificate.credential["jwt"])["kid"]
    assert kid == f"http://localhost:8000/certificates/keys/{keys.key_id()}.json"
    assert credential_verify(certificate.credential, check_status=status_from_database).outcome is Outcome.VALID


def old_style_credential(certificate, signing_key) -> dict:
    """A credential as signed before the kid became a URL: the same claims,
    header kid the bare RFC 7638 thumbprint."""
    claims = jwt.decode(certificate.credential["jwt"], options={"verify_signature": False})
    token = jwt.encode(claims, signing_key, algorithm="EdDSA", headers={"kid": keys.key_id(), "typ": "vc+jwt"})
    assert jwt.get_unverified_header(token)["kid"] == keys.key_id()
    return {"credential": certificate.credential["credential"], "jwt": token}


def test_old_style_credential_still_verifies_on_the_upload_page(client, certificate, signing_key):
    old = old_style_credential(certificate, signing_key)
    assert credential_verify(old, check_status=status_from_database).outcome is Outcome.VALID
    assert 'data-outcome="valid"' in upload(client, json.dumps(old).encode()).content.decode()
    # Its bare kid still names a published key.
    assert client.get(f"/certificates/keys/{keys.key_id()}.json").json()["x"] == keys.public_jwk()["x"]


def test_credential_status_url_answers_the_status_the_command_reads(client, certificate):
    """The signed credentialStatus id is the verify page's JSON answer."""
    status_id = certificate.credential["credential"]["credentialStatus"]["id"]
    path_only = status_id.removeprefix("https://learn.example.org")
    assert client.get(path_only).json()["status"] == "valid"
    certificate_revoke(certificate=certificate, reason="", by=None)
    assert client.get(path_only).json()["status"] == "revoked"


def test_root_urlconf_sends_the_upload_to_the_credential_view_not_the_code_page():
    """config/urls.py includes certificates.urls_credentials_i18n before
    certificates.urls, whose verify/<code>/ would catch verify/credential/."""
    assert "certificate_credential_upload" in get_resolver("config.urls").namespace_dict
    match = resolve(UPLOAD_URL, urlconf="config.urls")
    assert match.namespace == "certificate_credential_upload"
    assert resolve("/certificates/issuer.json", urlconf="config.urls").namespace == "certificate_credentials"


# --- Download -----------------------------------------------------------------


def download_url(certificate) -> str:
    return f"/certificates/{certificate.code}/credential.json"


def test_holder_downloads_the_stored_credential(client, certificate, holder):
    client.force_login(holder)
    response = client.get(download_url(certificate))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="certificate-{certificate.display_code}.json"'
    assert json.loads(response.content) == certificate.credential
    # The printed (dashed, lower-case) form of the code works too.
    assert client.get(f"/certificates/{certificate.display_code.lower()}/credential.json").status_code == 200


def test_download_signs_a_certificate_issued_before_credentials(client, certificate, holder):
    Certificate.objects.filter(pk=certificate.pk).update(credential=None)
    client.force_login(holder)
    assert json.loads(client.get(download_url(certificate)).content) == certificate.credential


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("holder", 200),
        ("staff", 200),
        ("coordinator", 200),
        ("trainer", 404),
        ("other_learner", 404),
        ("other_coordinator", 404),
    ],
)
def test_download_permissions(client, certificate, holder, partner, other_partner, who, expected):
    users = {
        "holder": lambda: holder,
        "staff": lambda: make_user("staff@example.org", is_staff=True),
        "coordinator": lambda: make_user("coord@example.org", partner=partner, role=Role.COORDINATOR),
        "trainer": lambda: make_user("trainer@example.org", partner=partner, role=Role.TRAINER),
        "other_learner": lambda: make_user("other@example.org", partner=partner, role=Role.LEARNER),
        "other_coordinator": lambda: make_user("coord2@example.org", partner=other_partner, role=Role.COORDINATOR),
    }
    client.force_login(users[who]())
    assert client.get(download_url(certificate)).status_code == expected


def test_download_unknown_code_is_404(client, holder):
    client.force_login(holder)
    assert client.get("/certificates/0000-0000-0000-0000/credential.json").status_code == 404
    assert client.get("/certificates/not-a-code/credential.json").status_code == 404


def test_anonymous_download_goes_to_login_like_the_pdf(client, certificate):
    response = client.get(download_url(certificate))
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")
    pdf = client.get(f"/certificates/{certificate.code}/pdf/")
    assert (pdf.status_code, pdf["Location"].split("?")[0]) == (302, response["Location"].split("?")[0])


# --- Upload on the verify page -------------------------------------------------


UPLOAD_URL = "/en/certificates/verify/credential/"


def upload(client, content: bytes, name="credential.json"):
    return client.post(UPLOAD_URL, {"credential": SimpleUploadedFile(name, content, content_type="application/json")})


def test_upload_url_is_language_prefixed():
    assert reverse("certificate_credential_upload:verify") == UPLOAD_URL


def test_get_renders_the_form(client):
    response = client.get(UPLOAD_URL)
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert b'name="credential"' in response.content


def test_valid_upload(client, certificate):
    response = upload(client, json.dumps(certificate.credential).encode())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-outcome="valid"' in html
    assert "credential-result--valid" in html
    assert "Amelie" in html and "Repérer les signaux" in html


def test_tampered_upload(client, certificate):
    data = copy.deepcopy(certificate.credential)
    data["credential"]["credentialSubject"]["identifier"][0]["identityHash"] = "Amelia"
    html = upload(client, json.dumps(data).encode()).content.decode()
    assert 'data-outcome="tampered"' in html
    assert "credential-result--invalid" in html
    # The page shows what was signed, not the forged name.
    assert "Amelia" not in html


def test_revoked_upload(client, certificate):
    certificate_revoke(certificate=certificate, reason="", by=None)
    assert 'data-outcome="revoked"' in upload(client, json.dumps(certificate.credential).encode()).content.decode()


def test_bare_jwt_upload(client, certificate):
    html = upload(client, certificate.credential["jwt"].encode(), name="credential.jwt").content.decode()
    assert 'data-outcome="valid"' in html


def test_upload_in_french(client, certificate):
    response = client.post(
        "/fr/certificates/verify/credential/",
        {"credential": SimpleUploadedFile("c.json", json.dumps(certificate.credential).encode())},
    )
    assert response.status_code == 200 and 'lang="fr"' in response.content.decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"{not json", "not valid JSON", id="non-json"),
        pytest.param(b"%PDF-1.7\n\x00\xff\xfe binary", "not a text file", id="binary"),
        pytest.param(b"hello", "neither JSON nor a signed token", id="text"),
        pytest.param(b'{"jwt": "' + b"a" * (65 * 1024) + b'"}', "too large", id="huge"),
    ],
)
def test_bad_uploads_get_a_clear_message(client, content, message):
    response = upload(client, content)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'data-outcome="error"' in html


def test_huge_upload_is_not_read_past_the_limit(client):
    response = upload(client, b"{" + b" " * (5 * 1024 * 1024) + b"}")
    assert response.status_code == 400
    assert "too large" in response.content.decode()


def test_missing_file(client):
    response = client.post(UPLOAD_URL, {})
    assert response.status_code == 400
    assert "Choose a credential file" in response.content.decode()


def test_upload_checks_csrf(certificate):
    client = Client(enforce_csrf_checks=True)
    response = client.post(UPLOAD_URL, {"credential": SimpleUploadedFile("c.json", json.dumps(certificate.credential).encode())})
    assert response.status_code == 403
