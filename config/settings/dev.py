"""Local development: `make run`. Debug on, everything in-process."""

from .base import *  # noqa: F401,F403
from .base import env, with_h5p_content_host

DEBUG = env.bool("DEBUG", default=True)

# The H5P player's separate origin: the same daphne, reached as "localhost"
# while the site is browsed as 127.0.0.1 (two host names, two origins).
# `make run` passes PORT; browse the site at http://127.0.0.1:$PORT, never at
# http://localhost:$PORT (that host only serves H5P content).
_PORT = env.int("PORT", default=8000)
H5P_CONTENT_ORIGIN = env.str("H5P_CONTENT_ORIGIN", default=f"http://localhost:{_PORT}")
H5P_SITE_ORIGINS = env.list("H5P_SITE_ORIGINS", default=[f"http://127.0.0.1:{_PORT}"])
ALLOWED_HOSTS = with_h5p_content_host(ALLOWED_HOSTS, H5P_CONTENT_ORIGIN)  # noqa: F405
