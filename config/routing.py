"""Websocket URL patterns of every app, collected in one place."""

from channels.generic.websocket import WebsocketConsumer
from django.urls import re_path

from live.consumers import LiveConsumer


class RefuseConsumer(WebsocketConsumer):
    """Any path no app claims: close before accepting (daphne answers 403),
    instead of a routing error and a logged traceback per scanner probe."""

    def connect(self):
        self.close()


websocket_urlpatterns: list = [
    re_path(r"^ws/live/(?P<session_id>\d+)/$", LiveConsumer.as_asgi()),
    # App routes go above; this catch-all stays last.
    re_path(r"", RefuseConsumer.as_asgi()),
]
