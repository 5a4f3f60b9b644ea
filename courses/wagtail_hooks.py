"""Admin wiring for the courses app: the H5P package snippet.

Editors upload a `.h5p` file on the create form; the package's files are then
fixed, so the edit form only changes the title and shows the rest read-only.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .h5p.admin_views import H5PPackageCreateView, H5PPackageDeleteAction
from .h5p.forms import H5PPackageUploadForm
from .models import H5PPackage


class H5PPackageViewSet(SnippetViewSet):
    model = H5PPackage
    icon = "media"
    menu_label = _("H5P packages")
    menu_order = 310
    add_to_admin_menu = True
    add_view_class = H5PPackageCreateView
    copy_view_enabled = False  # a copy would share nothing but a title
    inspect_view_enabled = True
    list_display = ["title", "main_library", "language", "completion_rule", "file_count", "created_at"]
    inspect_view_fields = [
        "title", "main_library", "main_library_version", "language", "completion_rule", "file_count", "size_bytes",
        "created_at",
    ]
    list_filter = ["main_library", "language"]
    search_fields = ["title", "main_library"]
    search_backend_name = None  # plain database lookups; packages are few

    panels = [
        FieldPanel("title"),
        FieldPanel("main_library", read_only=True),
        FieldPanel("main_library_version", read_only=True),
        FieldPanel("language", read_only=True),
        FieldPanel("reports_score"),
    ]
    upload_panels = ObjectList(
        [FieldPanel("file"), FieldPanel("title")],
        base_form_class=H5PPackageUploadForm,
    )

    def get_add_view_kwargs(self, **kwargs):
        upload_handler = self.upload_panels.bind_to_model(self.model)
        return super().get_add_view_kwargs(
            panel=upload_handler, form_class=upload_handler.get_form_class(), **kwargs
        )


register_snippet(H5PPackageViewSet)


@hooks.register("register_actions")
def register_h5p_package_actions(registry):
    registry.register(H5PPackage, H5PPackageDeleteAction)
