"""demo.cms.seed_cms: the demo site in three languages, built once."""

import pytest
from django.test import Client
from wagtail.models import Locale, Page, Site
from wagtail_localize.models import Translation

from cms.models import FooterText, HomePage, NewsPage, PartnerPage, Resource
from demo.cms import seed_cms
from tests.cms.helpers import make_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners():
    return [
        make_partner(country=country, name=name)
        for country, name in [
            ("GB", "Northbridge Trust"),
            ("FR", "Passerelles Hauts-de-France"),
            ("BE", "Brugge Vormt vzw"),
            ("NL", "Stichting Verbinding"),
        ]
    ]


def _counts():
    return {
        "pages": Page.objects.count(),
        "live": Page.objects.live().count(),
        "resources": Resource.objects.count(),
        "footers": FooterText.objects.count(),
        "locales": Locale.objects.count(),
        "sites": Site.objects.count(),
        "translations": Translation.objects.count(),
    }


def test_seed_creates_site_in_three_languages(partners):
    home = seed_cms(partners=partners)

    site = Site.objects.get(is_default_site=True)
    assert site.root_page.specific == home
    assert not Page.objects.filter(depth=2, content_type__model="page").exists(), "welcome page removed"
    assert set(Locale.objects.values_list("language_code", flat=True)) == {"en", "fr", "nl"}
    for code in ("en", "fr", "nl"):
        assert HomePage.objects.filter(locale__language_code=code, live=True).count() == 1
        assert NewsPage.objects.filter(locale__language_code=code, live=True).count() == 3
        assert NewsPage.objects.filter(locale__language_code=code, event_start__isnull=False).count() == 1
        assert PartnerPage.objects.filter(locale__language_code=code, live=True).count() == 4
        assert FooterText.objects.filter(locale__language_code=code).count() == 1
    assert 4 <= Resource.objects.count() <= 6
    assert set(Resource.objects.values_list("language", flat=True)) == {"en", "fr", "nl"}
    # Every English page has a live French and Dutch translation.
    for page in Page.objects.filter(locale__language_code="en", depth__gte=2):
        assert page.get_translations().live().count() == 2, page


def test_seed_is_idempotent(partners):
    seed_cms(partners=partners)
    first = _counts()
    seed_cms(partners=partners)
    assert _counts() == first


def test_seeded_pages_render_in_each_language(partners):
    seed_cms(partners=partners)
    client = Client()
    expected = {"en": "Why early prevention matters", "fr": "Pourquoi la prévention précoce compte",
                "nl": "Waarom vroege preventie telt"}
    pages = Page.objects.live().filter(depth__gte=2)
    assert pages.count() == 3 * (1 + 1 + 1 + 3 + 1 + 1 + 4)
    for page in pages.select_related("locale"):
        url = page.get_url()
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{page.locale.language_code}">' in response.content.decode()
    for code, heading in expected.items():
        about = Page.objects.get(locale__language_code=code, depth=3, url_path__endswith={"en": "/about/", "fr": "/a-propos/", "nl": "/over-ons/"}[code])
        body = client.get(about.get_url()).content.decode()
        assert heading in body


def test_seeded_translations_have_translated_slugs_and_text(partners):
    seed_cms(partners=partners)
    client = Client()
    fr = client.get("/fr/a-propos/")
    assert fr.status_code == 200
    assert "À propos du programme" in fr.content.decode()
    nl = client.get("/nl/over-ons/")
    assert nl.status_code == 200
    assert "Over het programma" in nl.content.decode()
    assert "cofinancé par l’Union européenne" in client.get("/fr/").content.decode()
    assert "medegefinancierd door de Europese Unie" in client.get("/nl/").content.decode()
    assert "co-funded by the European Union" in client.get("/en/").content.decode()
    # Search finds the seeded pages of each language, and only those.
    for code, query, title in [("en", "prevention", "About the programme"),
                               ("fr", "jeunes", "À propos du programme"),
                               ("nl", "jongeren", "Over het programma")]:
        html = client.get(f"/{code}/search/", {"q": query}).content.decode()
        assert title in html, code


def test_seeded_home_links_to_pages_in_its_own_language(partners):
    seed_cms(partners=partners)
    client = Client()
    fr_home = client.get("/fr/").content.decode()
    assert '<html lang="fr">' in fr_home
    assert 'href="/fr/bibliotheque-de-ressources/"' in fr_home  # featured page and menu
    assert "Webinaire : parler avec les jeunes" in fr_home  # news teaser
    assert "/en/" not in fr_home.split('class="main-nav"')[1].split("</nav>")[0]
    nl_home = client.get("/nl/").content.decode()
    assert 'href="/nl/documentatiecentrum/"' in nl_home
    assert "Samen gewelddadige radicalisering voorkomen" in nl_home


def test_seeded_language_switcher_targets_translations(partners):
    seed_cms(partners=partners)
    html = Client().get("/en/about/").content.decode()
    assert "next=/fr/a-propos/" in html
    assert "next=/nl/over-ons/" in html
