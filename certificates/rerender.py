"""Re-rendering stored certificate PDFs after a template change, on every
core: `manage.py certificates_rerender [--partner SLUG] [--workers N]`.

Rendering is CPU-bound Python (xhtml2pdf), so threads would share one core;
worker processes each render a batch of certificates and store the files.
The parent closes its database connections before the pool forks, so no
child inherits (and later closes) a socket the parent still uses; each
worker opens its own. Partner logo renditions are made once in the parent
first, so that workers do not race to create the same rendition row.

Each certificate is rendered in its own language with the usual renderer
and stored under a fresh name before the old file is removed (see
rendering.store_certificate_pdf), so a download during the run finds either
the old or the new PDF, never none. The printed facts do not change: only
the layout does.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from django.db import connections

from partners.models import Partner

from .models import Certificate
from .rendering import LOGO_FILTER, store_certificate_pdf

logger = logging.getLogger(__name__)

BATCH = 20


@dataclass
class RerenderResult:
    rendered: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.rendered + self.failed


def certificates_to_rerender(*, partner: Partner | None = None):
    """Every certificate someone may still download: all but superseded ones
    and those still waiting for their holder's name (nothing printed yet)."""
    certificates = Certificate.objects.exclude(status=Certificate.Status.SUPERSEDED).exclude(holder_name="")
    if partner is not None:
        certificates = certificates.filter(partner=partner)
    return certificates.order_by("pk")


def _render_batch(ids: list[int]) -> tuple[int, int]:
    rendered = failed = 0
    for certificate in Certificate.objects.filter(pk__in=ids).select_related("partner", "partner__logo"):
        try:
            store_certificate_pdf(certificate)
        except Exception:
            logger.exception("certificate %s: re-render failed", certificate.code)
            failed += 1
        else:
            rendered += 1
    return rendered, failed


def _worker_start() -> None:
    # Connections objects copied by fork are closed (the parent closed them
    # before forking); make sure nothing of the parent's is reused.
    for connection in connections.all(initialized_only=True):
        connection.close()


def _warm_logo_renditions(partner_ids: Iterable[int]) -> None:
    for partner in Partner.objects.filter(pk__in=list(partner_ids), logo__isnull=False).select_related("logo"):
        try:
            partner.logo.get_rendition(LOGO_FILTER)
        except Exception:  # the renderer logs and skips a broken logo itself
            logger.warning("partner %s: logo rendition failed", partner.slug, exc_info=True)


def certificates_rerender(
    *, partner: Partner | None = None, workers: int | None = None, progress: Callable[[int, int], None] | None = None
) -> RerenderResult:
    """Render again and store the PDFs of the partner's certificates (all
    partners if None) with `workers` processes (default: one per core).
    `progress(done, total)` is called after each batch."""
    certificates = certificates_to_rerender(partner=partner)
    ids = list(certificates.values_list("pk", flat=True))
    _warm_logo_renditions(certificates.order_by().values_list("partner_id", flat=True).distinct())
    batches = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
    workers = max(1, workers or os.cpu_count() or 1)
    result = RerenderResult()

    def record(rendered: int, failed: int) -> None:
        result.rendered += rendered
        result.failed += failed
        if progress is not None:
            progress(result.total, len(ids))

    if workers == 1 or len(batches) <= 1:
        for batch in batches:
            record(*_render_batch(batch))
        return result

    connections.close_all()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_start) as pool:
        for future in as_completed([pool.submit(_render_batch, batch) for batch in batches]):
            record(*future.result())
    return result
