"""How a /v1/ request is served: the key (Bearer, or Basic with the key as user name), the
rate limit, the permission of the view for its method, the parameters, a transaction and
Idempotency-Key for writes, and every error in Stripe's shape."""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from activity.context import acting
from activity.kinds import Source

from . import idempotency, sql
from .errors import ApiError
from .keys import KEY_PREFIX, api_key_find
from .models import ApiKey
from .params import Params, decode_request

View = Callable[..., dict[str, Any] | HttpResponse]


@dataclass
class Call:
    """What a view gets: the request, its key and its parameters."""

    request: HttpRequest
    key: ApiKey
    params: Params

    @property
    def actor(self):
        return self.key.actor


def needs(permission: str) -> Callable[[View], View]:
    """The permission (`app.codename`) the key must have for this view."""

    def mark(view: View) -> View:
        view.permission = permission  # type: ignore[attr-defined]
        return view

    return mark


def endpoint(**views: View) -> Callable[..., HttpResponse]:
    """One URL's views by method: endpoint(GET=customers.list_, POST=customers.create)."""

    @csrf_exempt
    @login_not_required
    def serve(request: HttpRequest, **kwargs: str) -> HttpResponse:
        try:
            # As Stripe: without a valid key, every address answers 401, known or not.
            key = authenticate(request)
            # The access log and the money log name whoever acts: the key's own account.
            request.user = key.actor
            _count(key)
            view = views.get(request.method or "")
            if view is None:
                raise unrecognized(request)
            permission = view.permission  # type: ignore[attr-defined]
            if permission:  # "": any key will do
                _check_permission(key, permission)
            call = Call(request, key, Params(decode_request(request)))
            if request.method == "GET":
                return _respond(view(call, **kwargs))
            with acting(Source.API, user=key.actor, name=f"API key {key}"):
                return idempotency.run_once(request, key, lambda: _respond(view(call, **kwargs)))
        except ApiError as error:
            return error.response()

    serve.views = views  # type: ignore[attr-defined]  # for the OpenAPI document
    return serve


def _respond(obj: dict[str, Any] | HttpResponse) -> HttpResponse:
    """A view's object as JSON; a view that answers with a file (a PDF) returns it as is."""
    if isinstance(obj, HttpResponse):
        return obj
    return HttpResponse(json.dumps(obj), content_type="application/json")


def unrecognized(request: HttpRequest) -> ApiError:
    return ApiError(f"Unrecognized request URL ({request.method}: {request.path}).", status=404)


@csrf_exempt
@login_not_required
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under /v1/: Stripe's answer, in JSON, not our HTML 404 page."""
    try:
        authenticate(request)
    except ApiError as error:
        return error.response()
    return unrecognized(request).response()


def authenticate(request: HttpRequest) -> ApiKey:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    secret = credentials.strip()
    if scheme.lower() == "basic":  # curl -u sk_test_…: sends "sk_test_…:" in base64
        try:
            secret = base64.b64decode(secret, validate=True).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            secret = ""
    elif scheme.lower() != "bearer":
        secret = ""
    if not secret:
        raise ApiError(
            "You did not provide an API key. Provide it in the Authorization header, as "
            "Bearer auth (Authorization: Bearer sk_test_…) or Basic auth with the key as "
            "user name (curl -u sk_test_…:).",
            status=401,
        )
    key = api_key_find(secret)
    if key is None:
        # As Stripe: the last four characters only, after our prefix if it was ours.
        start = KEY_PREFIX if secret.startswith(KEY_PREFIX) else ""
        shown = start + "****" + (secret[-4:] if len(secret) >= len(start) + 12 else "")
        raise ApiError(f"Invalid API Key provided: {shown}", status=401)
    return key


def _count(key: ApiKey) -> None:
    """The rate limit: requests per second per key (API_RATE_LIMIT). Counted outside the
    request's transaction, so one key's writes don't queue on its own row."""
    if sql.count_request(key.pk, timezone.now()) > settings.API_RATE_LIMIT:
        raise ApiError(
            f"Too many requests with this key: at most {settings.API_RATE_LIMIT} a second. "
            "Wait a moment and retry.",
            code="rate_limit",
            status=429,
            headers={"Retry-After": "1"},
        )


def from_validation_error(error: ValidationError, params: dict[str, str]) -> ApiError:
    """The first message of a service's or form's ValidationError, naming the parameter
    (`params` maps field names to parameter names, like address_city → address[city])."""
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        message = errors[0].messages[0] if errors else str(error)
        param = params.get(field, field) if field != "__all__" else None
        return ApiError(message, param=param, code="parameter_invalid" if param else None)
    return ApiError(error.messages[0])


def require(call: Call, permission: str) -> None:
    """A permission a request needs beyond its view's `@needs` (what it touches or
    expands), refused as the view's own would be."""
    _check_permission(call.key, permission)


def _check_permission(key: ApiKey, permission: str) -> None:
    if not key.has_perm(permission):
        raise ApiError(
            f"The provided key '{key.redacted}' does not have the permissions this "
            f"request needs ({permission}).",
            status=403,
        )
