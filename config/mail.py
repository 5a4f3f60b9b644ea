"""Mail text from templates.

A subject and a plain-text body are text, not HTML: they are rendered with
autoescaping off whatever the template says, so a title with `&`, `<` or
quotes arrives as typed (never `&amp;`). Only the HTML alternative, rendered
with `render_to_string` as any page, escapes. A subject is one line:
newlines and runs of spaces collapse (a header cannot hold a newline).
"""

from __future__ import annotations

from django.template.context import make_context
from django.template.loader import get_template


def render_text(template_name: str, context: dict) -> str:
    """`template_name` rendered as plain text (no HTML escaping)."""
    template = get_template(template_name)
    return template.template.render(make_context(context, None, autoescape=False))


def render_subject(template_name: str, context: dict) -> str:
    """A subject line: plain text on one line, without surrounding spaces."""
    return " ".join(render_text(template_name, context).split())
