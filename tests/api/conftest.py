"""An API client: Django's test client sending form-encoded parameters (a list of pairs or
a dict, as the SDKs encode them) with a key of a role."""

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from api.keys import api_key_create


class Api:
    def __init__(self, secret: str) -> None:
        self.client = Client()
        self.secret = secret

    def request(self, method, path, params=(), *, secret=None, **headers):
        if secret is None:
            secret = self.secret
        if secret:
            headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {secret}")
        body = urlencode(list(params.items()) if isinstance(params, dict) else list(params))
        if method == "POST":
            return self.client.post(
                path, body, content_type="application/x-www-form-urlencoded", **headers
            )
        return self.client.generic(method, f"{path}?{body}" if body else path, **headers)

    def get(self, path, params=(), **headers):
        return self.request("GET", path, params, **headers)

    def post(self, path, params=(), **headers):
        return self.request("POST", path, params, **headers)

    def delete(self, path, params=(), **headers):
        return self.request("DELETE", path, params, **headers)


def make_key(role="Billing staff", name="Test key"):
    return api_key_create(name=name, role=Group.objects.get(name=role))


@pytest.fixture
def api(db):
    """Acting as Billing staff."""
    return Api(make_key()[1])


@pytest.fixture
def support_api(db):
    return Api(make_key("Support")[1])
