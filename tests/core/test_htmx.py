"""The view chores' helpers: one answer each, with htmx and without."""

import json

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from core.htmx import done, export_refused, go_to, refuse, render_form_dialog

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
