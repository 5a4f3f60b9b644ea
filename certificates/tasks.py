"""Background work (django-tasks; `make run` starts the database worker)."""

from __future__ import annotations

from django_tasks import task

from .models import Certificate
from .rendering import store_certificate_pdf


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
