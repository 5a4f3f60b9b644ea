"""Where the learning app meets Wagtail's page serving.

`before_serve_page` runs before a lesson page renders: for a learner
actively enrolled in its course it refuses a lesson locked by the
sequential rule (back to the course page, with a message) and otherwise
records the visit, which completes the lesson's reading blocks. Writes
happen here, never in templates; the templates only read progress through
`learning.templatetags.learning_tags`.

Visitors who are not enrolled (anonymous readers, trainers, coordinators)
see lessons as the courses app serves them: read-only, recording nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from wagtail import hooks

from courses.pages import LessonPage

from .selectors import lesson_access
from .services import EvidenceRejected, lesson_visit_record


@hooks.register("before_serve_page")
def record_lesson_visit(page, request, serve_args, serve_kwargs):
    if not isinstance(page, LessonPage) or request.method != "GET" or not request.user.is_authenticated:
        return None
    access = lesson_access(learner=request.user, lesson=page)
    if not (access.visible and access.is_enrolled):
        return None
    if access.locked:
        messages.info(request, _("This module opens when you have completed the previous modules."))
        return HttpResponseRedirect(access.course.get_url(request) or "/")
    try:
        lesson_visit_record(learner=request.user, lesson=page)
    except EvidenceRejected:
        # Withdrawn or locked between the check and the write: show the page
        # without recording, as for any visitor.
        pass
    return None
