"""Serving as production does: the secret key file, the settings read from the environment,
the Content-Security-Policy, no caching of customer data, the session idle timeout and a
clean `manage.py check --deploy` with the documented production variables."""

import json
import os
import stat
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from config.secret_key import ensure_secret_key, read_secret_key
from tests.factories import make_customer, make_invoice

# What README's "Running in production" tells an operator to set (with a real key and host).
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "a-long-random-key-for-this-test-only-" + "x7Kq9" * 10,
    "DJANGO_ALLOWED_HOSTS": "billing.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://billing.example.com",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "1",
    "DJANGO_SECURE_COOKIES": "1",
    "DJANGO_SECURE_SSL_REDIRECT": "1",
    "DJANGO_HSTS_SECONDS": "31536000",
    "DJANGO_HSTS_INCLUDE_SUBDOMAINS": "1",
    "DJANGO_HSTS_PRELOAD": "1",
    "EMAIL_URL": "smtp+tls://billing%40example.com:secret@smtp.example.com:587",
    "DEFAULT_FROM_EMAIL": "billing@example.com",
}


def _clean_env(**env):
    """This process's environment without the settings' own variables or pytest's marker (the
    settings then behave as outside the tests), plus `env`."""
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "PYTEST_VERSION"
    }
    return {**base, **env}


def _run(args, **env):
    return subprocess.run(
        [sys.executable, *args],
        env=_clean_env(**env),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def _settings_under(env):
    code = (
        "import json, config.settings as s; print(json.dumps({"
        "'debug': s.DEBUG, 'key': s.SECRET_KEY, 'hosts': s.ALLOWED_HOSTS,"
        "'hsts': s.SECURE_HSTS_SECONDS, 'hsts_subdomains': s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        "'hsts_preload': s.SECURE_HSTS_PRELOAD, 'ssl_redirect': s.SECURE_SSL_REDIRECT,"
        "'secure_cookies': [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE],"
        "'session_age': s.SESSION_COOKIE_AGE, 'save_every': s.SESSION_SAVE_EVERY_REQUEST,"
        "'static': s.STORAGES['staticfiles']['BACKEND']}))"
    )
    result = _run(["-c", code], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# --- The secret key file ---------------------------------------------------------------------


def test_the_secret_key_file_is_made_once_readable_by_its_owner_only(tmp_path):
    path = tmp_path / ".secret_key"
    key = ensure_secret_key(path)
    assert len(key) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_secret_key(path) == key
    assert read_secret_key(path) == key


def test_the_secret_key_command_writes_the_file(tmp_path):
    path = tmp_path / "key"
    assert _run(["-m", "config.secret_key", str(path)]).returncode == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_secret_key(path)


def test_settings_read_the_key_file_unless_the_environment_sets_one(tmp_path):
    path = tmp_path / ".secret_key"
    key = ensure_secret_key(path)
    assert _settings_under({"DJANGO_SECRET_KEY_FILE": str(path)})["key"] == key
    from_env = {"DJANGO_SECRET_KEY_FILE": str(path), "DJANGO_SECRET_KEY": "from-the-environment"}
    assert _settings_under(from_env)["key"] == "from-the-environment"


def test_without_a_key_or_debug_the_settings_refuse_to_start(tmp_path):
    result = _run(
        ["-c", "import config.settings"], DJANGO_SECRET_KEY_FILE=str(tmp_path / "missing")
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


# --- Settings from the environment -----------------------------------------------------------


def test_production_defaults(tmp_path):
    values = _settings_under({"DJANGO_SECRET_KEY": "k"})
    assert values["debug"] is False
    assert values["hsts"] == 0
    assert values["ssl_redirect"] is False
    assert values["secure_cookies"] == [False, False]
    assert values["session_age"] == 8 * 60 * 60
    assert values["save_every"] is True
    assert values["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_https_settings_come_from_the_environment():
    values = _settings_under({**PRODUCTION_ENV, "DJANGO_SESSION_IDLE_MINUTES": "30"})
    assert values["hosts"] == ["billing.example.com"]
    assert values["hsts"] == 31536000
    assert values["hsts_subdomains"] is True
    assert values["hsts_preload"] is True
    assert values["ssl_redirect"] is True
    assert values["secure_cookies"] == [True, True]
    assert values["session_age"] == 30 * 60


def test_development_and_tests_need_no_collectstatic():
    assert _settings_under({"DJANGO_DEBUG": "1"})["static"].endswith(".StaticFilesStorage")
    assert settings.STORAGES["staticfiles"]["BACKEND"].endswith(".StaticFilesStorage")


def test_check_deploy_is_clean_with_the_production_variables():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- Content-Security-Policy -----------------------------------------------------------------


@pytest.mark.django_db
def test_pages_allow_only_our_own_scripts_and_styles(client, billing_client):
    for response in (client.get(reverse("login")), billing_client.get(reverse("customers:list"))):
        policy = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["default-src"] == "'self'"
        assert "unsafe" not in policy


@pytest.mark.django_db
def test_htmx_is_told_not_to_inject_styles_or_evaluate_code(billing_client):
    page = billing_client.get(reverse("customers:list")).content.decode()
    assert '"includeIndicatorStyles": false' in page
    assert '"allowEval": false' in page
    assert " style=" not in page
    assert "<style" not in page


# --- No caching of customer data -------------------------------------------------------------


def _assert_not_stored(response):
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_customer_pages_exports_and_pdfs_are_never_stored(billing_client, ops_client):
    customer = make_customer()
    invoice = make_invoice(customer, 1000, finalize=True)
    _assert_not_stored(billing_client.get(reverse("customers:list")))
    _assert_not_stored(billing_client.get(reverse("customers:detail", args=[customer.public_id])))
    _assert_not_stored(
        billing_client.get(reverse("customers:list"), HTTP_HX_REQUEST="true")  # a fragment
    )
    export = ops_client.get(reverse("customers:export"))
    _assert_not_stored(export)
    b"".join(export.streaming_content)
    _assert_not_stored(billing_client.get(reverse("billing:invoice_pdf", args=[invoice.public_id])))


@pytest.mark.django_db
def test_anonymous_pages_carry_no_customer_data_and_keep_normal_caching(client):
    # The login page is @never_cache of its own; a redirect to it is not marked by us.
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302
    assert "Cache-Control" not in response


# --- Session idle timeout --------------------------------------------------------------------


@pytest.mark.django_db
def test_every_request_pushes_the_session_expiry_back(billing_client):
    from django.contrib.sessions.models import Session

    billing_client.get(reverse("customers:list"))
    session = Session.objects.get()
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
    billing_client.get(reverse("customers:list"))
    session.refresh_from_db()
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert session.expire_date > timezone.now() + idle - timedelta(minutes=1)
