"""Production: everything that must not be relaxed.

Required from the environment: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL.
Strongly recommended: REDIS_URL (several server processes), EMAIL_URL.
"""

from .base import *  # noqa: F401,F403
from .base import H5P_CONTENT_ORIGIN, env, with_h5p_content_host

SECRET_KEY = env.str("SECRET_KEY")  # no default: refuse to start without it
# The H5P content origin's host is added: the same servers answer it
# (courses/h5p/middleware.py). Its own TLS certificate and DNS name are needed.
ALLOWED_HOSTS = with_h5p_content_host(env.list("ALLOWED_HOSTS"), H5P_CONTENT_ORIGIN)
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preload is on by default so `check --deploy` stays clean; turn it off
# (SECURE_HSTS_PRELOAD=false) for a domain that must not be on the preload list.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=False)

# Trainers, coordinators and staff must use two-factor authentication.
MFA_REQUIRED_ROLES = env.list("MFA_REQUIRED_ROLES", default=["trainer", "coordinator", "staff"])

# Never sign credentials with a throwaway key.
CERTIFICATE_SIGNING_KEY = env.str("CERTIFICATE_SIGNING_KEY")

# Demo data must never be created here (seed_demo checks this flag).
DEMO_DATA_ALLOWED = False
