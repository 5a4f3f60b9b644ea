"""Forms of the learner's pages. They read what was posted; the services
decide whether it is allowed (quiz rules, lengths, locks)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import REFLECTION_MAX_LENGTH


class QuizSubmissionForm(forms.Form):
    """The quiz block posts `submission_id` plus one `question-<id>` field
    per question (radio or checkbox values are answer ids). The questions
    are not known to the form: `answers()` collects whatever question fields
    were sent and the service checks them against the block."""

    submission_id = forms.UUIDField(label=_("Submission"))

    QUESTION_PREFIX = "question-"

    def answers(self) -> dict[str, list[str]]:
        return {
            name[len(self.QUESTION_PREFIX):]: self.data.getlist(name)
            for name in self.data
            if name.startswith(self.QUESTION_PREFIX)
        }


class ReflectionForm(forms.Form):
    answer = forms.CharField(
        label=_("Your reflection"),
        widget=forms.Textarea,
        # The service enforces the limit too; a little room here so that the
        # service's message (not Django's) explains it.
        max_length=REFLECTION_MAX_LENGTH * 2,
        strip=True,
    )
