"""Navigation helpers: where coordinators and staff find the tracking pages
(the "My certificates" page, and the site header: see the README)."""

from django import template

from partners.models import Role
from partners.selectors import roles_of

register = template.Library()


@register.simple_tag(takes_context=True)
def shows_tracking_pages(context) -> bool:
    """Whether to link to certificate tracking: staff and coordinators, as
    `certificates.tracking.tracked_partners` (the roles are read once per request)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_staff or Role.COORDINATOR in roles_of(user=user)
