"""Email transport from the environment (config/email.py): EMAIL_URL, the EMAIL_HOST
variables, or files in var/mail/ when neither is set."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.email import email_settings

SMTP = "django.core.mail.backends.smtp.EmailBackend"
MAIL_DIR = Path("/srv/app/var/mail")


def parse(**environ):
    return email_settings(environ, default_file_path=MAIL_DIR)


def test_nothing_set_writes_files_into_var_mail():
    assert parse() == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(MAIL_DIR),
        "EMAIL_TIMEOUT": 30,
    }


def test_smtp_tls_url_with_quoted_credentials():
    conf = parse(EMAIL_URL="smtp+tls://billing%40example.com:p%3Ass@mail.example.com:587")
    assert conf == {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "billing@example.com",
        "EMAIL_HOST_PASSWORD": "p:ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 30,
    }


def test_smtp_ssl_url_defaults_to_port_465():
    conf = parse(EMAIL_URL="smtp+ssl://user:pw@mail.example.com")
    assert (conf["EMAIL_PORT"], conf["EMAIL_USE_SSL"], conf["EMAIL_USE_TLS"]) == (465, True, False)


def test_submission_url_is_starttls_on_587_and_query_sets_timeout_and_sender():
    conf = parse(EMAIL_URL="submission://u:p@mail.example.com?timeout=5&_default_from_email=a@b.co")
    assert conf["EMAIL_PORT"] == 587 and conf["EMAIL_USE_TLS"] is True
    assert conf["EMAIL_TIMEOUT"] == 5 and conf["DEFAULT_FROM_EMAIL"] == "a@b.co"


def test_plain_smtp_url_without_credentials():
    conf = parse(EMAIL_URL="smtp://localhost")
    assert conf["EMAIL_HOST"] == "localhost" and conf["EMAIL_PORT"] == 25
    assert conf["EMAIL_HOST_USER"] == conf["EMAIL_HOST_PASSWORD"] == ""
    assert conf["EMAIL_USE_TLS"] is conf["EMAIL_USE_SSL"] is False


def test_console_url():
    conf = parse(EMAIL_URL="console:")
    assert conf["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert "EMAIL_FILE_PATH" not in conf


@pytest.mark.parametrize(
    ("url", "path"), [("file:///srv/mail", "/srv/mail"), ("file:", str(MAIL_DIR))]
)
def test_file_url_keeps_an_absolute_path(url, path):
    conf = parse(EMAIL_URL=url)
    assert conf["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert conf["EMAIL_FILE_PATH"] == path


def test_unknown_url_scheme_is_refused_by_name():
    with pytest.raises(ImproperlyConfigured, match="'smtpx'"):
        parse(EMAIL_URL="smtpx://mail.example.com")


def test_email_host_variables():
    conf = parse(
        EMAIL_HOST="mail.example.com",
        EMAIL_PORT="2525",
        EMAIL_HOST_USER="user",
        EMAIL_HOST_PASSWORD="secret",
        EMAIL_USE_TLS="1",
        EMAIL_TIMEOUT="10",
        DEFAULT_FROM_EMAIL="Billing <billing@example.com>",
    )
    assert conf == {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "user",
        "EMAIL_HOST_PASSWORD": "secret",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 10,
        "DEFAULT_FROM_EMAIL": "Billing <billing@example.com>",
    }


def test_email_host_with_ssl_defaults_to_port_465():
    conf = parse(EMAIL_HOST="mail.example.com", EMAIL_USE_SSL="true")
    assert (conf["EMAIL_PORT"], conf["EMAIL_USE_SSL"], conf["EMAIL_USE_TLS"]) == (465, True, False)


def test_email_url_wins_over_email_host():
    conf = parse(EMAIL_URL="console:", EMAIL_HOST="mail.example.com")
    assert conf["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert "EMAIL_HOST" not in conf


def test_email_file_path_moves_the_files():
    assert parse(EMAIL_FILE_PATH="/tmp/outbox")["EMAIL_FILE_PATH"] == "/tmp/outbox"


@pytest.mark.parametrize(
    "environ",
    [
        {"EMAIL_HOST": "h", "EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"},
        {"EMAIL_HOST": "h", "EMAIL_PORT": "twenty-five"},
        {"EMAIL_TIMEOUT": "soon"},
    ],
)
def test_contradictory_or_malformed_variables_are_refused(environ):
    with pytest.raises(ImproperlyConfigured):
        parse(**environ)


def test_settings_apply_the_environment():
    """config/settings.py itself: EMAIL_URL reaches Django's settings."""
    environ = {key: value for key, value in os.environ.items() if not key.startswith("EMAIL_")}
    environ |= {"EMAIL_URL": "smtp+tls://u:p@mail.example.com:587", "DJANGO_DEBUG": "1",
                "DJANGO_SETTINGS_MODULE": "config.settings"}  # fmt: skip
    code = (
        "from django.conf import settings as s;"
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_HOST_USER)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=environ,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == [SMTP, "mail.example.com", "587", "True", "u"]
