"""Questions about certificates. Views ask through here, so who may see
which certificate is decided in one place."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from partners.models import Role
from partners.selectors import partners_for

from .codes import CODE_LENGTH, code_display
from .models import Certificate


def verification_url(certificate: Certificate) -> str:
    """The public page printed (as a QR code too) on the certificate, in its language."""
    with translation.override(certificate.language):
        path = reverse("certificates:verify", kwargs={"code": certificate.display_code})
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def certificates_visible_to(*, user) -> QuerySet[Certificate]:
    """Certificates whose PDF `user` may download: their own, those of the
    partners they coordinate, and every one for staff."""
    if not getattr(user, "is_authenticated", False):
        return Certificate.objects.none()
    certificates = Certificate.objects.select_related("partner", "partner__logo")
    if user.is_staff or user.is_superuser:
        return certificates
    return certificates.filter(Q(holder=user) | Q(partner__in=partners_for(user=user, roles=[Role.COORDINATOR])))


def certificates_of(*, holder) -> QuerySet[Certificate]:
    return Certificate.objects.filter(holder=holder).select_related("partner").order_by("-issued_on", "-pk")


class VerificationStatus:
    VALID = "valid"
    REVOKED = "revoked"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    UNKNOWN = "unknown"
    RATE_LIMITED = "rate_limited"


# Looked up when the input is not a code at all, so that malformed, unknown
# and known codes cost the same query (no telling them apart by timing).
_DUMMY_CODE = "0" * CODE_LENGTH


@dataclass(frozen=True)
class Verification:
    """What the public may know about a code: the stable shape of the JSON
    answer and the content of the verification page. Never an email, a user
    id or the reason for a revocation."""

    code: str
    status: str
    holder_name: str | None = None
    title: str | None = None
    partner: str | None = None
    country: str | None = None
    issued_on: str | None = None
    expires_on: str | None = None
    hours: str | None = None
    kind: str | None = None
    status_changed_on: str | None = None
    certificate: Certificate | None = None

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "status": self.status,
            "holder_name": self.holder_name,
            "title": self.title,
            "partner": self.partner,
            "country": self.country,
            "issued_on": self.issued_on,
            "expires_on": self.expires_on,
            "hours": self.hours,
            "kind": self.kind,
        }

    @property
    def found(self) -> bool:
        return self.certificate is not None


def certificate_verification(*, code: str | None, shown_code: str) -> Verification:
    """The verification of a normalised `code` (None when the input was
    malformed; `shown_code` is what to echo back)."""
    certificate = (
        Certificate.objects.select_related("partner").filter(code=code or _DUMMY_CODE).first()
    )
    if certificate is None or code is None:
        return Verification(code=shown_code, status=VerificationStatus.UNKNOWN)
    if certificate.status == Certificate.Status.REVOKED:
        status = VerificationStatus.REVOKED
    elif certificate.status == Certificate.Status.SUPERSEDED:
        status = VerificationStatus.SUPERSEDED
    elif certificate.expires_on and certificate.expires_on < timezone.localdate():
        status = VerificationStatus.EXPIRED
    else:
        status = VerificationStatus.VALID
    return Verification(
        code=code_display(certificate.code),
        status=status,
        holder_name=certificate.holder_name,
        title=certificate.title,
        partner=certificate.partner.name,
        country=certificate.country,
        issued_on=certificate.issued_on.isoformat(),
        expires_on=certificate.expires_on.isoformat() if certificate.expires_on else None,
        hours=str(certificate.hours),
        kind=certificate.kind,
        status_changed_on=timezone.localdate(certificate.status_changed_at).isoformat() if certificate.status_changed_at else None,
        certificate=certificate,
    )
