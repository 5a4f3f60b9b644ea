"""Test settings: fast hashing, in-memory mail; tests/conftest.py points the
database at the PostgreSQL server that the suite starts itself."""

from .base import *  # noqa: F401,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
# Any server started with test settings serves static files without collectstatic.
WHITENOISE_USE_FINDERS = True
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS}  # noqa: F405 (tests may patch per test)
# Without Redis, each test process its own cache (forked servers share a
# temporary file cache with the tests: tests/support/live_server.py), never
# the checkout's var/cache.
if not REDIS_URL:  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
