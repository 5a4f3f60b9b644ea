from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from partners.models import Membership

from .forms import AdminUserChangeForm, AdminUserCreationForm
from .models import User

# Django's admin login form checks the password only: it would skip
# two-factor authentication and allauth's rate limits. Anonymous visitors are
# sent to allauth's login instead (allauth's documented recipe).
admin.site.login = secure_admin_login(admin.site.login)


class MembershipInline(admin.TabularInline):
    """Staff give people their partner and role here (see partners.Membership)."""

    model = Membership
    extra = 0
    autocomplete_fields = ["partner"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "preferred_language", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "memberships__role", "memberships__partner__country"]
    # Also what the Membership/Partner admins' user autocomplete searches.
    search_fields = ["email", "full_name", "first_name", "last_name"]
    inlines = [MembershipInline]
    # Follows the given and family name (User.save).
    readonly_fields = ["full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "full_name", "preferred_language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    def get_inlines(self, request, obj):
        # Like Django's UserAdmin, adding is a short first step (email and
        # password); Django then opens the change page, where memberships
        # are given.
        return self.inlines if obj is not None else []

    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email", "first_name", "last_name", "preferred_language", "usable_password", "password1", "password2",
                ),
            },
        ),
    )
