"""Every page but the login page needs a signed-in user, and every /v1/ address an API
key; each app's routes live in its own urls.py."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

PUBLIC = {"login"}
# Answers anyone, 200 or 503, with no customer data (core/health.py).
PROBES = {"healthz"}


def _patterns(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def _concrete(route):
    """A URL for a route, with each converter filled with a plausible value."""
    import re

    route = route.replace("^", "").replace("$", "").replace("\\Z", "")
    route = re.sub(r"<(?:int:|path:)?[^>]*>", "1", route)
    route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", route)
    route = re.sub(r"[()?*+\\]", "", route)
    return "/" + route


ROUTES = sorted(set(_patterns(get_resolver())), key=lambda item: item[0])


def test_the_walk_covers_the_customers_pages():
    names = {name for _route, name in ROUTES}
    assert {"list", "customer_add", "detail", "edit", "delete", "bulk_delete", "export"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name"), ROUTES)
def test_every_url_requires_sign_in(client, route, name):
    url = _concrete(route)
    response = client.get(url)
    if name in PUBLIC:
        assert response.status_code == 200
        return
    if name in PROBES:
        assert response.status_code in (200, 503)
        return
    if route.startswith("v1/"):  # the API: no session, a key (api/http.py)
        assert response.status_code == 401, url
        assert response.json()["error"]["type"] == "invalid_request_error"
        return
    # Admin pages send people to the admin login; everything else to ours.
    assert response.status_code in (301, 302), url
    location = response.headers["Location"]
    if response.status_code == 301:  # slash appended; follow once
        response = client.get(location)
        location = response.headers.get("Location", "")
        assert response.status_code == 302, url
    assert "/login/" in location, (url, location)


def test_each_app_urls_is_included_once():
    included = [p.app_name for p in get_resolver().url_patterns if isinstance(p, URLResolver)]
    apps = [name for name in included if name != "admin"]
    assert sorted(apps) == ["activity", "api", "billing", "customers", "ledger"]


def test_the_ledger_spells_its_routes_under_a_customer_itself():
    """config/urls.py adds no prefix: ledger/urls.py holds the whole path."""
    ledger = next(p for p in get_resolver().url_patterns if getattr(p, "app_name", "") == "ledger")
    assert str(ledger.pattern) == ""
    assert reverse("ledger:credit_balance", args=["cus_1"]) == "/customers/cus_1/balance/"
    assert reverse("ledger:adjust", args=["cus_1"]) == "/customers/cus_1/balance/adjust/"
    assert reverse("ledger:export", args=["cus_1"]) == "/customers/cus_1/balance/export/"
    assert (
        reverse("ledger:reverse", args=["cus_1", "txn_1"])
        == "/customers/cus_1/balance/txn_1/reverse/"
    )
    assert reverse("ledger:edit", args=["cus_1", "txn_1"]) == "/customers/cus_1/balance/txn_1/edit/"


def test_add_customer_is_the_ledgers_and_keeps_its_path():
    """It writes a customer and its starting balance, so it lives above both; config/urls.py
    includes the ledger first so that customers' <id>/ does not take "new"."""
    from django.urls import resolve

    from ledger.views import customer_add

    assert reverse("ledger:customer_add") == "/customers/new/"
    assert resolve("/customers/new/").func is customer_add
