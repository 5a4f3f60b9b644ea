"""Live sessions where other pages show them: the learner's dashboard lists
their upcoming sessions (one query). A template tag, so that the learning
app's templates can show live data without learning importing live
(dependencies point one way: live -> learning)."""

from django import template

from live.selectors import upcoming_sessions_for_learner

register = template.Library()


@register.inclusion_tag("live/includes/upcoming_sessions.html", takes_context=True)
def upcoming_live_sessions(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    sessions = upcoming_sessions_for_learner(user=user) if user is not None else []
    for session in sessions:
        session.local_start = session.starts_at.astimezone(session.tz)
    return {"sessions": sessions}
