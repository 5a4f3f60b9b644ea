"""Who may open which tracking URL, "the pretix way": every URL the tracking
pages add is listed here (a new one joins the list in the same commit), and
each is requested by every kind of person. Another partner's dashboard,
CSV and exports are a 404 (never a 403: no information leak), as is every
page for learners and trainers; logged-out visitors are sent to log in,
like certificate downloads; staff see every partner. An export belongs to
the person who asked for it: another person's export id is a 404."""

from __future__ import annotations

from uuid import uuid4

import pytest
from django.urls import reverse

from certificates.models import CertificateExport
from partners.models import Role

from .conftest import issue, make_partner, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(partner, holder):
    """Partner A (the one the URLs name) and partner B, their people, one
    certificate each, and an export of A's coordinator."""
    other = make_partner("NL", name="Utrecht Jeugdwerk")
    people = {
        "coordinator": make_user(name="Katrien", partner=partner, role=Role.COORDINATOR),
        "second coordinator": make_user(name="Jan", partner=partner, role=Role.COORDINATOR),
        "trainer": make_user(name="Youssef", partner=partner, role=Role.TRAINER),
        "learner": holder,
        "other coordinator": make_user(name="Marieke", partner=other, role=Role.COORDINATOR),
        "staff": make_user(name="Staff", is_staff=True),
    }
    issue(holder, partner)
    issue(make_user(partner=other), other)
    export = CertificateExport.objects.create(
        owner=people["coordinator"], partner=partner, status=CertificateExport.Status.DONE, total=0
    )
    from django.core.files.base import ContentFile

    export.file.save("exports/test.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=True)
    return {"partner": partner, "other": other, "people": people, "export": export}


def _url(name, world, **extra):
    kwargs = {"slug": world["partner"].slug, **extra}
    if "export" in name and name != "export_request":
        kwargs.setdefault("export_id", world["export"].pk)
    return reverse(f"certificates:{name}", kwargs=kwargs)


# name -> (method, expected status for someone allowed)
TRACKING_URLS = {
    "partner_dashboard": ("get", 200),
    "partner_csv": ("get", 200),
    "export_request": ("post", 302),
    "export_detail": ("get", 200),
    "export_status": ("get", 200),
    "export_download": ("get", 200),
}

# Who, and whether they may use partner A's pages / the coordinator's export.
PEOPLE = {
    "coordinator": (True, True),
    "staff": (True, True),
    "second coordinator": (True, False),  # same partner, someone else's export
    "trainer": (False, False),
    "learner": (False, False),
    "other coordinator": (False, False),
}


def _consume(response):
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize("name", TRACKING_URLS, ids=TRACKING_URLS.keys())
@pytest.mark.parametrize("who", PEOPLE, ids=PEOPLE.keys())
def test_partner_urls(client, world, name, who):
    method, allowed_status = TRACKING_URLS[name]
    may_partner, may_export = PEOPLE[who]
    allowed = may_export if name.startswith("export_") and name != "export_request" else may_partner
    client.force_login(world["people"][who])
    response = _consume(getattr(client, method)(_url(name, world)))
    assert response.status_code == (allowed_status if allowed else 404)


@pytest.mark.parametrize("name", TRACKING_URLS, ids=TRACKING_URLS.keys())
def test_partner_urls_send_anonymous_visitors_to_log_in(client, world, name):
    method, _status = TRACKING_URLS[name]
    response = getattr(client, method)(_url(name, world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", TRACKING_URLS, ids=TRACKING_URLS.keys())
def test_the_other_partners_coordinator_sees_their_own_pages_not_ours(client, world, name):
    """The 404 above is about the partner, not the person: the same
    coordinator reaches the same page of their own partner."""
    method, allowed_status = TRACKING_URLS[name]
    coordinator = world["people"]["other coordinator"]
    export = CertificateExport.objects.create(owner=coordinator, partner=world["other"], status="done")
    from django.core.files.base import ContentFile

    export.file.save("exports/other.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=True)
    client.force_login(coordinator)
    own = {"slug": world["other"].slug}
    if name.startswith("export_") and name != "export_request":
        own["export_id"] = export.pk
    assert _consume(getattr(client, method)(reverse(f"certificates:{name}", kwargs=own))).status_code == allowed_status
    # ...and their own export under partner A's slug is still a 404.
    if "export_id" in own:
        crossed = reverse(f"certificates:{name}", kwargs={"slug": world["partner"].slug, "export_id": export.pk})
        client.force_login(world["people"]["coordinator"])
        assert _consume(client.get(crossed)).status_code == 404


@pytest.mark.parametrize("name", ["export_detail", "export_status", "export_download"])
def test_unknown_export_id_is_404_even_for_staff(client, world, name):
    client.force_login(world["people"]["staff"])
    assert client.get(_url(name, world, export_id=uuid4())).status_code == 404


def test_unknown_partner_slug_is_404_even_for_staff(client, world):
    client.force_login(world["people"]["staff"])
    assert client.get(reverse("certificates:partner_dashboard", kwargs={"slug": "no-such-partner"})).status_code == 404


SITE_URLS = {"partner_list": 302, "staff_overview": 200}


@pytest.mark.parametrize("name", SITE_URLS, ids=SITE_URLS.keys())
@pytest.mark.parametrize("who", PEOPLE, ids=PEOPLE.keys())
def test_site_wide_tracking_urls(client, world, name, who):
    """The partner list exists for coordinators (one partner: straight to its
    dashboard) and staff; the all-countries overview for staff only."""
    client.force_login(world["people"][who])
    response = client.get(reverse(f"certificates:{name}"))
    if who == "staff":
        assert response.status_code == 200
    elif name == "partner_list" and "coordinator" in who:
        assert response.status_code == SITE_URLS[name]
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("name", SITE_URLS, ids=SITE_URLS.keys())
def test_site_wide_urls_send_anonymous_visitors_to_log_in(client, name):
    response = client.get(reverse(f"certificates:{name}"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


WRONG_METHODS = {
    "partner_list": ["post", "put", "delete"],
    "staff_overview": ["post", "put", "delete"],
    "partner_dashboard": ["post", "put", "patch", "delete"],
    "partner_csv": ["post", "put", "delete"],
    "export_request": ["get", "put", "patch", "delete"],
    "export_detail": ["post", "put", "delete"],
    "export_status": ["post", "put", "delete"],
    "export_download": ["post", "put", "delete"],
}


@pytest.mark.parametrize("name, method", [(n, m) for n, ms in WRONG_METHODS.items() for m in ms])
def test_other_methods_are_refused(client, world, name, method):
    client.force_login(world["people"]["staff"])
    url = reverse(f"certificates:{name}") if name in SITE_URLS else _url(name, world)
    assert getattr(client, method)(url).status_code == 405


def test_every_tracking_url_is_in_this_file():
    from certificates import urls

    names = {pattern.name for pattern in urls.urlpatterns}
    tracked = names - {"verify_form", "verify", "mine"}
    assert tracked == set(TRACKING_URLS) | set(SITE_URLS)
