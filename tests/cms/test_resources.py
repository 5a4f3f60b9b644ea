"""Resource library: filters by language and audience, bad input handled."""

import pytest
from django.test import Client

from cms.models import Audience, ResourceLibraryPage
from tests.cms.helpers import add_page, make_home, make_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    home = make_home()
    page = add_page(parent=home, page=ResourceLibraryPage(title="Library", slug="library"))
    make_resource(title="Teacher checklist", language="en", audience=Audience.TEACHERS)
    make_resource(title="Guide pour la police", language="fr", audience=Audience.POLICE)
    make_resource(title="Algemene gids", language="nl", audience=Audience.ALL)
    return page


def _get(query: str = ""):
    response = Client().get(f"/en/library/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_lists_all_resources_with_type_and_size(library):
    html = _get()
    for title in ["Teacher checklist", "Guide pour la police", "Algemene gids"]:
        assert title in html
    assert "TXT" in html and "5\xa0bytes" in html


def test_filters_by_language(library):
    html = _get("?language=fr")
    assert "Guide pour la police" in html
    assert "Teacher checklist" not in html and "Algemene gids" not in html


def test_filters_by_audience_and_keeps_material_for_everyone(library):
    html = _get("?audience=teachers")
    assert "Teacher checklist" in html and "Algemene gids" in html
    assert "Guide pour la police" not in html


def test_combined_filters(library):
    html = _get("?language=en&audience=police")
    assert "No resources match these filters." in html


@pytest.mark.parametrize("query", ["?language=de", "?audience=hackers", "?language=%00&audience=<script>", "?page=999",
                                   "?page=abc"])
def test_invalid_values_show_a_form_error_not_a_server_error(library, query):
    html = _get(query)
    if "page=" not in query:
        assert 'class="errorlist"' in html
        assert "<script>" not in html
    # An invalid filter falls back to the whole library.
    assert "Teacher checklist" in html


def test_every_filter_control_has_a_label(library):
    html = _get()
    assert '<label for="id_language">' in html
    assert '<label for="id_audience">' in html
