"""Registration pages (under the language prefix)."""

app_name = "registrations"

urlpatterns: list = []
