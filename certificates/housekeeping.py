"""Periodic upkeep of certificate files (`manage.py certificates_housekeeping`,
which `make run` starts beside the servers).

- ZIP exports (certificates.exports) are copies of many certificates: they
  are deleted CERTIFICATES_EXPORT_RETENTION_DAYS after they are ready. The
  export is marked expired first and its ZIP deleted after, so that a
  download never finds a ready export without its file; its page then says
  that the ZIP expired and offers to prepare it again.
- ZIP files in the exports folder that no export names (the export was
  deleted, with its owner say, or a deletion above failed half-way) are
  deleted once they are as old as the retention: a younger one may be an
  export still being written.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from uuid import UUID

from django.conf import settings
from django.utils import timezone

from .models import CertificateExport

logger = logging.getLogger(__name__)

EXPORTS_FOLDER = "exports"


@dataclass
class HousekeepingResult:
    expired: list[UUID] = field(default_factory=list)
    orphans_deleted: list[str] = field(default_factory=list)


def _cutoff(now: dt.datetime | None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=settings.CERTIFICATES_EXPORT_RETENTION_DAYS)


def _storage():
    return CertificateExport._meta.get_field("file").storage


def exports_expire(*, now: dt.datetime | None = None) -> list[UUID]:
    """Expire the exports ready for longer than the retention period and
    delete their ZIPs. Returns their ids."""
    cutoff = _cutoff(now)
    storage = _storage()
    expired = []
    candidates = CertificateExport.objects.filter(status=CertificateExport.Status.DONE, finished_at__lt=cutoff)
    for pk, name in list(candidates.values_list("pk", "file")):
        # Conditional: another housekeeper running at the same moment
        # expires it once.
        if not CertificateExport.objects.filter(pk=pk, status=CertificateExport.Status.DONE).update(
            status=CertificateExport.Status.EXPIRED, file=""
        ):
            continue
        expired.append(pk)
        if name:
            try:
                storage.delete(name)
            except OSError:
                # Left for the unnamed-files sweep of a later run.
                logger.exception("certificate export %s: could not delete %s", pk, name)
    return expired


def orphans_delete(*, now: dt.datetime | None = None) -> list[str]:
    """Delete the files of the exports folder that no export names and
    that are older than the retention period. Returns their names."""
    cutoff = _cutoff(now)
    storage = _storage()
    try:
        _folders, files = storage.listdir(EXPORTS_FOLDER)
    except FileNotFoundError:
        return []
    names = [f"{EXPORTS_FOLDER}/{file}" for file in files]
    named = set(CertificateExport.objects.filter(file__in=names).values_list("file", flat=True))
    deleted = []
    for name in sorted(set(names) - named):
        try:
            if storage.get_modified_time(name) >= cutoff:
                continue
            storage.delete(name)
        except OSError:
            logger.exception("could not delete the unnamed export file %s", name)
            continue
        deleted.append(name)
    return deleted


def housekeeping_run(*, now: dt.datetime | None = None) -> HousekeepingResult:
    return HousekeepingResult(expired=exports_expire(now=now), orphans_deleted=orphans_delete(now=now))
