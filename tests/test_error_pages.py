"""Our own pages for 400, 403, 404, 500 and 503, and never Django's debug output: pytest runs
with DEBUG off, as production does."""

from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.db import OperationalError
from django.test import Client
from django.urls import include, path, reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("secret detail that must not reach the page")


def _bad(request):
    raise SuspiciousOperation("tampered")


def _database_down(request):
    raise OperationalError("the database system is shutting down")


# A test-only URLconf: the project's routes and three that fail (@pytest.mark.urls below),
# with the project's handler for uncaught exceptions.
urlpatterns = [
    path("", include("config.urls")),
    path("boom/", _boom),
    path("bad/", _bad),
    path("database-down/", _database_down),
]
handler500 = "core.errors.uncaught_exception"
handler400 = "core.errors.invalid_request"


def _templates(response):
    return [template.name for template in response.templates]


def test_debug_is_off_in_these_tests(settings):
    assert settings.DEBUG is False


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "staff"])
def test_a_missing_page_is_our_404_page(client, billing_user, signed_in):
    if signed_in:
        client.force_login(billing_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in _templates(response)
    page = response.content.decode()
    assert "Page not found" in page and "Back to customers" in page
    # Django's technical 404 lists the URL patterns.
    assert "URLconf" not in page and "admin/" not in page


def test_a_user_without_the_permission_gets_the_403_page():
    client = Client()
    client.force_login(make_user())  # no role, no permissions
    response = client.get(reverse("customers:list"))
    assert response.status_code == 403
    assert "403.html" in _templates(response)
    assert "You don't have access to this" in response.content.decode()


@pytest.mark.urls("tests.test_error_pages")
def test_an_error_is_our_500_page_without_details(billing_client):
    billing_client.raise_request_exception = False
    response = billing_client.get("/boom/")
    assert response.status_code == 500
    assert "500.html" in _templates(response)
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "secret detail" not in page and "Traceback" not in page


@pytest.mark.urls("tests.test_error_pages")
def test_a_database_that_does_not_answer_is_our_503_page(billing_client):
    billing_client.raise_request_exception = False
    response = billing_client.get("/database-down/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "503.html" in _templates(response)
    page = response.content.decode()
    assert "Temporarily unavailable" in page
    assert "shutting down" not in page and "Traceback" not in page


def test_a_session_the_database_cannot_save_is_our_503_page_not_a_400(billing_client):
    """Django reports a failed session save at the end of a request as "the session was
    deleted by a concurrent request" (400), whatever the cause; the database going away
    mid-request (seen in `make loadtest --fault restart-postgres`) is a 503."""
    down = OperationalError("server closed the connection unexpectedly")
    with mock.patch.object(Session, "save", side_effect=down):
        response = billing_client.get(reverse("customers:list"))
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()


@pytest.mark.urls("tests.test_error_pages")
def test_a_suspicious_request_is_our_400_page(billing_client):
    response = billing_client.get("/bad/")
    assert response.status_code == 400
    assert "400.html" in _templates(response)
    assert "tampered" not in response.content.decode()


def test_an_unknown_host_is_our_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "This request could not be understood" in response.content.decode()
    assert "evil.example.com" not in response.content.decode()


def test_a_form_without_its_csrf_token_is_our_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
