"""/v1/invoices/{id}/finalize, /pay, /void, /mark_uncollectible and /send: the services
the invoice page's buttons call (billing/views/invoice_actions.py, billing/views/emails.py)."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

from billing import services
from billing.emails import EmailRefused
from billing.models import Invoice
from billing.services.emails import email_invoice

from .. import errors
from ..errors import ApiError
from ..http import Call, from_validation_error, needs
from .invoices import PARAMS, invoice_or_404, read_auto_advance, read_expand_invoice, to_object
from .tax_rates import check_expand

# Stripe's ways to collect a payment: this server takes none.
PAYMENT_PARAMS = ("forgive", "mandate", "off_session", "payment_method", "source")


def _run(
    call: Call, id: str, service: Callable[..., Invoice], refusal: ApiError | None = None
) -> dict[str, Any]:
    """After the view has read its own parameters: `expand`, then `refusal` if the view
    found one, then the service."""
    expand, expand_refusal = read_expand_invoice(call.params)
    call.params.check_all_read()
    if refusal is not None:
        raise refusal
    check_expand(call, expand, expand_refusal)
    invoice = invoice_or_404(id)
    try:
        service(invoice=invoice)
    except ValidationError as error:
        raise from_validation_error(error, PARAMS) from None
    return to_object(call, invoice_or_404(id), expand)


@needs("billing.change_invoice")
def finalize(call: Call, id: str) -> dict[str, Any]:
    return _run(call, id, services.invoice_finalize, read_auto_advance(call.params))


@needs("billing.change_invoice")
def pay(call: Call, id: str) -> dict[str, Any]:
    """Only a payment received outside (paid_out_of_band=true): there are no payments."""
    params = call.params
    params.refuse(PAYMENT_PARAMS, errors.not_supported)
    refusal = None
    if params.boolean("paid_out_of_band") is not True:
        refusal = ApiError(
            "Send paid_out_of_band=true: this server records payments received outside it "
            "and takes none itself.",
            param="paid_out_of_band",
            code="parameter_not_supported",
        )
    return _run(call, id, services.invoice_mark_paid, refusal)


@needs("billing.change_invoice")
def void(call: Call, id: str) -> dict[str, Any]:
    return _run(call, id, services.invoice_void)


@needs("billing.change_invoice")
def mark_uncollectible(call: Call, id: str) -> dict[str, Any]:
    return _run(call, id, services.invoice_mark_uncollectible)


@needs("billing.send_invoice")
def send(call: Call, id: str) -> dict[str, Any]:
    """Stripe's "send an invoice for manual payment": the email the invoice page's Send
    invoice queues, to the customer's recipients; the worker sends it."""

    def queue_email(*, invoice: Invoice) -> Invoice:
        try:
            email_invoice(invoice=invoice, user=call.actor)
        except EmailRefused as refusal:
            raise ApiError(str(refusal), code="invoice_not_sendable") from None
        return invoice

    return _run(call, id, queue_email)
