"""Finalize, mark paid, void, mark uncollectible, delete draft: each has its own URL,
view and permission, and one confirmation dialog that posts to the service deciding."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from core.forms import validation_messages
from core.htmx import done, go_to, render_form_dialog

from .. import services
from ..models import Invoice
from .shared import invoice_or_404

CHANGE_INVOICE = "billing.change_invoice"
DELETE_INVOICE = "billing.delete_invoice"


@dataclass(frozen=True)
class InvoiceAction:
    """What an action on an invoice does, asks and says."""

    name: str  # the dialog styles void and delete as dangerous
    service: Callable[..., Invoice | None]  # None: the invoice is gone (deleted)
    title: str
    explanation: str
    done: str


FINALIZE = InvoiceAction(
    "finalize", services.invoice_finalize, "Finalize invoice",
    "Finalizing numbers the invoice, freezes it and applies the customer's credit balance "
    "in its currency. It cannot be edited afterwards.",
    "Invoice {number} finalized.",
)  # fmt: skip
MARK_PAID = InvoiceAction(
    "pay", services.invoice_mark_paid, "Mark as paid",
    "Record that the customer paid the amount remaining outside the app.",
    "Invoice {number} marked as paid.",
)  # fmt: skip
VOID = InvoiceAction(
    "void", services.invoice_void, "Void invoice",
    "Voiding cancels the invoice for good; credit it took from the balance goes back.",
    "Invoice {number} voided.",
)  # fmt: skip
MARK_UNCOLLECTIBLE = InvoiceAction(
    "uncollectible", services.invoice_mark_uncollectible, "Mark as uncollectible",
    "Record that you don't expect this invoice to be paid. It can still be paid or voided "
    "later.",
    "Invoice {number} marked as uncollectible.",
)  # fmt: skip
DELETE_DRAFT = InvoiceAction(
    "delete", services.invoice_delete, "Delete draft",
    "The draft is deleted; its lines go back to the customer's pending items.",
    "Draft deleted.",
)  # fmt: skip


@permission_required(CHANGE_INVOICE, raise_exception=True)
def invoice_finalize(request: HttpRequest, public_id: str) -> HttpResponse:
    return _confirm(request, public_id, FINALIZE)


@permission_required(CHANGE_INVOICE, raise_exception=True)
def invoice_mark_paid(request: HttpRequest, public_id: str) -> HttpResponse:
    return _confirm(request, public_id, MARK_PAID)


@permission_required(CHANGE_INVOICE, raise_exception=True)
def invoice_void(request: HttpRequest, public_id: str) -> HttpResponse:
    return _confirm(request, public_id, VOID)


@permission_required(CHANGE_INVOICE, raise_exception=True)
def invoice_mark_uncollectible(request: HttpRequest, public_id: str) -> HttpResponse:
    return _confirm(request, public_id, MARK_UNCOLLECTIBLE)


@permission_required(DELETE_INVOICE, raise_exception=True)
def invoice_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    return _confirm(request, public_id, DELETE_DRAFT)


def _confirm(request: HttpRequest, public_id: str, action: InvoiceAction) -> HttpResponse:
    """GET asks in a dialog; POST runs the service, or shows why it refused."""
    invoice = invoice_or_404(public_id)
    errors = []
    if request.method == "POST":
        try:
            result = action.service(invoice=invoice)
        except ValidationError as error:
            errors = validation_messages(error)
        else:
            if result is None:  # the draft is gone: back to its customer
                return go_to(request, invoice.customer)
            message = action.done.format(number=result.number)
            return done(request, message, result, event="invoiceChanged")
    context = {"invoice": invoice, "action_name": action.name, "title": action.title,
               "explanation": action.explanation, "errors": errors}  # fmt: skip
    return render_form_dialog(request, "billing/_invoice_action_dialog.html", context)
