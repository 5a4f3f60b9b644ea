"""Settings shared by every environment.

Every value that differs between a laptop and production is read from the
environment (django-environ) with a default that is safe for local use. The
production module only tightens what must never be relaxed there.
"""

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A developer may keep overrides in .env (ignored by git); the environment wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _local_secret_key() -> str:
    """Generate a key once per checkout and keep it in an ignored file.

    Development needs a stable key (sessions survive restarts) but no key may be
    committed. Production settings never reach this function.
    """
    path = BASE_DIR / ".secret_key"
    if path.exists():
        return path.read_text().strip()
    from django.core.management.utils import get_random_secret_key

    key = get_random_secret_key()
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # ASGI server first so that `runserver` is daphne's.
    "daphne",
    "channels",
    # Our apps, in dependency order (README, "Development": an app never
    # imports from one listed after it).
    "accounts",
    "partners",
    "cms",
    "courses",
    "learning",
    "live",
    "registrations",
    "certificates",
    "demo",
    # Wagtail and content translation.
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts and two-factor authentication.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Background work.
    "django_tasks",
    "django_tasks_db",
    # Django.
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Requests for the H5P content origin are answered here and go no further
    # (no static files, sessions, CSRF or pages there): courses/h5p/serving.py.
    "courses.h5p.middleware.H5PContentOriginMiddleware",
    # Content-Security-Policy on every page of the site (config/csp.py).
    "config.csp.SiteCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # What a request reads once: outlines, progress, roles, locales (config/request_memo.py).
    "config.request_memo.RequestMemoMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireTwoFactorMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
SQLITE_BUSY_TIMEOUT = env.int("SQLITE_BUSY_TIMEOUT", default=20)  # seconds
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite (the zero-setup default) under concurrent writers, e.g. a small
    # live event's registrations (issue #13, tests/integration/
    # test_sqlite_setup.py, bench/registrations.py):
    # - IMMEDIATE: every atomic() block takes the write lock at BEGIN. A
    #   DEFERRED transaction that read first and writes later cannot wait
    #   for the lock (SQLite answers "database is locked" at once, whatever
    #   the timeout, since its snapshot would be stale); one that asks first
    #   simply queues.
    # - timeout / busy_timeout: a writer waits up to that long for the lock
    #   instead of failing (autocommit writes outside atomic() too).
    # - WAL: readers never block the writer nor the writer them. The
    #   synchronous level stays FULL (SQLite's default): NORMAL would spare
    #   an fsync per commit but may lose the last commits on a power cut,
    #   and nothing a learner earned may be lost.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_BUSY_TIMEOUT,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT * 1000};"
            ),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# REDIS_URL empty = everything in-process (one server, zero setup); set = the
# channel layer and the cache are shared by every server process.
REDIS_URL = env.str("REDIS_URL", default="")
# Cached values belong to one database (a course outline names its pages by
# primary key): two sites, or two `make run` on other databases, sharing one
# Redis or var/cache never read each other's entries.
CACHE_KEY_PREFIX = env.str(
    "CACHE_KEY_PREFIX",
    default=hashlib.sha256(
        f"{DATABASES['default'].get('HOST', '')}:{DATABASES['default'].get('PORT', '')}:{DATABASES['default']['NAME']}".encode()
    ).hexdigest()[:12],
)

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Pub/sub: each process holds one channel per live session
            # (live/hub.py), so its unbounded buffer stays small, and its
            # tail latency at 500 sockets beat the core layer's (bench/).
            # Messages lost in a Redis reconnect come back through `sync`.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # One cache for every process on the machine (make run has two gunicorn
    # workers and daphne): rate limits and course outlines must be shared.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env.str("CACHE_DIR", default=str(BASE_DIR / "var" / "cache")),
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }

# --- Live sessions (live/, docs/live-protocol.md) ---------------------------
# The join code works from this long before the start to this long after
# the scheduled end.
LIVE_JOIN_OPENS_MINUTES = env.int("LIVE_JOIN_OPENS_MINUTES", default=60)
LIVE_JOIN_CLOSES_MINUTES = env.int("LIVE_JOIN_CLOSES_MINUTES", default=60)
# Wrong join codes allowed per address and window (seconds) before a pause.
LIVE_JOIN_FAILURES_LIMIT = env.int("LIVE_JOIN_FAILURES_LIMIT", default=20)
LIVE_JOIN_FAILURES_WINDOW = env.int("LIVE_JOIN_FAILURES_WINDOW", default=600)
# Attendance: sockets send a heartbeat this often; a reconnect within the
# grace period continues the same interval.
LIVE_HEARTBEAT_SECONDS = env.int("LIVE_HEARTBEAT_SECONDS", default=30)
LIVE_ATTENDANCE_GRACE_SECONDS = env.int("LIVE_ATTENDANCE_GRACE_SECONDS", default=120)
# Chat, questions and polls are deleted after this many days (reports keep
# their own copy of what was reported).
LIVE_CHAT_RETENTION_DAYS = env.int("LIVE_CHAT_RETENTION_DAYS", default=30)
# Validation and flood control of websocket messages.
LIVE_MAX_FRAME_BYTES = env.int("LIVE_MAX_FRAME_BYTES", default=8192)
LIVE_MAX_TEXT_CHARS = env.int("LIVE_MAX_TEXT_CHARS", default=2000)
LIVE_RATE_LIMIT = env.str("LIVE_RATE_LIMIT", default="10/10s")  # messages per participant
# Built-in WebRTC video: at most this many cameras (a mesh: every peer sends
# to every other one), and the ICE servers browsers use, as JSON, e.g.
# [{"urls": "stun:stun.example.org:3478"}, {"urls": "turn:turn.example.org:443?transport=tcp",
#   "username": "u", "credential": "p"}]. None by default (loopback needs none).
LIVE_WEBRTC_MAX_VIDEO = env.int("LIVE_WEBRTC_MAX_VIDEO", default=6)
LIVE_ICE_SERVERS = env.json("LIVE_ICE_SERVERS", default=[])
# BigBlueButton: API base URL (https://HOST/bigbluebutton/api/) and shared
# secret; Jitsi: base URL (https://meet.example.org/) and, optionally, the
# app id/secret for JWT-authenticated rooms.
LIVE_BBB_URL = env.str("LIVE_BBB_URL", default="")
LIVE_BBB_SECRET = env.str("LIVE_BBB_SECRET", default="")
# "sha1" (every BigBlueButton) or "sha256" (2.6+) for API checksums.
LIVE_BBB_CHECKSUM = env.str("LIVE_BBB_CHECKSUM", default="sha1")
LIVE_JITSI_URL = env.str("LIVE_JITSI_URL", default="")
LIVE_JITSI_APP_ID = env.str("LIVE_JITSI_APP_ID", default="")
LIVE_JITSI_SECRET = env.str("LIVE_JITSI_SECRET", default="")
# Digital age of consent per partner country (GDPR art. 8): the consent
# statement a guest confirms names this age.
LIVE_CONSENT_AGE = {"GB": 13, "BE": 13, "FR": 15, "NL": 16}

TASKS = {
    "default": {
        "BACKEND": env.str("TASK_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

# --- Client addresses (config/client_ip.py, docs/deployment.md) -------------
# Reverse proxies under our control in front of the server. 0: the
# connection's peer is the client and X-Forwarded-For is ignored. N: the N-th
# X-Forwarded-For entry from the right is (what the outermost of our proxies
# saw); entries a client sent stand further left and are never used. Every
# per-address limit (join codes, certificate look-ups, logins) uses it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# allauth's limits ask accounts.adapters.AccountAdapter.get_client_ip, which
# uses the function above; its own setting agrees, for anything asking it.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# --- Accounts ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
WAGTAILADMIN_LOGIN_URL = "account_login"
# Where a login goes when nothing else decides: the adapter sends each
# person to their own dashboard (accounts.selectors.landing_url_name).
LOGIN_REDIRECT_URL = "learning:dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Sign-up also asks the given and family name (both required): certificates
# print them, live rooms show "given f.". Its fields come first.
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupNamesForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Confirming the address in the browser that signed up logs the person in
# and continues where they were going (e.g. the registration they signed up
# for); a confirmation link opened anywhere else only confirms.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Bridgeline] "
# allauth's own limits (per IP and per key); kept explicit so they are reviewed.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Bridgeline")
# Roles that must have TOTP before doing anything else. Values: membership
# roles ("learner", "trainer", "coordinator") and "staff" (is_staff users).
# Off for the local demo; production settings turn it on.
MFA_REQUIRED_ROLES = env.list("MFA_REQUIRED_ROLES", default=[])

# --- Email ------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Bridgeline <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Languages --------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Brussels"
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LANGUAGE_COOKIE_NAME = "bl_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Browser libraries from npm (package.json), served as static files.
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Open Badges signing key (certificates/keys.py): PEM or base64 raw Ed25519
# private key. Empty in development: generated once into
# BASE_DIR/.certificate_signing_key (ignored by git).
CERTIFICATE_SIGNING_KEY = env.str("CERTIFICATE_SIGNING_KEY", default="")
# Public keys of rotated-out signing keys, still published so that older
# credentials keep verifying.
CERTIFICATE_RETIRED_PUBLIC_KEYS = env.list("CERTIFICATE_RETIRED_PUBLIC_KEYS", default=[])
# Certificate PDFs are private: never under MEDIA_ROOT (which may be served
# publicly), only streamed by the permission-checked download view.
CERTIFICATES_ROOT = env.path("CERTIFICATES_ROOT", default=str(BASE_DIR / "var" / "certificates"))
# ZIP exports of certificate PDFs (CERTIFICATES_ROOT/exports/) are deleted this
# many days after they are ready (`manage.py certificates_housekeeping`).
CERTIFICATES_EXPORT_RETENTION_DAYS = env.int("CERTIFICATES_EXPORT_RETENTION_DAYS", default=7)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "certificates": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(CERTIFICATES_ROOT)}},
}
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)

# --- H5P packages (defaults mirrored in courses/h5p/conf.py) -----------------
# Caps follow the H5P reference servers (docs/h5p.md, "Upload"): checked from
# the zip's directory before extracting and again while extracting.
H5P_MAX_TOTAL_BYTES = env.int("H5P_MAX_TOTAL_BYTES", default=64 * 1024 * 1024)
H5P_MAX_FILE_BYTES = env.int("H5P_MAX_FILE_BYTES", default=16 * 1024 * 1024)
H5P_MAX_ENTRIES = env.int("H5P_MAX_ENTRIES", default=5000)
# Outside MEDIA_ROOT on purpose: package files must never be served from the
# site origin (/media/), only from H5P_CONTENT_ORIGIN.
H5P_CONTENT_ROOT = env.path("H5P_CONTENT_ROOT", default=str(BASE_DIR / "var" / "h5p"))
# Separate origin (another host name) that serves the player and package files
# into a sandboxed iframe; empty = no player (lessons say "not available").
# The same server answers it: courses.h5p.middleware routes its host.
H5P_CONTENT_ORIGIN = env.str("H5P_CONTENT_ORIGIN", default="")
# Origins whose pages may frame the player and receive its xAPI statements.
H5P_SITE_ORIGINS = env.list(
    "H5P_SITE_ORIGINS", default=[env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")]
)
# The installed h5p-standalone (package.json; `npm ci --ignore-scripts`).
H5P_PLAYER_ROOT = env.path("H5P_PLAYER_ROOT", default=str(BASE_DIR / "node_modules" / "h5p-standalone"))


def with_h5p_content_host(hosts: list[str], origin: str) -> list[str]:
    """ALLOWED_HOSTS plus the H5P content origin's host name."""
    host = urlsplit(origin).hostname if origin else None
    return [*hosts, host] if host and host not in hosts else list(hosts)


ALLOWED_HOSTS = with_h5p_content_host(ALLOWED_HOSTS, H5P_CONTENT_ORIGIN)

# --- Wagtail ----------------------------------------------------------------
WAGTAIL_SITE_NAME = "Bridgeline"
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILDOCS_DOCUMENT_MODEL = "cms.Resource"
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "doc", "odt", "pptx", "ppt", "odp", "xlsx", "ods", "csv", "txt", "mp3", "mp4", "zip"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILLOCALIZE_MACHINE_TRANSLATOR = None

# --- Security ---------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
# Hosts whose players editors may embed in pages (video blocks); every other
# frame is refused by the site's Content-Security-Policy (config/csp.py).
CSP_EMBED_ORIGINS = env.list(
    "CSP_EMBED_ORIGINS",
    default=["https://www.youtube.com", "https://www.youtube-nocookie.com", "https://player.vimeo.com"],
)
# No avatars fetched from a third party with a hash of the editor's email.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Programme-wide facts shown in the footer when no CMS footer text exists yet.
PROGRAMME_NAME = env.str("PROGRAMME_NAME", default="Bridgeline")
DEMO_DATA_ALLOWED = env.bool("DEMO_DATA_ALLOWED", default=True)
