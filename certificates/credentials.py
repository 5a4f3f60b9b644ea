"""Signed Open Badges 3.0 credentials for certificates.

A certificate's PDF can be checked on the verify page; its credential can be
checked by anyone, offline, against the platform's published key. The
credential is an OpenBadgeCredential (a W3C Verifiable Credential 2.0, the
Open Badges 3.0 data model) secured as a VC-JWT: a compact JWS signed with
the platform's Ed25519 key (certificates/keys.py), header
`{"alg": "EdDSA", "kid": <key URL>, "typ": "vc+jwt"}` (see "Key id" below), claims
`iss` (issuer profile URL), `jti` (credential id), `sub` (subject id), `nbf`
(validFrom), `exp` (validUntil, if the certificate expires) and `vc` (the
credential itself).

Stored format (`Certificate.credential`, and the file a holder downloads):

    {"credential": {...the OpenBadgeCredential...}, "jwt": "<compact JWS>"}

The JSON copy is there for people and wallets to read; only the JWT is
signed, so verification requires the two to be equal. A bare JWT is accepted
too.

Status: `credentialStatus` has type "BridgelineCertificateStatus" and its
`id` is the platform's JSON verify URL (/certificates/verify/<code>.json),
whose `status` member is "valid", "revoked" or "superseded". Revocation
therefore needs the platform; signature and dates do not.

Key id: the `kid` is the absolute URL of the signing key's own JWK,
`<WAGTAILADMIN_BASE_URL>/certificates/keys/<RFC 7638 thumbprint>.json`.
Open Badges 3.0 (§8.2 "JSON Web Token Proof Format", JOSE header table)
defines `kid` as "a URI that can be dereferenced to an object of type JWK",
and its verification steps say: if the header has a `kid`, dereference it
to retrieve the public key JWK ("Dereferencing the Public Key": an HTTP
URL, which every verifier must support, or a DID URL). So the variant chosen is the one
that needs no further step: the URL answers the JWK itself (a bare JWK, no
fragment to interpret, no JWKS `kid` matching, no DID resolution). The
issuer profile (/certificates/issuer.json) lists the same key as a
`verificationMethod` whose `id` is that URL, and /certificates/jwks.json
lists it too, named by its thumbprint (the JWK `kid` member stays the
thumbprint, as in credentials signed earlier). Credentials signed before
the kid became a URL carry the bare thumbprint and keep verifying;
a URL on any other site, scheme, port or path, or with a query or
fragment, is refused as an unknown key (`kid_thumbprint`).

Personal data is kept to what the printed certificate shows: the holder's
name as printed, as an unhashed `identifier` of identityType "name"; the
subject's `id` is a per-certificate urn:uuid that links to no account.

Signing is deterministic (Ed25519, no time-dependent claims), so signing a
certificate twice stores the same bytes: issuing, retrying and reissuing
never leave two different credentials for one certificate.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import keys
from .models import Certificate
from .rendering import hours_display

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
STATUS_TYPE = "BridgelineCertificateStatus"
JWT_TYPE = "vc+jwt"
ALGORITHM = "EdDSA"
# Fixed namespace for the uuid5 ids derived from verification codes and
# subjects. Changing it would change every credential id: never do.
NAMESPACE = uuid.UUID("6f0c7c3e-5b8e-4d55-9a43-3c2f1b9e8a10")

# Public paths that signed credentials point at. They are part of what is
# signed, so they must keep answering for as long as credentials exist.
ISSUER_PATH = "/certificates/issuer.json"
KEY_PATH = "/certificates/keys/{kid}.json"
STATUS_PATH = "/certificates/verify/{code}.json"
STATUS_URL_RE = re.compile(r"/certificates/verify/(?P<code>[0-9A-Za-z]{16})\.json$")


def public_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def issuer_id() -> str:
    return public_url(ISSUER_PATH)


def status_url(code: str) -> str:
    return public_url(STATUS_PATH.format(code=code))


def key_url(thumbprint: str) -> str:
    """The URL that dereferences to the JWK of the key `thumbprint` names:
    the `kid` of credentials signed with it (see module docstring)."""
    return public_url(KEY_PATH.format(kid=thumbprint))


_THUMBPRINT_RE = re.compile(r"[A-Za-z0-9_-]{43}")
_KEY_URL_TAIL_RE = re.compile(r"/(?P<thumbprint>[A-Za-z0-9_-]{43})\.json$")


def kid_thumbprint(kid) -> str | None:
    """The RFC 7638 thumbprint a credential's `kid` names, or None if the
    kid does not point at this platform's key URL. Accepted: this
    platform's key URL exactly as `key_url` builds it, and the bare
    thumbprint of credentials signed before the kid became a URL."""
    if not isinstance(kid, str):
        return None
    if _THUMBPRINT_RE.fullmatch(kid):
        return kid
    # Compared with the URL rebuilt from the thumbprint: another host,
    # scheme, port or path, a query or a fragment all make it differ.
    match = _KEY_URL_TAIL_RE.search(kid)
    if match is None or kid != key_url(match["thumbprint"]):
        return None
    return match["thumbprint"]


def _timestamp(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the platform's time zone, in UTC:
    a certificate issued "today" is valid from this morning wherever it was
    issued, never from a moment that is still in the future."""
    local = dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return local.astimezone(dt.UTC)


def _end_of_day(day: dt.date) -> dt.datetime:
    """A certificate that "expires on" a day is still valid that whole day
    (as the verify page says), up to its last second in the platform's zone."""
    return _timestamp(day + dt.timedelta(days=1)) - dt.timedelta(seconds=1)


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _achievement_id(certificate: Certificate) -> str:
    """Stable per subject, shared by all holders and languages: a course's
    translation key, or a uuid5 of the live session or programme title."""
    if certificate.course_key:
        return f"urn:uuid:{certificate.course_key}"
    if certificate.session_id:
        return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'session:{certificate.session_id}')}"
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{certificate.kind}:{certificate.title}')}"


def _texts(certificate: Certificate) -> tuple[str, str]:
    """Description and criteria, in the certificate's language."""
    programme = settings.PROGRAMME_NAME
    hours = hours_display(certificate.hours)
    if certificate.kind == Certificate.Kind.ATTENDANCE:
        description = _("Attendance at “%(title)s”, part of the %(programme)s training programme.")
        narrative = _("Attended the live session for at least the required time (hours of training: %(hours)s), as recorded by the platform.")
    elif certificate.kind == Certificate.Kind.PROGRAMME:
        description = _("Completion of the %(programme)s programme “%(title)s”.")
        narrative = _("Completed every required part of the programme (hours of training: %(hours)s), as recorded by the platform.")
    else:
        description = _("Completion of the course “%(title)s”, part of the %(programme)s training programme.")
        narrative = _(
            "Completed every required lesson and quiz of the course and the required live attendance "
            "(hours of training: %(hours)s), as recorded by the platform."
        )
    values = {"title": certificate.title, "programme": programme, "hours": hours}
    return description % values, narrative % values


def credential_build(certificate: Certificate) -> dict:
    """The unsigned OpenBadgeCredential for `certificate` (JSON-ready)."""
    valid_from = _timestamp(certificate.issued_on)
    with translation.override(certificate.language):
        description, narrative = _texts(certificate)
        hours_name = _("Hours of training")
        # Same number format and plural rule as the PDF (certificates/rendering.py).
        hours_text = ngettext("%(hours)s hour", "%(hours)s hours", 1 if certificate.hours == 1 else 2) % {
            "hours": hours_display(certificate.hours)
        }
    credential: dict = {
        "@context": list(CONTEXTS),
        "id": f"urn:uuid:{uuid.uuid5(NAMESPACE, certificate.code)}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": certificate.title,
        "issuer": {
            "id": issuer_id(),
            "type": ["Profile"],
            "name": f"{settings.PROGRAMME_NAME} — {certificate.partner.name}",
            "url": public_url("/"),
        },
        "validFrom": _iso(valid_from),
        "credentialSubject": {
            "id": f"urn:uuid:{uuid.uuid5(NAMESPACE, f'subject:{certificate.code}')}",
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": certificate.holder_name,
                    "identityType": "name",
                    "hashed": False,
                }
            ],
            "achievement": {
                "id": _achievement_id(certificate),
                "type": ["Achievement"],
                "name": certificate.title,
                "description": description,
                "criteria": {"narrative": narrative},
                "inLanguage": certificate.language,
            },
        },
        "credentialStatus": {"id": status_url(certificate.code), "type": STATUS_TYPE},
        "evidence": [{"type": ["Evidence"], "name": hours_name, "narrative": hours_text}],
    }
    if certificate.expires_on:
        credential["validUntil"] = _iso(_end_of_day(certificate.expires_on))
    return credential


def credential_sign(certificate: Certificate) -> dict:
    """The credential and its VC-JWT: `{"credential": ..., "jwt": ...}`."""
    credential = credential_build(certificate)
    claims = {
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "sub": credential["credentialSubject"]["id"],
        "nbf": int(_timestamp(certificate.issued_on).timestamp()),
        "vc": credential,
    }
    if certificate.expires_on:
        claims["exp"] = int(_end_of_day(certificate.expires_on).timestamp())
    token = jwt.encode(
        claims, keys.signing_key(), algorithm=ALGORITHM, headers={"kid": key_url(keys.key_id()), "typ": JWT_TYPE}
    )
    return {"credential": credential, "jwt": token}


def credential_attach(certificate: Certificate) -> None:
    """Sign `certificate` and store the result on it. Runs as an
    after-issue hook, inside the issuing transaction: a certificate is never
    committed without its credential. A certificate whose holder has not
    given their name yet is signed once it prints it
    (certificates.services.certificates_name)."""
    if not certificate.holder_name:
        return
    signed = credential_sign(certificate)
    if certificate.credential != signed:
        certificate.credential = signed
        certificate.save(update_fields=["credential", "updated_at"])


def credential_for_download(certificate: Certificate) -> dict:
    """The stored credential; a certificate issued before credentials
    existed is signed now (same result as at issue, see module docstring)."""
    if not certificate.credential:
        credential_attach(certificate)
    return certificate.credential


# --- Verification -----------------------------------------------------------


class Outcome(enum.StrEnum):
    VALID = "valid"
    MALFORMED = "malformed"
    UNKNOWN_KEY = "unknown_key"
    SIGNATURE_INVALID = "signature_invalid"
    TAMPERED = "tampered"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    UNKNOWN_CERTIFICATE = "unknown_certificate"


MESSAGES = {
    Outcome.VALID: gettext_lazy("Valid: the credential was signed by the platform and has not been changed."),
    Outcome.MALFORMED: gettext_lazy("This is not a credential issued by the platform."),
    Outcome.UNKNOWN_KEY: gettext_lazy("Invalid: the credential was not signed with a key the platform publishes."),
    Outcome.SIGNATURE_INVALID: gettext_lazy("Invalid: the signature does not match the credential."),
    Outcome.TAMPERED: gettext_lazy("Invalid: the credential has been changed since it was signed."),
    Outcome.NOT_YET_VALID: gettext_lazy("Invalid: the credential is not valid yet."),
    Outcome.EXPIRED: gettext_lazy("Expired: the credential is no longer valid."),
    Outcome.REVOKED: gettext_lazy("Revoked: the platform has withdrawn this certificate."),
    Outcome.SUPERSEDED: gettext_lazy("Superseded: this certificate was replaced by a corrected one."),
    Outcome.UNKNOWN_CERTIFICATE: gettext_lazy("Unknown: the platform has no certificate for this credential."),
}


@dataclass(frozen=True)
class VerificationResult:
    outcome: Outcome
    message: str
    credential: dict | None = None
    code: str | None = None  # the certificate's verification code, when readable
    status_checked: bool = False
    details: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.VALID


def _result(outcome: Outcome, message: str | None = None, **kwargs) -> VerificationResult:
    return VerificationResult(outcome=outcome, message=message or str(MESSAGES[outcome]), **kwargs)


def _parse(data: bytes | str | dict) -> tuple[dict | None, str]:
    """(credential JSON presented alongside or None, compact JWT)."""
    if isinstance(data, bytes):
        data = data.decode("utf-8")  # UnicodeDecodeError is a ValueError
    if isinstance(data, str):
        text = data.strip()
        data = json.loads(text) if text[:1] in ("{", '"') else text
    if isinstance(data, str):
        return None, data.strip()
    if isinstance(data, dict) and isinstance(data.get("jwt"), str):
        credential = data.get("credential")
        if credential is not None and not isinstance(credential, dict):
            raise ValueError("credential is not an object")
        return credential, data["jwt"].strip()
    raise ValueError("no VC-JWT found")


def code_from_credential(credential: Mapping) -> str | None:
    status = credential.get("credentialStatus")
    if isinstance(status, dict) and isinstance(status.get("id"), str):
        match = STATUS_URL_RE.search(status["id"])
        if match:
            return match["code"].upper()
    return None


def _moment(value) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def credential_verify(
    data: bytes | str | dict,
    *,
    check_status: Callable[[str], str | None] | None = None,
    public_keys: Mapping[str, Ed25519PublicKey] | None = None,
    now: dt.datetime | None = None,
) -> VerificationResult:
    """Check a credential: signature with a published key (`public_keys`,
    thumbprint -> key, default the platform's) named by the header `kid`
    (this platform's key URL, or a bare thumbprint: `kid_thumbprint`), the
    JSON copy equal to what was signed, dates,
    and, if `check_status` is given, the platform status for its code
    (`check_status(code)` returns "valid", "revoked", "superseded" or None
    for an unknown code). Never raises for bad input."""
    try:
        presented, token = _parse(data)
        header = jwt.get_unverified_header(token)
    except (ValueError, jwt.DecodeError):
        return _result(Outcome.MALFORMED)
    if header.get("alg") != ALGORITHM:
        return _result(Outcome.MALFORMED)
    available = keys.published_public_keys() if public_keys is None else public_keys
    thumbprint = kid_thumbprint(header.get("kid"))
    key = available.get(thumbprint) if thumbprint else None
    if key is None:
        return _result(Outcome.UNKNOWN_KEY)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            # Dates are checked below against the credential, with our messages.
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "require": ["iss", "jti", "nbf", "vc"]},
        )
    except jwt.InvalidSignatureError:
        return _result(Outcome.SIGNATURE_INVALID)
    except jwt.InvalidTokenError:
        return _result(Outcome.MALFORMED)
    signed = claims["vc"]
    if not isinstance(signed, dict):
        return _result(Outcome.MALFORMED)
    code = code_from_credential(signed)
    base = {"credential": signed, "code": code}
    if presented is not None and presented != signed:
        return _result(Outcome.TAMPERED, **base)
    issuer = signed.get("issuer")
    issuer_ref = issuer.get("id") if isinstance(issuer, dict) else issuer
    valid_from = _moment(signed.get("validFrom"))
    valid_until = _moment(signed.get("validUntil")) if "validUntil" in signed else None
    if (
        claims["iss"] != issuer_ref
        or claims["jti"] != signed.get("id")
        or valid_from is None
        or int(valid_from.timestamp()) != claims["nbf"]
        or ("validUntil" in signed) != ("exp" in claims)
        or (valid_until is not None and int(valid_until.timestamp()) != claims["exp"])
    ):
        # Signed, but the claims contradict the credential: not ours.
        return _result(Outcome.MALFORMED, **base)
    status_checked = False
    if check_status is not None:
        status = check_status(code) if code else None
        status_checked = True
        if status is None:
            return _result(Outcome.UNKNOWN_CERTIFICATE, **base)
        if status == Certificate.Status.REVOKED:
            return _result(Outcome.REVOKED, **base, status_checked=True)
        if status == Certificate.Status.SUPERSEDED:
            return _result(Outcome.SUPERSEDED, **base, status_checked=True)
    now = now or timezone.now()
    if now < valid_from:
        return _result(Outcome.NOT_YET_VALID, **base, status_checked=status_checked)
    if valid_until is not None and now > valid_until:
        return _result(Outcome.EXPIRED, **base, status_checked=status_checked)
    return _result(Outcome.VALID, **base, status_checked=status_checked)


def status_from_database(code: str) -> str | None:
    """`check_status` for code running on the platform itself."""
    return Certificate.objects.filter(code=code).values_list("status", flat=True).first()


def credential_summary(credential: Mapping | None) -> dict:
    """What a result page shows of a verified credential (the signed copy)."""
    if not credential:
        return {}
    subject = credential.get("credentialSubject") or {}
    identifiers = subject.get("identifier") or []
    name = next(
        (i.get("identityHash") for i in identifiers if isinstance(i, dict) and i.get("identityType") == "name" and not i.get("hashed")),
        "",
    )
    achievement = subject.get("achievement") or {}
    issuer = credential.get("issuer") or {}
    return {
        "holder_name": name,
        "title": achievement.get("name", ""),
        "issuer_name": issuer.get("name", "") if isinstance(issuer, dict) else "",
        "valid_from": _moment(credential.get("validFrom")),
        "valid_until": _moment(credential.get("validUntil")),
    }


def _register() -> None:
    """Sign on issue (and reissue): certificates.services calls every
    after-issue hook inside the issuing transaction."""
    from . import services

    if credential_attach not in services.after_issue_hooks:
        services.after_issue_hooks.append(credential_attach)


_register()
