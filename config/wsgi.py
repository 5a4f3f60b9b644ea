"""WSGI entry point: page traffic may be served by WSGI workers in production
while /ws/ goes to the ASGI processes (see docs/deployment.md)."""

import os

from django.core.wsgi import get_wsgi_application

from config.gc_tuning import freeze_startup_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Everything loaded so far lives as long as the process (config/gc_tuning.py).
freeze_startup_objects()
