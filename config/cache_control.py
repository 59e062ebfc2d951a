"""Responses to a signed-in user are never stored by a browser or a proxy.

Every page, fragment, export and PDF a signed-in user gets can hold customer data, and a
shared computer's cache or back button would keep it after sign-out. Static files never get
here (WhiteNoise answers them earlier, with their long cache), nor do anonymous pages.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.user.is_authenticated:
            # What @never_cache sends: no-store, and no-cache/max-age=0 for older caches.
            add_never_cache_headers(response)
        return response
