"""Questions about partners and roles. Every view that shows partner data asks
through here, so the scoping rule lives in one place: a user sees a partner's
data only through a membership with a role that allows it."""

from collections.abc import Iterable

from django.db.models import QuerySet

from config.request_memo import memo_discard, memoised

from .models import Membership, Partner, Role


def memberships_for(*, user) -> QuerySet[Membership]:
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("partner", "partner__logo")


def partners_for(*, user, roles: Iterable[str] | None = None) -> QuerySet[Partner]:
    """The partners whose data `user` may see in one of `roles` (all roles if None)."""
    if not getattr(user, "is_authenticated", False):
        return Partner.objects.none()
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return Partner.objects.filter(pk__in=memberships.values("partner_id"))


def roles_of(*, user) -> frozenset[str]:
    """Membership roles plus "staff" for staff users: the vocabulary of
    settings.MFA_REQUIRED_ROLES. One query, once per request (the header's
    links and the two-factor check ask too); a membership saved or deleted
    in the request is seen at once (`roles_forget`)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    roles = memoised(
        ("roles", user.pk), lambda: frozenset(Membership.objects.filter(user=user).values_list("role", flat=True))
    )
    if user.is_staff or user.is_superuser:
        roles = roles | {"staff"}
    return roles


def roles_forget(sender, instance, **kwargs) -> None:
    """Signal receiver: a membership changed, read the roles again."""
    memo_discard(("roles", instance.user_id))


def active_partners() -> QuerySet[Partner]:
    return Partner.objects.filter(is_active=True).select_related("logo")


__all__ = ["memberships_for", "partners_for", "roles_of", "active_partners", "Role"]
