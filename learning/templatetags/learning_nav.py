"""Navigation helpers for the site header (templates/base.html)."""

from django import template

from learning.trainer_selectors import is_trainer_side_user

register = template.Library()


@register.simple_tag(takes_context=True)
def shows_trainer_pages(context) -> bool:
    """Whether the header links to the trainer pages (the roles are read once per request)."""
    request = context.get("request")
    return is_trainer_side_user(user=getattr(request, "user", None))
