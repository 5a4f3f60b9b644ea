"""One entry point for HTTP and websockets (daphne, several processes in
production). Websocket routes are contributed by the apps that own them."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
# Django must be set up before anything imports models (consumers do).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.gc_tuning import freeze_startup_objects  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402
from live.origins import SiteOriginValidator  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Only the site's own pages, never the H5P content origin (live/origins.py).
        "websocket": SiteOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# Everything loaded so far lives as long as the process (config/gc_tuning.py).
freeze_startup_objects()
