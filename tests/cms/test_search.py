"""Site search: live pages of the visitor's language only, bounded input."""

import pytest
from django.test import Client

from cms.models import StandardPage
from tests.cms.helpers import add_page, make_home, translate

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages():
    home = make_home()
    en = add_page(parent=home, page=StandardPage(title="Resilience workshop", slug="resilience",
                                                 intro="Building resilience in classrooms"))
    translate(page=home, language="fr", title="Accueil", slug="accueil")
    translate(page=home, language="nl", title="Start", slug="start")
    translate(page=en, language="fr", title="Atelier résilience", slug="atelier", intro="Renforcer la résilience en classe")
    translate(page=en, language="nl", title="Weerbaarheidsatelier", slug="atelier", intro="Weerbaarheid in de klas")
    add_page(parent=home, page=StandardPage(title="Resilience draft", slug="draft"), publish=False)
    return en


@pytest.mark.parametrize(
    ("language", "query", "expected", "absent"),
    [
        ("en", "resilience", "Resilience workshop", "Atelier résilience"),
        ("fr", "atelier", "Atelier résilience", "Resilience workshop"),
        ("nl", "weerbaarheid", "Weerbaarheidsatelier", "Resilience workshop"),
    ],
)
def test_finds_pages_of_the_active_language(pages, language, query, expected, absent):
    response = Client().get(f"/{language}/search/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert expected in html
    assert absent not in html
    assert "Resilience draft" not in html


def test_result_shows_a_snippet(pages):
    html = Client().get("/en/search/", {"q": "resilience"}).content.decode()
    assert "Building resilience in classrooms" in html


def test_empty_query_shows_a_prompt(pages):
    response = Client().get("/en/search/", {"q": "   "})
    assert response.status_code == 200
    assert "Type one or more words" in response.content.decode()


def test_very_long_query_is_capped(pages):
    response = Client().get("/en/search/", {"q": "resilience " * 100})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Only the first 200 characters" in html
    assert ("resilience " * 100).strip() not in html


def test_bad_page_number_is_not_an_error(pages):
    assert Client().get("/en/search/", {"q": "resilience", "page": "x"}).status_code == 200
