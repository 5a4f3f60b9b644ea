"""Django admin for certificates: look up by code or name, revoke, reissue.

Printed facts are read-only here: a certificate is never edited in place
(the PDF and the signed credential would no longer match it); a correction
is a reissue, which supersedes the old one. Certificates are issued by the
service, never added by hand, and never deleted (a deleted code would make a
genuine paper certificate look forged)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .codes import code_normalise
from .models import Certificate, CertificateExport
from .services import certificate_reissue, certificate_revoke, holder_name_of


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["display_code", "holder_name", "title", "kind", "partner", "country", "issued_on", "status"]
    list_filter = ["status", "kind", "country", "partner"]
    search_fields = ["code", "holder_name", "holder__email", "title"]
    list_select_related = ["partner"]
    date_hierarchy = "issued_on"
    actions = ["revoke_selected", "reissue_selected"]
    readonly_fields = [
        "display_code", "kind", "holder", "holder_name", "partner", "country", "language", "course_key", "session_id",
        "title", "hours", "issued_on", "expires_on", "status", "status_changed_at", "status_reason", "superseded_by",
        "pdf", "holder_notified_at", "created_at", "updated_at",
    ]
    exclude = ["code", "credential"]

    @admin.display(description=_("verification code"), ordering="code")
    def display_code(self, obj: Certificate) -> str:
        return obj.display_code

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_search_results(self, request, queryset, search_term):
        """A code typed as printed (dashes, lower case, O for 0) finds its certificate."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        code = code_normalise(search_term)
        if code:
            results = results | queryset.filter(code=code)
        return results, may_have_duplicates

    @admin.action(description=_("Revoke the selected certificates"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        done = 0
        for certificate in queryset.filter(status=Certificate.Status.VALID):
            certificate_revoke(
                certificate=certificate, reason=f"Revoked in the admin by {request.user.email}", by=request.user
            )
            done += 1
        self.message_user(
            request,
            ngettext("%(count)d certificate revoked.", "%(count)d certificates revoked.", done) % {"count": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reissue the selected certificates with the holder's current name"), permissions=["change"])
    def reissue_selected(self, request, queryset):
        done = 0
        for certificate in queryset.filter(status=Certificate.Status.VALID).select_related("holder"):
            name = (holder_name_of(certificate.holder) if certificate.holder else "") or None
            try:
                certificate_reissue(certificate=certificate, holder_name=name, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{certificate.display_code}: {' '.join(error.messages)}", messages.ERROR)
                continue
            done += 1
        self.message_user(
            request,
            ngettext("%(count)d certificate reissued.", "%(count)d certificates reissued.", done) % {"count": done},
            messages.SUCCESS,
        )


@admin.register(CertificateExport)
class CertificateExportAdmin(admin.ModelAdmin):
    """Read-only: exports are requested from a partner's dashboard and built
    by the task; the admin only shows who asked for what, and how it went."""

    list_display = ["created_at", "partner", "owner", "status", "total", "added", "skipped", "finished_at"]
    list_filter = ["status", "partner"]
    list_select_related = ["partner", "owner"]
    search_fields = ["owner__email", "partner__name"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
