"""The certificate PDF: one renderer, Django templates, xhtml2pdf.

Rendered once per certificate (by the `certificate_render_pdf` task, or on the
first download if the task has not run yet) and stored; downloads stream the
stored file. Rendering happens inside `translation.override` of the
certificate's language, so every label, the date and the number format are
those of the document, whatever the language of the request or worker.

Fonts: xhtml2pdf's built-in Helvetica has no glyphs for letters such as Č or
ı, and xhtml2pdf 0.2.28 refuses (with only a log warning) any file outside
the roots its resource policy allows. The renderer therefore embeds Noto Sans
from the `fontpkg-noto-sans` wheel (full Latin coverage, installed with the
project, never fetched) and names that folder as the only local root.
Images (partner logo, programme mark, QR code) are passed inline as data:
URIs, so they work the same with files on disk or in object storage.
"""

from __future__ import annotations

import base64
import io
import logging
from decimal import Decimal
from html import unescape
from pathlib import Path

import fontpkg_noto_sans
import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.template.loader import select_template
from django.utils import formats, translation
from django.utils.html import strip_tags
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from .models import Certificate
from .selectors import verification_url

logger = logging.getLogger(__name__)

FONT_DIR = Path(fontpkg_noto_sans.ROOT) / "files"
FONT_FILE = FONT_DIR / "NotoSans[wdth,wght].ttf"
FONT_FAMILY = "Noto Sans"
PROGRAMME_MARK = "certificates/programme-mark.png"
LOGO_FILTER = "max-600x240|format-png"


class CertificateRenderError(Exception):
    pass


def _data_uri(content: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"


def qr_matrix_png(url: str) -> bytes:
    """The QR code of `url` as a PNG, 8 pixels per module and the standard
    4-module quiet zone (tests read the matrix back from these numbers)."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return buffer.getvalue()


QR_SCALE = 8
QR_BORDER = 4


def hours_display(hours: Decimal) -> str:
    hours = Decimal(hours)
    value = hours.quantize(Decimal(1)) if hours == hours.to_integral_value() else hours.normalize()
    return formats.number_format(value, use_l10n=True)


class CertificateRenderer:
    """Builds the PDF of one certificate. Variants: a template per country and
    language may override the common one (`certificate_BE_fr.html`,
    `certificate_GB.html`), else `certificate.html` with per-language text and
    a country line serves them all."""

    base_template = "certificates/pdf/certificate"

    def __init__(self, certificate: Certificate):
        self.certificate = certificate

    def template_names(self) -> list[str]:
        c = self.certificate
        return [
            f"{self.base_template}_{c.country}_{c.language}.html",
            f"{self.base_template}_{c.country}.html",
            f"{self.base_template}.html",
        ]

    def partner_logo(self) -> str | None:
        logo = self.certificate.partner.logo
        if logo is None:
            return None
        try:
            rendition = logo.get_rendition(LOGO_FILTER)
            with rendition.file.open("rb") as handle:
                return _data_uri(handle.read(), "image/png")
        except Exception:  # a missing or broken file must not stop the certificate
            logger.warning("certificate %s: partner logo %s unreadable", self.certificate.code, logo.pk, exc_info=True)
            return None

    def programme_mark(self) -> str | None:
        path = finders.find(PROGRAMME_MARK)
        return _data_uri(Path(path).read_bytes(), "image/png") if path else None

    def funding_statement(self) -> str:
        from wagtail.models import Locale

        from cms.selectors import footer_text_for

        footer = footer_text_for(locale=Locale.objects.filter(language_code=self.certificate.language).first())
        if footer is None:
            return ""
        return " ".join(unescape(strip_tags(str(footer.funding_statement))).split())

    def context(self) -> dict:
        c = self.certificate
        url = verification_url(c)
        return {
            "certificate": c,
            "font_file": FONT_FILE.as_posix(),
            "font_family": FONT_FAMILY,
            "programme_name": settings.PROGRAMME_NAME,
            "partner_logo": self.partner_logo(),
            "programme_mark": self.programme_mark(),
            "funding_statement": self.funding_statement(),
            "issued_on": formats.date_format(c.issued_on, "j F Y"),
            "expires_on": formats.date_format(c.expires_on, "j F Y") if c.expires_on else "",
            "hours": hours_display(c.hours),
            # For the plural form only: 0 hides the line, 1 is "hour", more "hours".
            "hours_count": 0 if not c.hours else (1 if c.hours == 1 else 2),
            "country_name": c.get_country_display(),
            "verification_url": url,
            "qr_code": _data_uri(qr_matrix_png(url), "image/png"),
        }

    def render(self) -> bytes:
        with translation.override(self.certificate.language):
            html = select_template(self.template_names()).render(self.context())
            output = io.BytesIO()
            policy = ResourceAccessPolicy.server(base_dir=FONT_DIR, allow_remote=False)
            result = pisa.CreatePDF(html, dest=output, encoding="utf-8", resource_policy=policy)
        if result.err:
            raise CertificateRenderError(f"certificate {self.certificate.code}: xhtml2pdf reported {result.err} error(s)")
        return output.getvalue()


def render_certificate_pdf(certificate: Certificate) -> bytes:
    return CertificateRenderer(certificate).render()


def store_certificate_pdf(certificate: Certificate) -> Certificate:
    """Render and store the PDF, replacing a previous file (written first
    under a new name, so a download never finds the file missing)."""
    content = render_certificate_pdf(certificate)
    old_name = certificate.pdf.name
    certificate.pdf.save(f"{certificate.code}.pdf", ContentFile(content), save=False)
    Certificate.objects.filter(pk=certificate.pk).update(pdf=certificate.pdf.name)
    if old_name and old_name != certificate.pdf.name:
        certificate.pdf.storage.delete(old_name)
    return certificate
