import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.models import User
from demo.people import DEMO_PASSWORD, seed_people
from partners.models import Membership, Partner


@pytest.mark.django_db
def test_seed_people_creates_each_partner_with_coordinator_trainer_and_three_learners():
    partners = seed_people()
    assert sorted(p.country for p in partners) == ["BE", "FR", "GB", "NL"]
    for partner in partners:
        roles = sorted(Membership.objects.filter(partner=partner).values_list("role", flat=True))
        assert roles == ["coordinator", "learner", "learner", "learner", "trainer"]
    user = User.objects.get(email="coordinator.be@demo.example")
    assert user.check_password(DEMO_PASSWORD)
    assert EmailAddress.objects.get(email="learner3.gb@demo.example").verified


@pytest.mark.django_db
def test_seed_people_twice_creates_nothing_new():
    seed_people()
    counts = (Partner.objects.count(), User.objects.count(), Membership.objects.count(), EmailAddress.objects.count())
    seed_people()
    assert (Partner.objects.count(), User.objects.count(), Membership.objects.count(), EmailAddress.objects.count()) == counts


@pytest.mark.django_db
@override_settings(DEMO_DATA_ALLOWED=False)
def test_seed_demo_refuses_when_demo_data_is_not_allowed():
    with pytest.raises(CommandError, match="refuses"):
        call_command("seed_demo")
    assert not User.objects.filter(email__endswith="@demo.example").exists()
