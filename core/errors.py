"""The handlers for uncaught exceptions and bad requests (`handler500`, `handler400` in
config/urls.py). A database that does not answer (PostgreSQL restarting, SQLite's disk full
or its lock held past the busy timeout) is not a bug in the page: it gets the 503 page, with
Retry-After, instead of the 500 page. Either way the traceback goes to the log
(django.request), never to the user."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import bad_request, server_error

# OperationalError: the connection failed or was lost, or the database refused the work
# (locked, full, shutting down); InterfaceError: the connection was already closed.
UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def _unavailable() -> HttpResponse:
    # Rendered like Django's 500 page: no request, no context processors, no database.
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@requires_csrf_token
def uncaught_exception(request: HttpRequest) -> HttpResponse:
    # Django calls the handler inside its `except`, so the exception is still at hand.
    if isinstance(sys.exc_info()[1], UNAVAILABLE):
        return _unavailable()
    return server_error(request)


@requires_csrf_token
def invalid_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    # A session that can't be saved at the end of a request is reported as "deleted by a
    # concurrent request" (SessionInterrupted, a 400) even when the database was the cause.
    cause: BaseException | None = exception
    while cause is not None:
        if isinstance(cause, UNAVAILABLE):
            return _unavailable()
        cause = cause.__cause__ or cause.__context__
    return bad_request(request, exception)
