"""The PDF: text extracted with pypdf, fonts read from the PDF's resources,
the QR code read back from the embedded image and compared module by module
with segno's own matrix for the verification URL."""

import datetime
import io
import logging

import pytest
import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import translation
from pypdf import PdfReader
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Locale

from certificates.models import Certificate
from certificates.rendering import LOGO_FILTER, QR_BORDER, QR_SCALE, render_certificate_pdf, store_certificate_pdf
from certificates.tasks import certificate_render_pdf
from cms.models import FooterText

from .conftest import issue, make_partner, make_user

pytestmark = pytest.mark.django_db

NAMES = ["Zoë Vandenbroucke-Ç", "Čapek", "Ørsted-Müller", "Fatima Yılmaz"]


def pdf_of(certificate) -> PdfReader:
    return PdfReader(io.BytesIO(render_certificate_pdf(certificate)))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def fonts_drawing_text(reader: PdfReader) -> set[str]:
    """BaseFont of every font that draws visible text."""
    used: set[str] = set()

    def visitor(text, cm, tm, font_dict, font_size):
        if text.strip() and font_dict is not None:
            used.add(str(font_dict.get("/BaseFont")))

    for page in reader.pages:
        page.extract_text(visitor_text=visitor)
    return used


@pytest.mark.parametrize("name", NAMES)
def test_names_with_diacritics_print_exactly(name, partner):
    certificate = issue(make_user(name=name, partner=partner), partner)
    assert name in text_of(pdf_of(certificate))


def test_a4_landscape_one_page(certificate):
    reader = pdf_of(certificate)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)


def test_one_page_even_with_a_long_title_and_funding_statement(certificate):
    """The demo's two-line EU disclaimer once pushed the frame's bottom
    border onto a second page."""
    from wagtail.models import Locale

    from cms.models import FooterText

    disclaimer = (
        "Funded by the European Union. Views and opinions expressed are however those of the author(s) only and do "
        "not necessarily reflect those of the European Union or the granting authority. Neither the European Union "
        "nor the granting authority can be held responsible for them. "
    ) * 2
    locale, _ = Locale.objects.get_or_create(language_code=certificate.language)
    FooterText.objects.create(locale=locale, funding_statement=f"<p>{disclaimer}</p>")
    certificate.title = "Recognising and responding to radicalisation: a train-the-trainer course for first-line workers"
    text = text_of(reader := pdf_of(certificate))
    assert len(reader.pages) == 1
    assert "granting authority" in text


def test_prints_title_hours_date_code_partner(certificate):
    certificate.issued_on = datetime.date(2025, 3, 14)
    text = text_of(pdf_of(certificate))
    assert "Recognising radicalisation" in text
    assert "14 maart 2025" in text  # Dutch: the certificate's language, not the request's
    assert certificate.display_code in text
    assert "Preventiecentrum Gent" in text
    assert "6,5" in text  # hours in the Dutch number format


@pytest.mark.parametrize(
    "country, language, month",
    [("GB", "en", "14 March 2025"), ("FR", "fr", "14 mars 2025"), ("NL", "nl", "14 maart 2025"),
     ("BE", "fr", "14 mars 2025"), ("BE", "nl", "14 maart 2025")],
)
def test_language_variants(country, language, month):
    partner = make_partner(country, language=language)
    certificate = issue(make_user(name="Čapek", partner=partner, language=language), partner)
    certificate.issued_on = datetime.date(2025, 3, 14)
    translation.activate("en")
    text = text_of(pdf_of(certificate))
    assert month in text
    assert f"/{language}/certificates/verify/{certificate.display_code}/" in text.replace("\n", "")
    assert translation.get_language() == "en"


def test_english_labels(db):
    partner = make_partner("GB", language="en", name="London Prevention Training Hub")
    text = text_of(pdf_of(issue(make_user(name="Priya Shah", partner=partner), partner)))
    assert "Certificate of completion" in text
    assert "Delivered in England by London Prevention Training Hub." in text
    assert "6.5 hours of training" in text


def test_only_the_embedded_font_draws_text(certificate, caplog):
    with caplog.at_level(logging.WARNING, logger="xhtml2pdf"):
        reader = pdf_of(certificate)
    used = fonts_drawing_text(reader)
    assert used and all("NotoSans" in font for font in used), used
    fonts = reader.pages[0]["/Resources"]["/Font"]
    noto = [font.get_object() for font in fonts.values() if "NotoSans" in str(font.get_object()["/BaseFont"])]
    assert noto
    descendant = noto[0].get("/DescendantFonts")
    descriptor = (descendant[0].get_object() if descendant else noto[0])["/FontDescriptor"].get_object()
    assert "/FontFile2" in descriptor  # embedded, not referenced
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


def _qr_images(reader: PdfReader):
    return [image.image for image in reader.pages[0].images if image.image.width == image.image.height]


def test_qr_code_is_the_verification_url(certificate):
    expected_url = f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/nl/certificates/verify/{certificate.display_code}/"
    (image,) = _qr_images(pdf_of(certificate))
    reference = segno.make(expected_url, error="m", micro=False)
    size = len(reference.matrix)
    assert image.width == (size + 2 * QR_BORDER) * QR_SCALE
    grey = image.convert("L")
    embedded = [
        [grey.getpixel(((QR_BORDER + x) * QR_SCALE + QR_SCALE // 2, (QR_BORDER + y) * QR_SCALE + QR_SCALE // 2)) < 128
         for x in range(size)]
        for y in range(size)
    ]
    assert embedded == [[bool(module) for module in row] for row in reference.matrix]


def make_logo():
    """A partner logo with the renderer's rendition already made (Wagtail
    leaves a temporary file to the garbage collector when it generates one:
    a ResourceWarning, an error under filterwarnings=error)."""
    image = get_image_model().objects.create(title="Logo", file=get_test_image_file(filename="logo.png", size=(200, 80)))
    image.file.seek(0)
    data = image.file.read()
    image.file.close()
    image.get_rendition_model().objects.create(
        image=image, filter_spec=LOGO_FILTER, focal_point_key="", width=200, height=80,
        file=ContentFile(data, name="logo.rendition.png"),
    )
    return image


def test_partner_logo_is_embedded_and_optional(partner, holder):
    without = issue(holder, partner)
    images_without = len(pdf_of(without).pages[0].images)
    image = make_logo()
    partner.logo = image
    partner.save()
    with_logo = issue(make_user(name="Čapek", partner=partner), partner)
    assert len(pdf_of(with_logo).pages[0].images) == images_without + 1


def test_missing_logo_file_still_renders(partner, holder):
    image = make_logo()
    rendition = image.get_rendition_model().objects.get(image=image)
    rendition.file.storage.delete(rendition.file.name)
    image.file.storage.delete(image.file.name)
    partner.logo = image
    partner.save()
    assert "Zoë Vandenbroucke-Ç" in text_of(pdf_of(issue(holder, partner)))


def test_funding_statement_of_the_certificate_language(certificate):
    nl, _ = Locale.objects.get_or_create(language_code="nl")
    en, _ = Locale.objects.get_or_create(language_code="en")
    FooterText.objects.create(locale=en, funding_statement="<p>Funded by the <b>European Union</b>.</p>")
    FooterText.objects.create(
        locale=nl, translation_key=FooterText.objects.get(locale=en).translation_key,
        funding_statement="<p>Gefinancierd door de <b>Europese Unie</b> &amp; partners.</p>",
    )
    text = text_of(pdf_of(certificate))
    assert "Gefinancierd door de Europese Unie & partners." in text
    assert "<b>" not in text and "Funded by" not in text


def test_task_stores_once_and_replaces_on_request(certificate):
    assert certificate_render_pdf.call(certificate.pk) is True
    certificate.refresh_from_db()
    first = certificate.pdf.name
    assert certificate.pdf.storage.exists(first)
    assert certificate_render_pdf.call(certificate.pk) is False
    assert certificate_render_pdf.call(certificate.pk, replace=True) is True
    certificate.refresh_from_db()
    assert certificate.pdf.storage.exists(certificate.pdf.name)
    if certificate.pdf.name != first:
        assert not certificate.pdf.storage.exists(first)
    assert certificate_render_pdf.call(10**9) is False


def test_stored_pdf_is_the_rendered_one(certificate):
    store_certificate_pdf(certificate)
    stored = Certificate.objects.get(pk=certificate.pk)
    with stored.pdf.open("rb") as handle:
        assert "Zoë Vandenbroucke-Ç" in text_of(PdfReader(handle))
