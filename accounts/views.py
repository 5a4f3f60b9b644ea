from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from partners.selectors import memberships_for

from . import services
from .forms import ProfileForm


def _safe_next(request: HttpRequest) -> str:
    """The `next` the page was opened with (a certificate that waits for the
    person's name, say), if it stays on this site."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else ""


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    next_url = _safe_next(request)
    if next_url and not request.user.has_name:
        # Sent here to give their name first: start there.
        form.fields["first_name"].widget.attrs["autofocus"] = True
    if request.method == "POST" and form.is_valid():
        user = services.profile_update(
            user=request.user,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            preferred_language=form.cleaned_data["preferred_language"],
        )
        language = user.preferred_language
        # The next page is shown in the new language: the message and the URL
        # prefix (and so every menu) follow it.
        with translation.override(language):
            messages.success(request, _("Your profile has been saved."))
            target = services.url_in_language(url=next_url, language=language) if next_url else reverse("accounts:profile")
            response = redirect(target)
        services.language_cookie_set(response=response, language=language)
        return response
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "memberships": memberships_for(user=request.user), "next": next_url},
    )
