"""Settings for the billing back office, read from the environment.

SQLite is the default so that `make run` needs nothing else; set DATABASE_URL
(postgres://user:pass@host/db) to use PostgreSQL.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from whitenoise.compress import Compressor

from config.email import email_settings
from config.logging import LOGGING  # noqa: F401 (the access log, the money log, errors)
from config.secret_key import DEFAULT_PATH as SECRET_KEY_PATH
from config.secret_key import read_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).lower() in ("1", "true", "yes", "on")


DEBUG = env_bool("DJANGO_DEBUG")
TESTING = bool(os.environ.get("PYTEST_VERSION"))
# DJANGO_SECRET_KEY wins; else the key `make run` wrote once into .secret_key (secret_key.py).
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "") or read_secret_key(
    Path(os.environ.get("DJANGO_SECRET_KEY_FILE", SECRET_KEY_PATH))
)
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY, run `make run` once (it writes .secret_key) "
            "or set DJANGO_DEBUG=1 for development."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "django_htmx",
    "import_export",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",  # sign-in throttling: see "Sign-in throttling" below
    # Two-step verification (config/mfa.py): authenticator-app and recovery-code devices.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",  # the ground floor: template tags (filter_widgets), the worker heartbeat
    "activity",  # the trail of every change, written by the apps above
    "customers",
    "ledger",
    "billing",
    "api",
]

MIDDLEWARE = [
    "core.middleware.RequestLog",  # the access log; first, so it times the whole request
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from STATIC_ROOT, before sessions and sign-in are looked at.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): has a code verified this session (config/mfa.py)?
    "django_otp.middleware.OTPMiddleware",
    # What a page or the admin changes is recorded as the signed-in user's (activity app).
    "activity.middleware.ActorMiddleware",
    # Every view needs a signed-in user unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A user with a device reaches only the code step until the session is verified; one in
    # MFA_REQUIRED_GROUPS without a device only the set-up page.
    "config.mfa.SecondFactorMiddleware",
    # Pages, exports and PDFs a signed-in user sees hold customer data: never cached.
    "config.cache_control.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

SQLITE_OPTIONS = {
    # Writers queue for the lock at BEGIN instead of failing mid-transaction.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
        # REPLACE's implicit delete then fires the ledger's DELETE trigger.
        "PRAGMA recursive_triggers=ON;"
        "PRAGMA cache_size=-65536;"
        "PRAGMA temp_store=MEMORY;"
    ),
}

if os.environ.get("DATABASE_URL"):
    # Connections are kept a minute between requests; the health check (one cheap query when a
    # request reuses one) drops a connection the database closed meanwhile (a restart, a
    # failover) instead of failing the request on it.
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # sqlite:///path
        DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    else:
        # A database host that doesn't answer at all fails the request (the 503 page) in
        # 5 s instead of holding a web worker until gunicorn's timeout; ?connect_timeout= wins.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # A file, not the in-memory default: tests that write from several
            # threads need WAL and the busy timeout, as production has.
            "TEST": {"NAME": os.environ.get("SQLITE_TEST_PATH", str(BASE_DIR / "test-db.sqlite3"))},
            "OPTIONS": SQLITE_OPTIONS,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "billing:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Served by WhiteNoise from STATIC_ROOT (`manage.py collectstatic`, part of `make run`): names
# carry a hash of the content, so browsers keep them for a year, and gzip/brotli copies are
# made once. The development server (DEBUG) and the tests need no collectstatic: plain names.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG or TESTING
# The CJK fonts (12 MB, build_pdf_fonts) are WeasyPrint's, never sent to a browser: compressing
# them would only slow collectstatic down by a minute.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "otf"]

SESSION_COOKIE_HTTPONLY = True
# htmx sends the token from the page (hx-headers): no script reads the cookie.
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Behind HTTPS in production, set DJANGO_SECURE_COOKIES=1.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES")
# Signed out after this long without a request (saved on every request, so idle time counts,
# not time since sign-in).
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_IDLE_MINUTES", "480")) * 60
SESSION_SAVE_EVERY_REQUEST = True
# HTTPS only, once it works: browsers then refuse plain HTTP for this long (start small).
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT")
# A load balancer's health probe may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy (django-csp): scripts, styles, images and fonts from our own origin
# only; no inline script or style (htmx's own indicator style is off: base.html's htmx-config).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Behind an HTTPS proxy ------------------------------------------------------------------
# DJANGO_SECURE_PROXY_SSL_HEADER=1: the proxy terminates HTTPS and sets X-Forwarded-Proto
# (overwriting any the client sent), so Django knows a request came over HTTPS and the CSRF
# origin check compares https://host. Without it every form POST fails "Origin checking failed".
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER") else None
)
# Comma-separated origins forms may be posted from, e.g. https://billing.example.com: needed
# when the proxy does not pass the browser's Host header on.
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]
# How many proxies in front append to X-Forwarded-For: the client address sign-in failures are
# counted by is that many entries from its right (config/login.py). 0: the direct peer.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))

# --- Sign-in throttling (django-axes) -------------------------------------------------------
# Failed sign-ins are counted at the app's login and the admin's alike (both call
# authenticate(request, ...), which AxesStandaloneBackend checks first), three ways, each
# against its own limit within LOGIN_LOCKOUT_MINUTES: per username and client address
# together (a typing user or a guesser), per username from any address (a guesser spread over
# many addresses) and per address at any username (one address trying many usernames). Each
# attempt while locked counts as another failure. A superuser unlocks early by deleting the
# entries in the admin (Axes > Access attempts), or with `manage.py axes_reset_username NAME`
# (a username's locks) or `axes_reset_ip ADDRESS` (an address's locks).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # An API key acting as a user: its own account has that user's permissions.
    "api.backends.ApiKeyActorBackend",
]
LOGIN_FAILURE_LIMITS = {
    ("username", "ip_address"): int(os.environ.get("LOGIN_FAILURE_LIMIT", "5")),
    ("username",): int(os.environ.get("LOGIN_FAILURE_LIMIT_PER_USER", "20")),
    ("ip_address",): int(os.environ.get("LOGIN_FAILURE_LIMIT_PER_ADDRESS", "50")),
}
# Axes holds one limit against all its parameters; config.login.LockoutHandler gives each
# its own from LOGIN_FAILURE_LIMITS.
AXES_HANDLER = "config.login.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = [list(parameters) for parameters in LOGIN_FAILURE_LIMITS]
# What LockoutHandler reports a lock as; the admin's "Status" column judges entries by it.
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMITS["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
# A typo or two before signing in is not held against later ones (that pair's failures only).
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True  # (axes' default) keeps a guesser out
AXES_LOCKOUT_CALLABLE = "config.login.lockout_response"
AXES_CLIENT_IP_CALLABLE = "config.login.client_ip"

# --- Two-step verification (django-otp, config/mfa.py) --------------------------------------
# Optional for everyone ("Two-step verification" in the user menu); required for the groups
# named here, comma-separated (e.g. "Billing staff"): they are sent to set it up after sign-in.
MFA_REQUIRED_GROUPS = [
    name.strip()
    for name in os.environ.get("DJANGO_MFA_REQUIRED_GROUPS", "").split(",")
    if name.strip()
]
# The name the authenticator app shows beside the account.
OTP_TOTP_ISSUER = os.environ.get("DJANGO_MFA_ISSUER", "Billing back office")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}


# --- Email (config/email.py) -----------------------------------------------------------------
# EMAIL_URL (smtp+tls://user:pass@host:587, console:, file:///dir) or EMAIL_HOST, EMAIL_PORT,
# EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS/EMAIL_USE_SSL; with neither, emails are
# files in var/mail/ (git-ignored) and nothing is sent. The tests use Django's memory backend.
# Sets EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
# EMAIL_USE_TLS, EMAIL_USE_SSL, EMAIL_FILE_PATH, EMAIL_TIMEOUT and DEFAULT_FROM_EMAIL.
DEFAULT_FROM_EMAIL = "billing@localhost"
globals().update(email_settings(os.environ, default_file_path=BASE_DIR / "var" / "mail"))

# /v1/: requests a second one API key may make before it is answered 429 (api/http.py).
API_RATE_LIMIT = int(os.environ.get("DJANGO_API_RATE_LIMIT", "100"))

# The seller new customers are billed under until staff add other legal entities.
BILLING_DEFAULT_ENTITY_NAME = os.environ.get("BILLING_DEFAULT_ENTITY_NAME", "Our company")

# The invoice and credit-note PDFs' words, in every document language (billing/pdf.py).
LOCALE_PATHS = [BASE_DIR / "locale"]

# Units of a currency per US dollar, overriding billing/minimums.py's shipped table for the
# minimum chargeable amount of currencies Stripe's table leaves out: {"ARS": "1400"}.
BILLING_USD_RATES: dict[str, str] = {}

# Email an invoice when it is finalized, if it is to be sent (collection method
# send_invoice) and the customer has an address (billing/services/emails.py).
BILLING_EMAIL_ON_FINALIZE = env_bool("BILLING_EMAIL_ON_FINALIZE")
