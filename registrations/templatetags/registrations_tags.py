"""Template helpers of the registration pages, and the panel the learner's
dashboard includes (learning/templates/learning/dashboard.html includes
registrations/includes/dashboard.html, which calls `my_registrations_panel`)."""

from django import template

from courses.pages import Audience

from ..selectors import is_training_staff_user, upcoming_registrations_of

register = template.Library()


@register.filter
def audience_labels(codes) -> list[str]:
    labels = dict(Audience.choices)
    return [str(labels[code]) for code in (codes or []) if code in labels]


@register.inclusion_tag("registrations/includes/dashboard_panel.html", takes_context=True)
def my_registrations_panel(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "registrations": upcoming_registrations_of(user=user) if user is not None else [],
        "shows_manage": is_training_staff_user(user=user) if user is not None else False,
        "request": request,
    }
