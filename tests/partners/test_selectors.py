import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from partners.models import Country, Partner, Role
from partners.selectors import memberships_for, partners_for, roles_of
from partners.services import membership_set


@pytest.fixture
def two_partners(db):
    be = Partner.objects.create(name="Gent", slug="gent", country=Country.BE, default_language="nl")
    fr = Partner.objects.create(name="Lille", slug="lille", country=Country.FR, default_language="fr")
    return be, fr


def test_partners_for_limits_to_the_users_memberships_and_roles(two_partners):
    be, fr = two_partners
    coordinator = User.objects.create_user(email="c@example.org", password="x" * 12)
    membership_set(user=coordinator, partner=be, role=Role.COORDINATOR)
    membership_set(user=coordinator, partner=fr, role=Role.LEARNER)

    assert set(partners_for(user=coordinator)) == {be, fr}
    assert list(partners_for(user=coordinator, roles=[Role.COORDINATOR])) == [be]
    assert list(partners_for(user=coordinator, roles=[Role.TRAINER])) == []


def test_anonymous_users_see_no_partner_and_have_no_roles(two_partners):
    anonymous = AnonymousUser()
    assert list(partners_for(user=anonymous)) == []
    assert list(memberships_for(user=anonymous)) == []
    assert roles_of(user=anonymous) == set()


def test_roles_of_adds_staff_for_staff_users(two_partners):
    be, _ = two_partners
    staff = User.objects.create_user(email="s@example.org", password="x" * 12, is_staff=True)
    membership_set(user=staff, partner=be, role=Role.TRAINER)
    assert roles_of(user=staff) == {"trainer", "staff"}


def test_membership_set_is_idempotent_and_updates_the_role(two_partners):
    be, _ = two_partners
    user = User.objects.create_user(email="l@example.org", password="x" * 12)
    first = membership_set(user=user, partner=be, role=Role.LEARNER)
    second = membership_set(user=user, partner=be, role=Role.TRAINER)
    assert first.pk == second.pk
    assert list(memberships_for(user=user).values_list("role", flat=True)) == ["trainer"]


def test_membership_set_rejects_an_unknown_role(two_partners):
    from django.core.exceptions import ValidationError

    be, _ = two_partners
    user = User.objects.create_user(email="x@example.org", password="x" * 12)
    with pytest.raises(ValidationError):
        membership_set(user=user, partner=be, role="overlord")
    assert not memberships_for(user=user).exists()


def test_memberships_for_is_one_query_whatever_the_number_of_memberships(two_partners, django_assert_num_queries):
    user = User.objects.create_user(email="m@example.org", password="x" * 12)
    for index in range(5):
        partner = Partner.objects.create(name=f"P{index}", slug=f"p{index}", country=Country.NL)
        membership_set(user=user, partner=partner, role=Role.LEARNER)
    with django_assert_num_queries(1):
        names = [m.partner.name for m in memberships_for(user=user)]
    assert len(names) == 5


def test_roles_are_read_once_per_request_and_a_membership_change_is_seen(two_partners, django_assert_num_queries):
    from config.request_memo import memo_scope
    from partners.models import Membership

    be, fr = two_partners
    user = User.objects.create_user(email="t@example.org", password="x" * 12)
    with memo_scope():
        with django_assert_num_queries(1):
            assert roles_of(user=user) == frozenset()
            assert roles_of(user=user) == frozenset()
        membership_set(user=user, partner=be, role=Role.TRAINER)
        assert roles_of(user=user) == {Role.TRAINER}
        Membership.objects.filter(user=user).get().delete()
        assert roles_of(user=user) == frozenset()
    # Outside a request nothing is kept.
    membership_set(user=user, partner=fr, role=Role.COORDINATOR)
    assert roles_of(user=user) == {Role.COORDINATOR}
