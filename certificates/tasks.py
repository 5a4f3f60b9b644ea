"""Background work (django-tasks; `make run` starts the database worker)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import Certificate
from .rendering import store_certificate_pdf

logger = logging.getLogger(__name__)


@task()
def certificate_render_pdf(certificate_id: int, replace: bool = False) -> bool:
    """Render and store a certificate's PDF. Skips certificates that already
    have one unless `replace` (after a template change, say); returns whether
    it rendered. A certificate deleted meanwhile is skipped, and so is one
    that waits for its holder's name (rendered once they give it)."""
    certificate = Certificate.objects.select_related("partner", "partner__logo").filter(pk=certificate_id).first()
    if certificate is None or (certificate.pdf and not replace) or not certificate.holder_name:
        return False
    store_certificate_pdf(certificate)
    if certificate.holder_id and certificate.holder_notified_at is None:
        transaction.on_commit(lambda: certificate_notify_holder.enqueue(certificate.pk))
    return True


@task()
def certificate_notify_holder(certificate_id: int) -> bool:
    """Tell the holder by mail that their certificate is ready, once: the
    row is locked and marked in the same transaction as the mail is sent,
    so a retry after a failure sends it, and a second run does not. Not
    for a certificate superseded or revoked meanwhile, nor one without its
    PDF. Returns whether a mail was sent."""
    from .emails import certificate_issued_mail

    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("holder")
            .filter(pk=certificate_id)
            .first()
        )
        if (
            certificate is None
            or certificate.holder_notified_at is not None
            or certificate.holder is None
            or not certificate.pdf
            or certificate.status != Certificate.Status.VALID
        ):
            return False
        certificate_issued_mail(certificate=certificate).send()
        certificate.holder_notified_at = timezone.now()
        certificate.save(update_fields=["holder_notified_at", "updated_at"])
    logger.info("holder of certificate %s told it is ready", certificate.code)
    return True


@task()
def certificate_export_build(export_id: str) -> str:
    """Build a requested ZIP export (certificates.exports); returns its final
    status. An export deleted meanwhile, or already built, is left alone."""
    from .exports import certificate_export_build as build
    from .models import CertificateExport

    export = CertificateExport.objects.select_related("partner").filter(pk=export_id).first()
    if export is None or export.status == CertificateExport.Status.DONE:
        return "skipped"
    return build(export=export).status
