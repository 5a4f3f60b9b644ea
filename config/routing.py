"""Websocket URL patterns of every app, collected in one place."""

websocket_urlpatterns: list = []
