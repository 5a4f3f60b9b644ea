"""Downloads for partner-country tracking: the ZIP of stored certificate
PDFs (built in the background, with progress) and the funder's CSV.

The ZIP never renders: it streams the PDFs the render task already stored,
and counts a certificate without one as skipped, so that an export of
20,000 certificates costs file copies, not 20,000 renders (re-rendering is
`manage.py certificates_rerender`). PDFs are already compressed, so members
are stored, not deflated again.
"""

from __future__ import annotations

import logging
import tempfile
import zipfile
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The trainers' CSV guard against formula injection (OWASP "CSV injection"):
# one rule for every CSV the platform writes. It is private to
# learning.trainer_views today; it belongs in a shared module.
from config.spreadsheets import BOM, GuardedWriter
from partners.models import Partner

from .models import Certificate, CertificateExport
from .tracking import TrackingFilters, TrackingScope, certificates_in

logger = logging.getLogger(__name__)

# Progress is written every this many certificates (and at the end): often
# enough for a progress bar, rarely enough not to cost a write per file.
PROGRESS_EVERY = 50


class NothingToExport(ValidationError):
    pass


def zip_certificates(*, scope: TrackingScope):
    """The certificates a ZIP holds: valid ones in the scope (a revoked
    certificate's PDF must not be handed out again)."""
    return certificates_in(scope=scope).filter(status=Certificate.Status.VALID)


@transaction.atomic
def certificate_export_request(*, owner, partner: Partner, filters: TrackingFilters) -> CertificateExport:
    """Record an export of the partner's certificates matching `filters` and
    queue its build after commit. Refuses a filter that matches nothing
    (no task, no empty ZIP)."""
    total = zip_certificates(scope=TrackingScope(partner=partner, filters=filters)).count()
    if total == 0:
        raise NothingToExport(_("No valid certificate matches this filter: there is nothing to put in a ZIP."), code="empty")
    export = CertificateExport(owner=owner, partner=partner, filters=filters.as_json(), total=total)
    export.full_clean()
    export.save()
    transaction.on_commit(lambda: _enqueue_build(export.pk))
    return export


def _enqueue_build(export_id) -> None:
    from .tasks import certificate_export_build

    certificate_export_build.enqueue(str(export_id))


def _progress(export: CertificateExport, **fields) -> None:
    CertificateExport.objects.filter(pk=export.pk).update(**fields)
    for name, value in fields.items():
        setattr(export, name, value)


def certificate_export_build(*, export: CertificateExport) -> CertificateExport:
    """Write the ZIP: one member per stored PDF, named by verification code
    (never the holder's name: file names travel further than the files)."""
    filters = TrackingFilters.from_json(export.filters, partner=export.partner)
    certificates = (
        zip_certificates(scope=TrackingScope(partner=export.partner, filters=filters))
        .order_by("issued_on", "pk")
        .only("pk", "code", "pdf", "country", "kind")
    )
    total = certificates.count()
    _progress(export, status=CertificateExport.Status.RUNNING, total=total, done=0, added=0, skipped=0)
    done = added = skipped = 0
    try:
        with tempfile.TemporaryFile() as spool:
            with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
                for certificate in certificates.iterator(chunk_size=500):
                    name = certificate.pdf.name
                    if name and certificate.pdf.storage.exists(name):
                        member = f"{certificate.country}/{certificate.kind}/certificate-{certificate.display_code}.pdf"
                        with certificate.pdf.storage.open(name, "rb") as source, archive.open(member, "w") as target:
                            while chunk := source.read(1 << 16):
                                target.write(chunk)
                        added += 1
                    else:
                        skipped += 1
                    done += 1
                    if done % PROGRESS_EVERY == 0:
                        _progress(export, done=done, added=added, skipped=skipped)
            spool.seek(0)
            stamp = timezone.now().strftime("%Y%m%d-%H%M")
            export.file.save(f"certificates-{export.partner.slug}-{stamp}-{export.pk}.zip", File(spool), save=False)
    except Exception as error:
        logger.exception("certificate export %s failed", export.pk)
        _progress(export, status=CertificateExport.Status.FAILED, error=str(error)[:300], finished_at=timezone.now())
        raise
    _progress(
        export, status=CertificateExport.Status.DONE, file=export.file.name, done=done, added=added, skipped=skipped,
        finished_at=timezone.now(),
    )
    logger.info("certificate export %s: %d PDFs, %d skipped", export.pk, added, skipped)
    return export


def exports_visible_to(*, user, partner: Partner):
    """The exports `user` may follow and download at this partner: their own
    (staff: everyone's, as they may download every certificate anyway)."""
    exports = CertificateExport.objects.filter(partner=partner)
    return exports if user.is_staff else exports.filter(owner=user)


# --- The funder's CSV ----------------------------------------------------------------


def funder_csv_header() -> list[str]:
    return [
        str(_("Verification code")), str(_("Kind")), str(_("Country")), str(_("Partner organisation")),
        str(_("Course or session")), str(_("Hours")), str(_("Issued on")), str(_("Status")),
    ]


def funder_csv_rows(*, scope: TrackingScope) -> Iterator[list]:
    """One row per certificate. No holder name and no email: funder reports
    count completions and attendance per country, partner and course, and
    the verification code identifies a certificate if a question arises, so
    personal data would add nothing but risk (data minimisation)."""
    # Labels resolved now, in the request's language: the rows are produced
    # later, while the response streams.
    kinds = {value: str(label) for value, label in Certificate.Kind.choices}
    statuses = {value: str(label) for value, label in Certificate.Status.choices}
    rows = (
        certificates_in(scope=scope)
        .order_by("issued_on", "pk")
        .values_list("code", "kind", "country", "partner__name", "title", "hours", "issued_on", "status")
    )

    def produce() -> Iterator[list]:
        for code, kind, country, partner_name, title, hours, issued_on, status in rows.iterator(chunk_size=2000):
            yield [
                "-".join(code[i : i + 4] for i in range(0, len(code), 4)),
                kinds.get(kind, kind),
                country,
                partner_name,
                title,
                f"{hours:.2f}",
                issued_on.isoformat(),
                statuses.get(status, status),
            ]

    return produce()


class _Echo:
    def write(self, value: str) -> str:
        return value


def funder_csv_lines(*, scope: TrackingScope) -> Iterator[str]:
    """The CSV as text lines for a streaming response: a BOM first (Excel
    then reads UTF-8 accents right), text cells guarded against formulas."""
    writer = GuardedWriter(_Echo())
    header = funder_csv_header()
    rows = funder_csv_rows(scope=scope)

    def produce() -> Iterator[str]:
        yield BOM
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    return produce()
