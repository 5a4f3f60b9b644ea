"""Language chrome: switcher targets, menus and the footer's funding statement
in every language."""

import pytest
from django.test import Client

from cms.models import FooterText, StandardPage
from tests.cms.helpers import add_page, locales, make_home, translate

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    home = make_home(title="Home")
    about = add_page(parent=home, page=StandardPage(title="About", slug="about", show_in_menus=True, intro="About us"))
    hidden = add_page(parent=home, page=StandardPage(title="Hidden", slug="hidden", show_in_menus=False))
    translate(page=home, language="fr", title="Accueil", slug="accueil")
    fr_about = translate(page=about, language="fr", title="À propos", slug="a-propos", intro="Qui sommes-nous")
    return {"home": home, "about": about, "fr_about": fr_about, "hidden": hidden}


def test_language_switcher_links_to_the_translated_page(site):
    html = Client().get("/en/about/").content.decode()
    assert "next=/fr/a-propos/" in html
    # No Dutch translation yet: the Dutch button goes to the Dutch home.
    assert "next=/nl/" in html


def test_translated_page_is_served_in_its_language(site):
    response = Client().get("/fr/a-propos/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Qui sommes-nous" in html


def test_main_menu_shows_menu_pages_of_the_active_language_and_marks_current(site):
    html = Client().get("/fr/a-propos/").content.decode()
    menu = html.split('class="main-nav"')[1].split("</nav>")[0]
    assert 'href="/fr/a-propos/" aria-current="page"' in menu
    assert "À propos" in menu
    assert "Hidden" not in menu
    assert "/en/about/" not in menu


def _footer(html: str) -> str:
    return html.split('<footer class="site-footer">')[1]


def test_footer_shows_funding_statement_of_each_language(site):
    loc = locales()
    en = FooterText.objects.create(locale=loc["en"], funding_statement="<p>Funded by the funder.</p>")
    en.copy_for_translation(loc["fr"]).save()
    FooterText.objects.filter(locale=loc["fr"]).update(funding_statement="<p>Financé par le financeur.</p>")
    client = Client()
    assert "Funded by the funder." in _footer(client.get("/en/about/").content.decode())
    assert "Financé par le financeur." in _footer(client.get("/fr/a-propos/").content.decode())
    # No Dutch footer: the default language's statement still shows.
    assert "Funded by the funder." in _footer(client.get("/nl/").content.decode())


def test_footer_has_a_statement_before_any_footer_is_written(site):
    from django.utils import translation
    from django.utils.html import escape

    sentence = "%(programme_name)s is a joint programme of partners in England, France, Belgium (Flanders) and the Netherlands."
    for url, language in [("/en/about/", "en"), ("/fr/a-propos/", "fr"), ("/nl/search/", "nl")]:
        footer = _footer(Client().get(url).content.decode())
        with translation.override(language):
            expected = translation.gettext(sentence) % {"programme_name": "Bridgeline"}
        assert escape(expected) in footer, language
