import pytest

from certificates.models import Certificate

from .conftest import make_user

pytestmark = pytest.mark.django_db

CHANGELIST = "/django-admin/certificates/certificate/"


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(name="Admin", is_staff=True, is_superuser=True))
    return client


def test_search_by_printed_code_and_name(admin_client, certificate):
    for term in (certificate.display_code.lower(), certificate.code, "Vandenbroucke"):
        response = admin_client.get(CHANGELIST, {"q": term})
        assert response.status_code == 200
        assert certificate.display_code in response.content.decode()


def test_change_page_is_read_only(admin_client, certificate):
    response = admin_client.get(f"{CHANGELIST}{certificate.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="holder_name"' not in html and "Zoë Vandenbroucke-Ç" in html
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403


def test_revoke_action(admin_client, certificate):
    response = admin_client.post(CHANGELIST, {"action": "revoke_selected", "_selected_action": [certificate.pk]})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED


def test_reissue_action_uses_the_current_name(admin_client, certificate):
    certificate.holder.full_name = "Zoë Vandenbroucke-Çelik"
    certificate.holder.save()
    admin_client.post(CHANGELIST, {"action": "reissue_selected", "_selected_action": [certificate.pk]})
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.SUPERSEDED
    assert certificate.superseded_by.holder_name == "Zoë Vandenbroucke-Çelik"
