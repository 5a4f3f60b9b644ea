from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from partners.selectors import memberships_for

from . import services
from .forms import ProfileForm


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.profile_update(
            user=request.user,
            full_name=form.cleaned_data["full_name"],
            preferred_language=form.cleaned_data["preferred_language"],
        )
        language = user.preferred_language
        # The next page is shown in the new language: the message and the URL
        # prefix (and so every menu) follow it.
        with translation.override(language):
            messages.success(request, _("Your profile has been saved."))
            response = redirect(reverse("accounts:profile"))
        services.language_cookie_set(response=response, language=language)
        return response
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "memberships": memberships_for(user=request.user)},
    )
