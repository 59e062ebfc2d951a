"""Who moved money: one line on the "money" logger per money action, written only once the
action's transaction commits, so that a rolled-back action logs nothing."""

import logging
from contextvars import ContextVar

from django.db import transaction
from django.http import HttpRequest

logger = logging.getLogger("money")

# The request being served, set by core.middleware.RequestLog: some money actions
# (finalizing, voiding an invoice) take no user, and their line must still say who did
# them. None outside a request (the worker, a management command).
current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)


def request_user_id(request: HttpRequest | None) -> int | None:
    """The id of the request's signed-in user; None when nobody (or no request)."""
    user = getattr(request, "user", None)  # set by AuthenticationMiddleware
    return user.pk if user is not None and user.is_authenticated else None


def log_money_action(
    action: str,
    *,
    customer: str,
    object_id: str,
    amount: int,
    currency: str,
    user_id: int | None = None,
) -> None:
    """Log `action` ("invoice.finalize") on the object `object_id` of the customer
    `customer` (public IDs), for `amount` minor units of `currency`, by `user_id` (by
    default the request's user) after the current transaction commits."""
    fields = {
        "action": action,
        "user_id": user_id if user_id is not None else request_user_id(current_request.get()),
        "customer": customer,
        "object": object_id,
        "amount": amount,
        "currency": currency,
    }
    message = " ".join(f"{key}={value}" for key, value in fields.items())
    transaction.on_commit(lambda: logger.info(message, extra=fields))
