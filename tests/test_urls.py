"""Every page but the login page needs a signed-in user."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {"login"}


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
    assert {"list", "add", "detail", "edit", "delete", "bulk_delete", "export"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name"), ROUTES)
def test_every_url_requires_sign_in(client, route, name):
    url = _concrete(route)
    response = client.get(url)
    if name in PUBLIC:
        assert response.status_code == 200
        return
    # Admin pages send people to the admin login; everything else to ours.
    assert response.status_code in (301, 302), url
    location = response.headers["Location"]
    if response.status_code == 301:  # slash appended; follow once
        response = client.get(location)
        location = response.headers.get("Location", "")
        assert response.status_code == 302, url
    assert "/login/" in location, (url, location)
