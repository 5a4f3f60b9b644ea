"""Local development: `make run`. Debug on, everything in-process."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
