"""The access log: one line per request on the "access" logger."""

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from .money_log import current_request, request_user_id

logger = logging.getLogger("access")


class RequestLog:
    """Logs each request's method, path, status, duration and user id. First in
    MIDDLEWARE, so the duration covers every other middleware too. The path only: a query
    string may hold what staff searched for (names, email addresses)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.monotonic()
        token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
            "user_id": request_user_id(request),
        }
        logger.info(" ".join(f"{key}={value}" for key, value in fields.items()), extra=fields)
        return response
