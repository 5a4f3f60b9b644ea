"""Live sessions' pages (under the language prefix). Trainer and join pages
are in urls_manage.py, the room and video pages in urls_room.py."""

from django.urls import include, path

app_name = "live"

urlpatterns = [
    path("", include("live.urls_manage")),
    path("", include("live.urls_room")),
]
