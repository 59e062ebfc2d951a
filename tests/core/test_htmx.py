"""The view chores' helpers: one answer each, with htmx and without."""

import json

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from core.htmx import add_service_error, done, export_refused, go_to, refuse, render_form_dialog

HTMX = {"HTTP_HX_REQUEST": "true"}


def _request(method="post", **headers):
    request = getattr(RequestFactory(), method)("/somewhere/", **headers)
    request.htmx = HtmxDetails(request)
    request._messages = CookieStorage(request)
    return request


def _messages(request):
    return [str(message) for message in get_messages(request)]


def test_done_with_htmx_closes_the_dialog_and_names_what_changed():
    response = done(_request(**HTMX), "Saved.", "/back/", event="thingChanged")
    triggers = json.loads(response["HX-Trigger"])
    assert response.status_code == 204
    assert {"closeDialog", "thingChanged"} <= set(triggers)
    assert triggers["showMessage"]["text"] == "Saved."


def test_done_without_an_event_reloads_the_page_with_the_message():
    request = _request(**HTMX)
    response = done(request, "Saved.", "/back/")
    assert response["HX-Refresh"] == "true" and _messages(request) == ["Saved."]


def test_done_without_htmx_redirects_with_the_message():
    request = _request()
    response = done(request, "Saved.", "/back/", event="thingChanged")
    assert response.status_code == 302 and response["Location"] == "/back/"
    assert _messages(request) == ["Saved."]


def test_go_to_navigates_with_htmx_and_redirects_without():
    assert go_to(_request(**HTMX), "/there/")["HX-Redirect"] == "/there/"
    assert go_to(_request(), "/there/")["Location"] == "/there/"


def test_refuse_shows_the_reason_and_changes_nothing():
    error = ValidationError("Not now.")
    response = refuse(_request(**HTMX), error, "/back/")
    assert response.status_code == 204 and "Not now." in response["HX-Trigger"]
    request = _request()
    assert refuse(request, error, "/back/")["Location"] == "/back/"
    assert _messages(request) == ["Not now."]


@pytest.mark.parametrize(("method", "status"), [("get", 200), ("post", 422)])
def test_a_form_dialog_is_422_when_a_post_comes_back(method, status):
    response = render_form_dialog(_request(method, **HTMX), "_dialog.html", {})
    assert response.status_code == status


def test_an_export_refusal_is_400_with_the_reason():
    response = export_refused(_request("get"))
    assert response.status_code == 400
    assert "Fix the filters before exporting." in response.content.decode()


@pytest.mark.django_db
def test_the_csrf_cookie_is_http_only_as_htmx_reads_the_token_from_the_page(
    settings, billing_client
):
    # htmx sends the token from <body hx-headers>, so no script needs the cookie.
    assert settings.CSRF_COOKIE_HTTPONLY is True
    response = billing_client.get("/customers/")
    cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert "HttpOnly" in cookie.output()
    assert 'hx-headers=\'{"x-csrftoken": "' in response.content.decode()


class _AmountForm(forms.Form):
    amount = forms.CharField()


def test_a_service_error_naming_a_field_goes_beside_it_and_the_rest_to_the_top():
    form = _AmountForm({"amount": "5"})
    assert form.is_valid()
    error = ValidationError({"amount": "Too much.", "currency": "No such currency.",
                             "__all__": "Not now."})  # fmt: skip
    add_service_error(form, error)
    assert form.errors["amount"] == ["Too much."]
    assert form.non_field_errors() == ["No such currency.", "Not now."]
    assert form["amount"].value() == "5"  # the input kept


def test_a_service_error_without_fields_goes_to_the_top():
    form = _AmountForm({"amount": "5"})
    assert form.is_valid()
    add_service_error(form, ValidationError(["One.", "Two."]))
    assert form.non_field_errors() == ["One.", "Two."] and "amount" not in form.errors
