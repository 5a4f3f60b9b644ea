"""Issuing, revoking and reissuing certificates.

Every change of a certificate goes through here, in one transaction, so that
the rules (one valid certificate per holder, subject and kind; printed facts
copied once; a corrected certificate is a new one) hold whoever calls:
the course-completion receiver, the admin actions, the demo seed.

`after_issue_hooks` lets the Open Badges signer (certificates.credentials)
add its step without this module knowing about it: each hook is called with
the saved certificate inside the issuing transaction, so a failing signer
leaves no unsigned certificate behind. The PDF is rendered after commit by
the `certificate_render_pdf` task.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Country, Membership, Partner, Role

from .codes import code_generate
from .models import Certificate

logger = logging.getLogger(__name__)

# Called with each newly saved certificate (issue and reissue), inside the
# issuing transaction. certificates.credentials appends the Open Badges signer.
after_issue_hooks: list[Callable[[Certificate], None]] = []

_COUNTRY_LANGUAGE = {Country.GB: "en", Country.FR: "fr", Country.NL: "nl"}
_BELGIAN_LANGUAGES = ("nl", "fr")


class CertificateStateError(ValidationError):
    """The certificate is not in a state that allows the change (for example
    revoking one that was superseded)."""


def certificate_language(partner: Partner, holder) -> str:
    """The language a certificate is printed in: the country's language, and
    in Belgium (Flanders, with French-speaking learners too) the holder's
    own choice between Dutch and French, else the partner's default."""
    language = _COUNTRY_LANGUAGE.get(partner.country)
    if language:
        return language
    for choice in (getattr(holder, "preferred_language", None), partner.default_language):
        if choice in _BELGIAN_LANGUAGES:
            return choice
    return _BELGIAN_LANGUAGES[0]


def holder_name_of(holder) -> str:
    """The name as printed: the holder's given and family name ("Marie
    Dubois"), or "" while they have given none. Never their email address
    nor a part of it: such a certificate waits for the name (see
    `certificates_name`)."""
    return holder.get_name().strip()


def certificate_awaits_name(certificate: Certificate, *, holder=None) -> bool:
    """Whether `certificate` still has to print its holder's name: issued
    while they had given none (nothing printed, no PDF, no credential yet), or
    a valid one printed, before names were asked, with the local part of
    their email address. `holder`, when the caller has it, saves a query."""
    if not certificate.holder_name:
        return True
    holder = holder if holder is not None else certificate.holder
    return (
        holder is not None
        and certificate.status == Certificate.Status.VALID
        and certificate.holder_name == holder.email.split("@")[0]
    )


def _pdf_delete(name: str) -> None:
    try:
        Certificate._meta.get_field("pdf").storage.delete(name)
    except OSError:
        logger.exception("could not delete the replaced certificate PDF %s", name)


@transaction.atomic
def certificates_name(*, holder) -> list[Certificate]:
    """Print `holder`'s name, now that they have given it, on their
    certificates that waited for it (`certificate_awaits_name`); their
    credential is signed and their PDF rendered with it. Not a correction (a
    reissue): no name was printed before, so each keeps its code. Returns the
    certificates named (none while the holder has no name)."""
    name = holder_name_of(holder)
    if not name:
        return []
    local_part = holder.email.split("@")[0]
    waiting = (
        Certificate.objects.select_for_update()
        .filter(holder=holder)
        .filter(Q(holder_name="") | Q(holder_name=local_part, status=Certificate.Status.VALID))
        .exclude(holder_name=name)
        .order_by("pk")
    )
    named = []
    for certificate in waiting:
        old_pdf = certificate.pdf.name
        certificate.holder_name = name
        certificate.pdf = ""
        _clean(certificate)
        certificate.save(update_fields=["holder_name", "pdf", "updated_at"])
        if old_pdf:
            transaction.on_commit(lambda old_pdf=old_pdf: _pdf_delete(old_pdf))
        # Signs the credential now and renders the PDF after commit, as at issue.
        _after_issue(certificate)
        named.append(certificate)
    if named:
        logger.info("%d certificate(s) of holder %s given their name", len(named), getattr(holder, "pk", None))
    return named


def _valid_certificate(*, holder, kind: str, course_key, session_id, title: str, series_id=None) -> Certificate | None:
    """The valid certificate that an issue with these arguments would
    duplicate. Course and session subjects are unique in the database;
    a certificate with neither (demo webinars) is matched on its title."""
    certificates = Certificate.objects.filter(holder=holder, kind=kind, status=Certificate.Status.VALID)
    if course_key is not None:
        return certificates.filter(course_key=course_key).first()
    if session_id is not None:
        return certificates.filter(session_id=session_id).first()
    if series_id is not None:
        return certificates.filter(series_id=series_id).first()
    return certificates.filter(course_key__isnull=True, session_id__isnull=True, series_id__isnull=True, title=title).first()


def _clean(certificate: Certificate) -> None:
    """Field validation; the unique constraints are left to the database
    (checking them here would only move the race, not close it). The printed
    name may be empty while the holder has given none."""
    certificate.full_clean(validate_constraints=False, exclude=None if certificate.holder_name else ["holder_name"])


def _after_issue(certificate: Certificate) -> None:
    for hook in after_issue_hooks:
        hook(certificate)
    transaction.on_commit(lambda: _enqueue_render(certificate.pk))


def _enqueue_render(certificate_id: int) -> None:
    from .tasks import certificate_render_pdf

    certificate_render_pdf.enqueue(certificate_id)


@transaction.atomic
def certificate_issue(
    *,
    kind: str,
    holder,
    partner: Partner,
    course_key: UUID | None = None,
    session_id: int | None = None,
    series_id: int | None = None,
    title: str,
    hours: Decimal | int | str,
    language: str | None = None,
    expires_on: datetime.date | None = None,
) -> tuple[Certificate, bool]:
    """Issue a certificate, or return the valid one the holder already has for
    this subject and kind (created is then False).

    Safe under concurrency: two simultaneous issues both pass the first look-up,
    the partial unique constraint lets one insert win, and the loser (inside a
    savepoint) returns the winner's certificate.
    """
    existing = _valid_certificate(
        holder=holder, kind=kind, course_key=course_key, session_id=session_id, title=title, series_id=series_id
    )
    if existing is not None:
        return existing, False
    certificate = Certificate(
        kind=kind,
        code=code_generate(),
        holder=holder,
        holder_name=holder_name_of(holder),
        partner=partner,
        country=partner.country,
        language=language or certificate_language(partner, holder),
        course_key=course_key,
        session_id=session_id,
        series_id=series_id,
        title=title,
        hours=Decimal(str(hours)),
        issued_on=timezone.localdate(),
        expires_on=expires_on,
    )
    # A holder without a name yet gets a certificate without one, named
    # when they give it (certificates_name).
    _clean(certificate)
    try:
        with transaction.atomic():
            certificate.save()
            _after_issue(certificate)
    except IntegrityError:
        existing = _valid_certificate(
            holder=holder, kind=kind, course_key=course_key, session_id=session_id, title=title, series_id=series_id
        )
        if existing is None:
            raise
        return existing, False
    logger.info("certificate %s issued (%s, holder %s)", certificate.code, kind, getattr(holder, "pk", None))
    return certificate, True


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, by) -> Certificate:
    """Withdraw a valid certificate. The reason is kept for staff; the public
    verification page says only that the certificate was revoked, and when.
    Revoking a revoked certificate changes nothing."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status == Certificate.Status.REVOKED:
        return certificate
    if certificate.status != Certificate.Status.VALID:
        raise CertificateStateError(_("Only a valid certificate can be revoked."), code="not_valid")
    certificate.status = Certificate.Status.REVOKED
    certificate.status_changed_at = timezone.now()
    certificate.status_reason = (reason or "")[:300]
    _clean(certificate)
    certificate.save(update_fields=["status", "status_changed_at", "status_reason", "updated_at"])
    logger.info("certificate %s revoked by %s", certificate.code, getattr(by, "pk", None))
    return certificate


@transaction.atomic
def certificate_reissue(*, certificate: Certificate, holder_name: str | None = None, by) -> Certificate:
    """Replace a valid certificate by a corrected copy with a new code and a new
    PDF (for a misspelt name, say). The old one becomes superseded and points
    to the new one; the achievement's dates (issued, expires) stay the same."""
    old = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if old.status != Certificate.Status.VALID:
        raise CertificateStateError(_("Only a valid certificate can be reissued."), code="not_valid")
    old.status = Certificate.Status.SUPERSEDED
    old.status_changed_at = timezone.now()
    old.status_reason = "Reissued"
    # Superseded first: the partial unique constraint allows one valid
    # certificate per holder and subject at any moment.
    old.save(update_fields=["status", "status_changed_at", "status_reason", "updated_at"])
    new = Certificate(
        kind=old.kind,
        code=code_generate(),
        holder=old.holder,
        holder_name=(holder_name or "").strip() or old.holder_name,
        partner=old.partner,
        country=old.country,
        language=old.language,
        course_key=old.course_key,
        session_id=old.session_id,
        series_id=old.series_id,
        title=old.title,
        hours=old.hours,
        issued_on=old.issued_on,
        expires_on=old.expires_on,
    )
    _clean(new)
    new.save()
    old.superseded_by = new
    old.save(update_fields=["superseded_by", "updated_at"])
    _after_issue(new)
    logger.info("certificate %s reissued as %s by %s", old.code, new.code, getattr(by, "pk", None))
    return new


def _partner_of_learner(learner, *, fallback: Partner | None) -> Partner | None:
    """The partner a learner's certificate is counted for: their own
    organisation (a learner membership first, else any), else the course's."""
    memberships = Membership.objects.filter(user=learner).select_related("partner")
    membership = memberships.filter(role=Role.LEARNER).order_by("pk").first() or memberships.order_by("pk").first()
    return membership.partner if membership is not None else fallback


def certificate_issue_for_completion(*, learner, course_key: UUID) -> Certificate | None:
    """The completion certificate of a course the learner completed, when the
    course issues certificates (None otherwise). The title is the course's
    name in the certificate's language when a translation exists."""
    from courses.pages import CoursePage
    from learning.services import course_canonical

    course = course_canonical(course_key=course_key)
    if course is None or not course.certificate_enabled:
        return None
    partner = _partner_of_learner(learner, fallback=course.partner)
    language = certificate_language(partner, learner)
    translated = (
        CoursePage.objects.live().filter(translation_key=course_key, locale__language_code=language).order_by("pk").first()
    )
    # A blended course (live attendance in its completion rule) gives a
    # programme certificate: completion plus the live part (rules.py).
    kind = Certificate.Kind.PROGRAMME if course.completion_min_live_attendance_percent > 0 else Certificate.Kind.COMPLETION
    certificate, _created = certificate_issue(
        kind=kind,
        holder=learner,
        partner=partner,
        course_key=course_key,
        title=(translated or course).title,
        hours=course.estimated_hours,
        language=language,
    )
    return certificate
