"""Navigation helpers: where coordinators and staff find the tracking pages
(the "My certificates" page, and the site header: see the README)."""

from django import template

from certificates.tracking import tracked_partners

register = template.Library()


@register.simple_tag(takes_context=True)
def shows_tracking_pages(context) -> bool:
    """Whether to link to certificate tracking (one query, logged-in users only)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_staff or tracked_partners(user=user).exists()
