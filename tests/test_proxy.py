"""Behind an HTTPS proxy: the settings it needs come from the environment, form POSTs pass
the CSRF origin check, and sign-in failures are counted by the real client's address."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import make_user

PROXY_ENV = (
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "DJANGO_SECURE_PROXY_SSL_HEADER",
    "DJANGO_TRUSTED_PROXY_COUNT",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_FAILURE_LIMIT_PER_USER",
    "LOGIN_FAILURE_LIMIT_PER_ADDRESS",
    "LOGIN_LOCKOUT_MINUTES",
)


def _settings_under(env):
    """The settings module as a fresh process with `env` reads it."""
    code = (
        "import json, config.settings as s; print(json.dumps({"
        "'origins': s.CSRF_TRUSTED_ORIGINS, 'ssl_header': s.SECURE_PROXY_SSL_HEADER,"
        "'proxies': s.TRUSTED_PROXY_COUNT, 'limit': s.AXES_FAILURE_LIMIT,"
        "'per_user': s.LOGIN_FAILURE_LIMITS[('username',)],"
        "'per_address': s.LOGIN_FAILURE_LIMITS[('ip_address',)],"
        "'minutes': s.AXES_COOLOFF_TIME.total_seconds() / 60}))"
    )
    base = {key: value for key, value in os.environ.items() if key not in PROXY_ENV}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DJANGO_DEBUG": "1", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_proxy_settings_are_off_by_default():
    assert _settings_under({}) == {
        "origins": [],
        "ssl_header": None,
        "proxies": 0,
        "limit": 5,
        "per_user": 20,
        "per_address": 50,
        "minutes": 15,
    }


def test_the_proxy_settings_come_from_the_environment():
    env = {
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://billing.example.com, https://*.example.org",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "1",
        "DJANGO_TRUSTED_PROXY_COUNT": "2",
        "LOGIN_FAILURE_LIMIT": "8",
        "LOGIN_FAILURE_LIMIT_PER_USER": "30",
        "LOGIN_FAILURE_LIMIT_PER_ADDRESS": "100",
        "LOGIN_LOCKOUT_MINUTES": "30",
    }
    assert _settings_under(env) == {
        "origins": ["https://billing.example.com", "https://*.example.org"],
        "ssl_header": ["HTTP_X_FORWARDED_PROTO", "https"],
        "proxies": 2,
        "limit": 8,
        "per_user": 30,
        "per_address": 100,
        "minutes": 30,
    }


def _post_through_the_proxy(host):
    """Sign in as a browser on https://billing.example.com does through a proxy that
    terminates HTTPS and forwards `host` over plain HTTP."""
    user = make_user("Support")
    client = Client(enforce_csrf_checks=True)
    headers = {"host": host, "x-forwarded-proto": "https"}
    client.get(reverse("login"), headers=headers)
    token = client.cookies["csrftoken"].value
    data = {"username": user.username, "password": "pw-for-tests-only"}
    return client.post(
        reverse("login"),
        {**data, "csrfmiddlewaretoken": token},
        headers={**headers, "origin": "https://billing.example.com"},
    )


@pytest.mark.django_db
def test_without_the_proxy_settings_a_form_post_is_refused(settings, caplog):
    settings.ALLOWED_HOSTS = ["billing.example.com"]
    assert _post_through_the_proxy("billing.example.com").status_code == 403
    assert "Origin checking failed" in caplog.text


@pytest.mark.django_db
def test_with_the_ssl_header_a_form_post_is_accepted(settings):
    settings.ALLOWED_HOSTS = ["billing.example.com"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert _post_through_the_proxy("billing.example.com").status_code == 302


@pytest.mark.django_db
def test_with_trusted_origins_a_proxy_that_rewrites_the_host_is_accepted(settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://billing.example.com"]
    assert _post_through_the_proxy("127.0.0.1:8000").status_code == 302


PROXY = "10.0.0.2"


def _fail_through_the_proxy(client, username, forwarded_for, times=5):
    for _ in range(times):
        response = client.post(
            reverse("login"),
            {"username": username, "password": "wrong"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )
    return response


@pytest.mark.django_db
def test_behind_the_proxy_failures_count_by_the_client_address(client, settings):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXY_COUNT = 1
    user = make_user("Support")
    # The client's own X-Forwarded-For entry (left) is not trusted; the proxy's (right) is.
    assert _fail_through_the_proxy(client, user.username, "1.2.3.4, 203.0.113.7").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    response = _fail_through_the_proxy(client, user.username, "198.51.100.9", times=1)
    assert response.status_code == 200  # another client behind the same proxy


@pytest.mark.django_db
def test_without_a_proxy_count_x_forwarded_for_is_ignored(client):
    from axes.models import AccessAttempt

    user = make_user("Support")
    _fail_through_the_proxy(client, user.username, "203.0.113.7", times=1)
    assert AccessAttempt.objects.get().ip_address == PROXY


@pytest.mark.django_db
def test_a_malformed_forwarded_address_falls_back_to_the_peer(client, settings):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXY_COUNT = 1
    user = make_user("Support")
    _fail_through_the_proxy(client, user.username, "not-an-address", times=1)
    assert AccessAttempt.objects.get().ip_address == PROXY
