"""Idempotency-Key on POST, as Stripe does it: the first answer with a 2xx status is kept
and replayed (status and body) for the same key and parameters; the same key with other
parameters is refused with an idempotency_error. The key's row is inserted in the same
transaction as the work, so a second request with the key waits for the first to commit
(PostgreSQL's unique index; SQLite's write lock) and then replays its answer: concurrent
requests make one object. An answer that is an error rolls back with its work, row
included, and a retry runs again. Kept at least 24 hours (`purge_before`)."""

import hashlib
from collections.abc import Callable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from .errors import ApiError
from .models import ApiKey, IdempotentRequest

MAX_KEY_LENGTH = 255


def fingerprint(request: HttpRequest) -> str:
    """The method, path and parameters (in a canonical order) of a request, hashed."""
    pairs = sorted((name, value) for name, values in request.POST.lists() for value in values)
    text = repr((request.method, request.path, pairs))
    return hashlib.sha256(text.encode()).hexdigest()


def run_once(request: HttpRequest, key: ApiKey, work: Callable[[], HttpResponse]) -> HttpResponse:
    """`work` in a transaction, or the answer an earlier request with this key got."""
    idempotency_key = request.headers.get("Idempotency-Key", "")
    if not idempotency_key:
        with transaction.atomic():
            return work()
    if len(idempotency_key) > MAX_KEY_LENGTH:
        raise ApiError(
            f"Idempotency keys can be at most {MAX_KEY_LENGTH} characters long.",
            code="idempotency_key_too_long",
        )
    sent = fingerprint(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(
                    api_key=key, key=idempotency_key, fingerprint=sent
                )
        except IntegrityError:
            record = None  # an earlier request has it: replayed below, outside this one
        if record is not None:
            response = work()
            record.status, record.body = response.status_code, response.content.decode()
            record.save(update_fields=["status", "body"])
            return response
    earlier = IdempotentRequest.objects.get(api_key=key, key=idempotency_key)
    if earlier.fingerprint != sent:
        raise ApiError(
            "Keys for idempotent requests can only be used with the same parameters they "
            f"were first used with. Try using a key other than '{idempotency_key}' if you "
            "meant to execute a different request.",
            type="idempotency_error",
        )
    response = HttpResponse(earlier.body, status=earlier.status, content_type="application/json")
    response["Idempotent-Replayed"] = "true"
    return response


def purge_before(moment: datetime) -> int:
    """Forget the answers kept from before `moment`; returns how many."""
    deleted, _ = IdempotentRequest.objects.filter(created__lt=moment).delete()
    return deleted
