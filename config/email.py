"""Email transport settings from the environment (settings.py applies them).

One of, first wins:
- EMAIL_URL, parsed by dj-email-url: `smtp://user:pass@host:25`, `submission://…` (STARTTLS,
  port 587), `smtp+tls://…` (STARTTLS), `smtp+ssl://…` (implicit TLS, port 465), `smtp://…?tls=1`,
  `console:`, `file:///absolute/dir` (`file:` alone: var/mail/), `memory:`, `dummy:`.
  User and password are percent-decoded (`%40` for an @ in a user name).
- EMAIL_HOST (with EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS or
  EMAIL_USE_SSL): SMTP.
- Neither: each email is written as a file into var/mail/ (git-ignored; EMAIL_FILE_PATH moves
  it), so development and `make run` never send real mail.
DEFAULT_FROM_EMAIL (the address emails are sent from) and EMAIL_TIMEOUT (seconds, 30) apply
in every case.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import dj_email_url
from django.core.exceptions import ImproperlyConfigured

SMTP = "django.core.mail.backends.smtp.EmailBackend"
FILE = "django.core.mail.backends.filebased.EmailBackend"
DEFAULT_TIMEOUT = 30
# Spellings dj-email-url does not know, as the query it does.
_SCHEME_ALIASES = {"smtp+tls": ("smtp", "tls=1"), "smtp+ssl": ("smtp", "ssl=1")}


def _true(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "yes", "on")


def email_settings(environ: Mapping[str, str], default_file_path: Path) -> dict[str, Any]:
    """The EMAIL_* and DEFAULT_FROM_EMAIL settings `environ` asks for."""
    url = environ.get("EMAIL_URL", "").strip()
    if url:
        conf = _from_url(url, default_file_path)
    elif environ.get("EMAIL_HOST", "").strip():
        use_ssl = _true(environ.get("EMAIL_USE_SSL"))
        use_tls = _true(environ.get("EMAIL_USE_TLS"))
        if use_ssl and use_tls:
            raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
        conf = {
            "EMAIL_BACKEND": SMTP,
            "EMAIL_HOST": environ["EMAIL_HOST"].strip(),
            "EMAIL_PORT": _number(environ.get("EMAIL_PORT"), 465 if use_ssl else 25),
            "EMAIL_HOST_USER": environ.get("EMAIL_HOST_USER", ""),
            "EMAIL_HOST_PASSWORD": environ.get("EMAIL_HOST_PASSWORD", ""),
            "EMAIL_USE_TLS": use_tls,
            "EMAIL_USE_SSL": use_ssl,
        }
    else:
        conf = {"EMAIL_BACKEND": FILE, "EMAIL_FILE_PATH": str(default_file_path)}
    if path := environ.get("EMAIL_FILE_PATH", "").strip():
        conf["EMAIL_FILE_PATH"] = path
    timeout = conf.get("EMAIL_TIMEOUT") or DEFAULT_TIMEOUT
    conf["EMAIL_TIMEOUT"] = _number(environ.get("EMAIL_TIMEOUT"), timeout)
    if sender := environ.get("DEFAULT_FROM_EMAIL", "").strip():
        conf["DEFAULT_FROM_EMAIL"] = sender
    return conf


def _from_url(url: str, default_file_path: Path) -> dict[str, Any]:
    scheme, _, rest = url.partition(":")
    if alias := _SCHEME_ALIASES.get(scheme.lower()):
        scheme, query = alias
        url = f"{scheme}:{rest}{'&' if '?' in rest else '?'}{query}"
    parsed = dj_email_url.parse(url)
    if "EMAIL_BACKEND" not in parsed:
        known = ", ".join([*dj_email_url.SCHEMES, *_SCHEME_ALIASES])
        raise ImproperlyConfigured(f"EMAIL_URL: unknown scheme {scheme!r} (one of: {known}).")
    conf = {key: value for key, value in parsed.items() if value is not None}
    if conf["EMAIL_BACKEND"] == SMTP:
        if conf.get("EMAIL_USE_SSL") and not urlsplit(url).port:
            conf["EMAIL_PORT"] = 465
        conf.setdefault("EMAIL_HOST_USER", "")
        conf.setdefault("EMAIL_HOST_PASSWORD", "")
    if conf["EMAIL_BACKEND"] == FILE:
        # file:///srv/mail is /srv/mail (dj-email-url would drop the leading slash).
        path = unquote(urlsplit(url).path)
        conf["EMAIL_FILE_PATH"] = path or str(default_file_path)
    else:
        conf.pop("EMAIL_FILE_PATH", None)
    return conf


def _number(value: str | None, default: int) -> int:
    if not (value or "").strip():
        return default
    try:
        return int(value or "")
    except ValueError:
        raise ImproperlyConfigured(f"Not a number: {value!r} (EMAIL_PORT, EMAIL_TIMEOUT)") from None
