"""The room page and the video door of a live session (live/views_room.py)."""

from django.urls import path

from . import views_room

urlpatterns = [
    path("<int:session_id>/room/", views_room.room, name="room"),
    path("<int:session_id>/video/", views_room.video, name="video"),
]
