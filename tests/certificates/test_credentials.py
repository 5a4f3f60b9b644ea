"""Open Badges 3.0 credentials: building, signing on issue, verifying (and
every way verification must fail), and the certificate_verify command."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from unittest import mock
from urllib.error import URLError

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command

from accounts.models import User
from certificates import credentials, keys
from certificates.codes import code_generate
from certificates.credentials import Outcome, credential_build, credential_sign, credential_verify, status_from_database
from certificates.models import Certificate
from certificates.services import after_issue_hooks, certificate_issue, certificate_reissue, certificate_revoke
from partners.models import Country, Partner

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def signing_key(settings):
    """Each test signs with its own key, never the checkout's key file."""
    key = Ed25519PrivateKey.generate()
    settings.CERTIFICATE_SIGNING_KEY = keys.private_key_to_pem(key)
    settings.WAGTAILADMIN_BASE_URL = "https://learn.example.org"
    return key


@pytest.fixture
def partner():
    return Partner.objects.create(name="Stad Gent", slug="stad-gent", country=Country.BE, default_language="nl")


@pytest.fixture
def holder():
    return User.objects.create_user(email="zoe@example.org", password="x-9-long-enough", full_name="Zoë Vandenbroucke-Ç")


def make_certificate(*, partner, holder, issued_on=None, expires_on=None, **fields) -> Certificate:
    values = {
        "kind": Certificate.Kind.COMPLETION,
        "code": code_generate(),
        "holder": holder,
        "holder_name": holder.full_name,
        "partner": partner,
        "country": partner.country,
        "language": "nl",
        "title": "Signalen herkennen",
        "hours": Decimal("6.5"),
        "issued_on": issued_on or dt.date.today(),
        "expires_on": expires_on,
    }
    values.update(fields)
    certificate = Certificate(**values)
    certificate.full_clean()
    certificate.save()
    credentials.credential_attach(certificate)
    return certificate


@pytest.fixture
def issued(partner, holder) -> Certificate:
    certificate, created = certificate_issue(
        kind=Certificate.Kind.COMPLETION, holder=holder, partner=partner, title="Signalen herkennen", hours="6.5"
    )
    assert created
    return certificate


def b64url_json(segment: str) -> dict:
    return json.loads(keys.b64url_decode(segment))


# --- Building and signing ------------------------------------------------------


def test_issuing_signs_the_certificate(issued):
    assert credentials.credential_attach in after_issue_hooks
    issued.refresh_from_db()
    stored = issued.credential
    assert set(stored) == {"credential", "jwt"}
    assert credential_verify(stored, check_status=status_from_database).outcome is Outcome.VALID


def test_credential_is_an_open_badge_with_minimum_personal_data(issued):
    credential = credential_build(issued)
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"].startswith("urn:uuid:")
    assert credential["issuer"]["id"] == "https://learn.example.org/certificates/issuer.json"
    assert credential["issuer"]["name"] == "Bridgeline — Stad Gent"
    assert credential["validFrom"].endswith("Z")
    assert "validUntil" not in credential
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"] == [
        {"type": "IdentityObject", "identityHash": "Zoë Vandenbroucke-Ç", "identityType": "name", "hashed": False}
    ]
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == "Signalen herkennen"
    assert achievement["criteria"]["narrative"]
    assert credential["credentialStatus"] == {
        "id": f"https://learn.example.org/certificates/verify/{issued.code}.json",
        "type": "BridgelineCertificateStatus",
    }
    assert "zoe@example.org" not in json.dumps(credential)


def test_jwt_header_and_claims(issued):
    signed = credential_sign(issued)
    header = jwt.get_unverified_header(signed["jwt"])
    # Open Badges 3.0 §8.2: the kid is a URL that dereferences to the JWK.
    assert header == {
        "alg": "EdDSA",
        "kid": f"https://learn.example.org/certificates/keys/{keys.key_id()}.json",
        "typ": "vc+jwt",
    }
    claims = b64url_json(signed["jwt"].split(".")[1])
    credential = signed["credential"]
    assert claims["iss"] == credential["issuer"]["id"]
    assert claims["jti"] == credential["id"]
    assert claims["sub"] == credential["credentialSubject"]["id"]
    assert claims["nbf"] == int(dt.datetime.fromisoformat(credential["validFrom"]).timestamp())
    assert "exp" not in claims
    assert claims["vc"] == credential


def test_signing_is_deterministic(issued):
    assert credential_sign(issued) == credential_sign(issued)


def test_expiring_certificate_has_valid_until_and_exp(partner, holder):
    certificate = make_certificate(partner=partner, holder=holder, expires_on=dt.date.today() + dt.timedelta(days=365))
    credential = certificate.credential["credential"]
    claims = b64url_json(certificate.credential["jwt"].split(".")[1])
    assert credential["validUntil"]
    assert claims["exp"] == int(dt.datetime.fromisoformat(credential["validUntil"]).timestamp())


def test_reissue_signs_the_new_certificate(issued):
    new = certificate_reissue(certificate=issued, holder_name="Zoë Vandenbroucke", by=None)
    new.refresh_from_db()
    result = credential_verify(new.credential, check_status=status_from_database)
    assert result.outcome is Outcome.VALID
    assert credential_verify(issued.credential, check_status=status_from_database).outcome is Outcome.SUPERSEDED


def test_kid_is_the_rfc7638_thumbprint():
    # RFC 8037 appendix A.3: the thumbprint of its Ed25519 example key.
    jwk = {"crv": "Ed25519", "kty": "OKP", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert keys.thumbprint(jwk) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_key_from_base64_raw_bytes(settings, signing_key):
    raw = signing_key.private_bytes_raw()
    settings.CERTIFICATE_SIGNING_KEY = base64.b64encode(raw).decode()
    assert keys.signing_key().private_bytes_raw() == raw


def test_development_key_is_generated_once_and_private(settings, tmp_path):
    settings.CERTIFICATE_SIGNING_KEY = ""
    settings.CERTIFICATE_SIGNING_KEY_FILE = tmp_path / "signing_key"
    first = keys.key_id()
    assert (tmp_path / "signing_key").stat().st_mode & 0o777 == 0o600
    keys._key_from_file.cache_clear()
    assert keys.key_id() == first


# --- Verification: what must fail -----------------------------------------------


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda c: c["credentialSubject"]["identifier"][0].update(identityHash="Zoë Vandenbroucke-C"), id="subject-name"),
        pytest.param(lambda c: c["issuer"].update(name="Bridgeline — Stad Genk"), id="issuer-name"),
        pytest.param(lambda c: c["issuer"].update(id="https://learn.example.org/certificates/issuer.jsan"), id="issuer-id"),
        pytest.param(lambda c: c.update(validFrom=c["validFrom"][:3] + "9" + c["validFrom"][4:]), id="valid-from"),
        pytest.param(lambda c: c["credentialSubject"]["achievement"].update(name="Signalen herkennem"), id="title"),
    ],
)
def test_changing_the_json_copy_is_tampering(issued, edit):
    data = copy.deepcopy(issued.credential)
    edit(data["credential"])
    result = credential_verify(data)
    assert result.outcome is Outcome.TAMPERED
    # The result shows what was signed, never the edited copy.
    assert result.credential == issued.credential["credential"]


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda c: c["credentialSubject"]["identifier"][0].update(identityHash="Zoë Vandenbroucke-C"), id="subject-name"),
        pytest.param(lambda c: c["issuer"].update(name="Bridgeline — Stad Genk"), id="issuer-name"),
        pytest.param(lambda c: c.update(validFrom=c["validFrom"][:3] + "9" + c["validFrom"][4:]), id="valid-from"),
    ],
)
def test_changing_the_signed_payload_breaks_the_signature(issued, edit):
    header, payload, signature = issued.credential["jwt"].split(".")
    claims = b64url_json(payload)
    edit(claims["vc"])
    forged = ".".join([header, keys.b64url(json.dumps(claims, separators=(",", ":")).encode("utf-8")), signature])
    # Alone, and with a JSON copy edited to match.
    assert credential_verify(forged).outcome is Outcome.SIGNATURE_INVALID
    assert credential_verify({"credential": claims["vc"], "jwt": forged}).outcome is Outcome.SIGNATURE_INVALID


def test_changing_the_signature_fails(issued):
    header, payload, signature = issued.credential["jwt"].split(".")
    middle = len(signature) // 2
    changed = signature[:middle] + ("A" if signature[middle] != "A" else "B") + signature[middle + 1 :]
    forged = ".".join([header, payload, changed])
    assert credential_verify(forged).outcome is Outcome.SIGNATURE_INVALID
    assert credential_verify({**issued.credential, "jwt": forged}).outcome is Outcome.SIGNATURE_INVALID
    # The same change made in a downloaded file's text.
    text = json.dumps(issued.credential).replace(signature, changed)
    assert credential_verify(text).outcome is Outcome.SIGNATURE_INVALID


def test_credential_signed_by_another_key_fails(issued, settings):
    stranger = Ed25519PrivateKey.generate()
    claims = b64url_json(issued.credential["jwt"].split(".")[1])
    # Under its own kid: not a key the platform publishes.
    own_kid = jwt.encode(claims, stranger, algorithm="EdDSA", headers={"kid": keys.public_jwk(stranger.public_key())["kid"], "typ": "vc+jwt"})
    assert credential_verify(own_kid).outcome is Outcome.UNKNOWN_KEY
    # Claiming the platform's kid: the signature does not match that key.
    our_kid = jwt.encode(claims, stranger, algorithm="EdDSA", headers={"kid": keys.key_id(), "typ": "vc+jwt"})
    assert credential_verify(our_kid).outcome is Outcome.SIGNATURE_INVALID


def resign(credential: dict, key: Ed25519PrivateKey, kid: str) -> dict:
    """The same claims signed by `key` under header `kid`."""
    claims = b64url_json(credential["jwt"].split(".")[1])
    return {"credential": credential["credential"], "jwt": jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": kid, "typ": "vc+jwt"})}


def old_style(credential: dict, key: Ed25519PrivateKey) -> dict:
    """As signed before the kid became a URL: the bare RFC 7638 thumbprint."""
    return resign(credential, key, keys.public_jwk(key.public_key())["kid"])


def test_old_style_bare_thumbprint_kid_still_verifies(issued, signing_key, tmp_path, jwks_file, settings):
    old = old_style(issued.credential, signing_key)
    assert old != issued.credential
    assert credential_verify(old, check_status=status_from_database).outcome is Outcome.VALID
    assert run_command(write(tmp_path, old), "--status-from-db") == (0, f"valid: certificate {issued.code}\n")
    assert run_command(write(tmp_path, old, "old.json"), "--jwks", str(jwks_file), "--offline")[0] == 0
    # After a key rotation, with the old key among the retired public keys.
    settings.CERTIFICATE_SIGNING_KEY = keys.private_key_to_pem(Ed25519PrivateKey.generate())
    settings.CERTIFICATE_RETIRED_PUBLIC_KEYS = [base64.b64encode(signing_key.public_key().public_bytes_raw()).decode()]
    assert credential_verify(old).outcome is Outcome.VALID
    assert credential_verify(issued.credential).outcome is Outcome.VALID


@pytest.mark.parametrize(
    "kid",
    [
        pytest.param("https://evil.example.net/certificates/keys/{t}.json", id="other-host"),
        pytest.param("https://learn.example.org.evil.example.net/certificates/keys/{t}.json", id="host-suffix"),
        pytest.param("https://learn.example.org@evil.example.net/certificates/keys/{t}.json", id="userinfo"),
        pytest.param("http://learn.example.org/certificates/keys/{t}.json", id="other-scheme"),
        pytest.param("https://learn.example.org:8443/certificates/keys/{t}.json", id="other-port"),
        pytest.param("https://learn.example.org/other/keys/{t}.json", id="other-path"),
        pytest.param("https://learn.example.org/certificates/keys/{t}.json?x=1", id="query"),
        pytest.param("https://learn.example.org/certificates/keys/{t}.json#key-1", id="fragment"),
        pytest.param("https://learn.example.org/certificates/keys/{t}", id="no-suffix"),
        pytest.param("did:web:learn.example.org#{t}", id="did"),
        pytest.param("{t}x", id="not-a-thumbprint"),
    ],
)
def test_kid_pointing_elsewhere_is_refused(issued, signing_key, tmp_path, kid):
    """Signed by the platform's own key, but naming a key somewhere else: a
    verifier following the kid would not reach the platform's key."""
    forged = resign(issued.credential, signing_key, kid.format(t=keys.key_id()))
    assert credential_verify(forged).outcome is Outcome.UNKNOWN_KEY
    assert credential_verify(forged["jwt"], check_status=status_from_database).outcome is Outcome.UNKNOWN_KEY
    code, out = run_command(write(tmp_path, forged), "--offline")
    assert code == 1 and out.startswith("invalid: ")


def test_kid_url_of_an_unpublished_key_is_refused(issued):
    stranger = Ed25519PrivateKey.generate()
    thumbprint = keys.public_jwk(stranger.public_key())["kid"]
    forged = resign(issued.credential, stranger, f"https://learn.example.org/certificates/keys/{thumbprint}.json")
    assert credential_verify(forged).outcome is Outcome.UNKNOWN_KEY
    # Claiming the platform's key URL: the signature does not match.
    forged = resign(issued.credential, stranger, f"https://learn.example.org/certificates/keys/{keys.key_id()}.json")
    assert credential_verify(forged).outcome is Outcome.SIGNATURE_INVALID


def test_unsigned_or_downgraded_tokens_fail(issued):
    claims = b64url_json(issued.credential["jwt"].split(".")[1])
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": keys.key_id()})
    assert credential_verify(unsigned).outcome is Outcome.MALFORMED
    hmac = jwt.encode(claims, "a-secret-of-at-least-32-bytes-long!!", algorithm="HS256", headers={"kid": keys.key_id()})
    assert credential_verify(hmac).outcome is Outcome.MALFORMED
    assert credential_verify({"credential": issued.credential["credential"]}).outcome is Outcome.MALFORMED


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00", "not json", "{", "[]", {"jwt": 3}, "a.b.c", b"\xff\xfe"])
def test_garbage_is_malformed_never_an_exception(data):
    assert credential_verify(data).outcome is Outcome.MALFORMED


def test_rotated_key_still_verifies_old_credentials(issued, settings):
    old_key = keys.signing_key()
    stored = issued.credential
    settings.CERTIFICATE_SIGNING_KEY = keys.private_key_to_pem(Ed25519PrivateKey.generate())
    assert credential_verify(stored).outcome is Outcome.UNKNOWN_KEY
    settings.CERTIFICATE_RETIRED_PUBLIC_KEYS = [base64.b64encode(old_key.public_key().public_bytes_raw()).decode()]
    assert credential_verify(stored).outcome is Outcome.VALID


def test_revoked_certificate(issued):
    certificate_revoke(certificate=issued, reason="Issued in error", by=None)
    result = credential_verify(issued.credential, check_status=status_from_database)
    assert result.outcome is Outcome.REVOKED
    assert result.code == issued.code
    # Without the platform the signature still holds; only status says revoked.
    assert credential_verify(issued.credential).outcome is Outcome.VALID


def test_unknown_certificate(issued):
    stored = issued.credential
    Certificate.objects.filter(pk=issued.pk).delete()
    assert credential_verify(stored, check_status=status_from_database).outcome is Outcome.UNKNOWN_CERTIFICATE


def test_expired_certificate(partner, holder):
    today = dt.date.today()
    certificate = make_certificate(
        partner=partner, holder=holder, issued_on=today - dt.timedelta(days=800), expires_on=today - dt.timedelta(days=35)
    )
    assert credential_verify(certificate.credential, check_status=status_from_database).outcome is Outcome.EXPIRED


def test_valid_through_its_expiry_day(issued, partner, holder):
    today = dt.date.today()
    certificate = make_certificate(partner=partner, holder=holder, expires_on=today + dt.timedelta(days=1), course_key=None, title="Other")
    valid_until = dt.datetime.fromisoformat(certificate.credential["credential"]["validUntil"])
    assert credential_verify(certificate.credential, now=valid_until).outcome is Outcome.VALID
    assert credential_verify(certificate.credential, now=valid_until + dt.timedelta(seconds=1)).outcome is Outcome.EXPIRED


def test_not_yet_valid(issued):
    valid_from = dt.datetime.fromisoformat(issued.credential["credential"]["validFrom"])
    assert credential_verify(issued.credential, now=valid_from - dt.timedelta(seconds=1)).outcome is Outcome.NOT_YET_VALID


# --- The command ------------------------------------------------------------------


def run_command(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("certificate_verify", *args, stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def jwks_file(tmp_path):
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(keys.published_jwks()))
    return path


def write(tmp_path, data, name="credential.json"):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode("utf-8"))
    return str(path)


def test_command_valid_file(issued, tmp_path, jwks_file):
    code, out = run_command(write(tmp_path, issued.credential), "--jwks", str(jwks_file), "--status-from-db")
    assert code == 0
    assert out == f"valid: certificate {issued.code}\n"


def test_command_platform_key_by_default(issued, tmp_path):
    code, out = run_command(write(tmp_path, issued.credential), "--offline")
    assert (code, out) == (0, f"valid: certificate {issued.code}; status not checked\n")


def test_command_tampered_file(issued, tmp_path, jwks_file):
    data = copy.deepcopy(issued.credential)
    data["credential"]["credentialSubject"]["identifier"][0]["identityHash"] = "Zoë Vandenbroucke-C"
    code, out = run_command(write(tmp_path, data), "--jwks", str(jwks_file), "--status-from-db")
    assert code == 1
    assert out.count("\n") == 1
    assert out.startswith("invalid: ") and "changed since it was signed" in out


def test_command_other_key_in_jwks(issued, tmp_path):
    other = tmp_path / "other.json"
    other.write_text(json.dumps(keys.public_jwk(Ed25519PrivateKey.generate().public_key())))
    code, out = run_command(write(tmp_path, issued.credential), "--jwks", str(other), "--offline")
    assert code == 1 and out.startswith("invalid: ") and out.count("\n") == 1


def test_command_revoked_and_expired(issued, partner, holder, tmp_path, jwks_file):
    certificate_revoke(certificate=issued, reason="", by=None)
    code, out = run_command(write(tmp_path, issued.credential), "--jwks", str(jwks_file), "--status-from-db")
    assert code == 1 and out.startswith(f"revoked: certificate {issued.code}")
    today = dt.date.today()
    expired = make_certificate(partner=partner, holder=holder, issued_on=today - dt.timedelta(days=400), expires_on=today - dt.timedelta(days=30))
    code, out = run_command(write(tmp_path, expired.credential, "expired.json"), "--jwks", str(jwks_file), "--status-from-db")
    assert code == 1 and out.startswith(f"expired: certificate {expired.code}")


def test_command_status_unreachable_is_reported_not_fatal(issued, tmp_path):
    with mock.patch(
        "certificates.management.commands.certificate_verify.urlopen", side_effect=URLError("offline")
    ) as urlopen:
        code, out = run_command(write(tmp_path, issued.credential))
    assert urlopen.call_args.args[0].full_url == issued.credential["credential"]["credentialStatus"]["id"]
    assert (code, out) == (0, f"valid: certificate {issued.code}; status unknown (offline)\n")


def test_command_reads_status_json(issued, tmp_path):
    answer = mock.MagicMock()
    answer.__enter__.return_value.read.return_value = json.dumps({"code": issued.display_code, "status": "revoked"}).encode()
    with mock.patch("certificates.management.commands.certificate_verify.urlopen", return_value=answer):
        code, out = run_command(write(tmp_path, issued.credential), "--status-url", "https://learn.example.org/x.json")
    assert code == 1 and out.startswith("revoked: ")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"%PDF-1.7\n\x00\x01\x02", id="binary"),
        pytest.param(b"{not json", id="non-json"),
        pytest.param(b'{"jwt": "' + b"a" * (70 * 1024) + b'"}', id="huge"),
        pytest.param(b"just some words", id="text"),
    ],
)
def test_command_unreadable_files(tmp_path, content):
    code, out = run_command(write(tmp_path, content), "--offline")
    assert code == 2
    assert out.startswith("unreadable: ") or out.startswith("invalid: ")
    assert out.count("\n") == 1


def test_command_missing_file(tmp_path):
    code, out = run_command(str(tmp_path / "nope.json"), "--offline")
    assert code == 2 and out.startswith("unreadable: ")
