from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse

from .context import acting
from .kinds import Source


class ActorMiddleware:
    """Changes made while serving a page are the signed-in user's, from the page or the
    admin. After AuthenticationMiddleware; the API sets its key's own actor inside."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.admin_prefix = ""

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not self.admin_prefix:
            self.admin_prefix = reverse("admin:index")
        source = Source.ADMIN if request.path.startswith(self.admin_prefix) else Source.PAGE
        with acting(source, user=request.user):
            return self.get_response(request)
