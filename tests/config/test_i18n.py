import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [("nl-BE,nl;q=0.9,en;q=0.5", "/nl/"), ("fr-FR,fr;q=0.9", "/fr/"), ("en-GB", "/en/"), ("de-DE,de;q=0.9", "/en/")],
)
def test_root_honours_the_browser_language(client, accept_language, expected):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 302
    assert response["Location"] == expected


@pytest.mark.django_db
def test_language_cookie_wins_over_the_browser_language(client):
    client.cookies["bl_language"] = "fr"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="nl")
    assert response["Location"] == "/fr/"


def test_every_language_has_a_catalogue():
    from pathlib import Path

    from django.conf import settings

    for code, _ in settings.LANGUAGES:
        assert (Path(settings.BASE_DIR) / "locale" / code / "LC_MESSAGES" / "django.po").exists(), code
