"""Changes to partners and memberships: keyword-only, validated, one transaction."""

from django.db import transaction

from .models import Membership, Partner, Role


@transaction.atomic
def membership_set(*, user, partner: Partner, role: str = Role.LEARNER) -> Membership:
    """Give `user` `role` at `partner` (idempotent: an existing membership is updated)."""
    membership = Membership.objects.filter(user=user, partner=partner).first() or Membership(
        user=user, partner=partner
    )
    membership.role = role
    membership.full_clean()
    membership.save()
    return membership
