"""/v1/credit_notes: create, preview, retrieve, list, void, lines and PDF, through the
credit note services the invoice page's dialog uses (billing/services/credit_notes.py) with
their rules: an open or paid invoice; lines of the invoice or a flat amount; the part beyond
what is still owed split into credit, refund and out of band, which must add up."""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse

from billing import pdf
from billing.models import CreditNote, CreditNoteLine, CreditNoteReason, Invoice, InvoiceItem
from billing.services.credit_notes import CreditedLine, credit_note_issue, credit_note_void
from customers.models import Customer
from ledger.models import BalanceTransaction

from .. import errors
from ..errors import ApiError
from ..http import Call, from_validation_error, needs
from ..lists import page_of, read_page
from ..objects.common import list_object
from ..objects.credit_notes import credit_note_line_object, credit_note_object
from ..objects.invoices import first_lines, invoice_object
from ..objects.ledger import balance_transaction_object, with_links
from ..params import Params
from .customers import customer_full as customer_full_object
from .customers import with_extras
from .tax_rates import check_expand, read_expand

AMOUNTS = ("amount", "credit_amount", "refund_amount", "out_of_band_amount")
EXPANDABLE = ("customer", "invoice", "customer_balance_transaction")
NOT_SUPPORTED = ("refund", "refunds", "shipping_cost")  # payments and shipping: none here
NOT_KEPT = ("metadata", "effective_at", "email_type")  # credit notes here have none of these
LINE_NOT_SUPPORTED = ("quantity", "unit_amount", "unit_amount_decimal", "description",
                      "tax_rates", "tax_amounts", "metadata")  # fmt: skip


@dataclass
class Request:
    """A create or preview request as read, before any database work."""

    invoice: str
    lines: list[tuple[str, int]] | None  # (ii_… ID, amount) per line
    fields: dict[str, Any]  # reason, memo and the amounts, as credit_note_issue takes them
    expand: list[str]
    refusal: ApiError | None  # a value refused, raised once every parameter is read


def _not_kept(param: str) -> ApiError:
    return ApiError(
        f"The parameter {param} is not supported by this server: its credit notes don't keep it.",
        param=param,
        code="parameter_not_supported",
    )


def _read_request(params: Params) -> Request:
    params.refuse(NOT_SUPPORTED, errors.not_supported)
    params.refuse(NOT_KEPT, _not_kept)
    invoice = params.string("invoice", required=True) or ""
    fields: dict[str, Any] = {
        "reason": params.choice("reason", CreditNoteReason.values) or "",
        "memo": params.string("memo", max_length=5000) or "",
    }
    for name in AMOUNTS:  # none is negative: the service's constraints would not say which
        fields[name] = params.integer(name, min=0)
    fields.update({name: fields[name] or 0 for name in AMOUNTS[1:]})
    lines, refusal = _read_lines(params)
    expand, expand_refusal = _expand(params)
    return Request(invoice, lines, fields, expand, refusal or expand_refusal)


def _read_lines(params: Params) -> tuple[list[tuple[str, int]] | None, ApiError | None]:
    """Lines of the invoice, each credited by an amount: what credit_note_issue takes;
    and the refusal of a custom line."""
    lines: list[tuple[str, int]] = []
    refusal: ApiError | None = None
    for index, item in enumerate(params.items("lines")):
        kind = item.choice("type", ("invoice_line_item", "custom_line_item"), required=True)
        if kind == "custom_line_item":
            _read_custom_line(item)
            refusal = refusal or errors.invalid_parameter(
                f"lines[{index}][type]",
                "Custom lines are not supported by this server: credit lines of the invoice "
                "(type=invoice_line_item), or a flat amount with `amount` instead of `lines`.",
                "parameter_not_supported",
            )
            continue
        item.refuse(LINE_NOT_SUPPORTED, _line_not_supported)
        line_id = item.string("invoice_line_item", required=True) or ""
        lines.append((line_id, item.integer("amount", required=True) or 0))
    return lines or None, refusal  # none sent ("" too): a flat amount


def _read_custom_line(item: Params) -> None:
    """Stripe's fields of a custom line, read only to refuse the line itself rather
    than each of them."""
    item.string("description")
    item.integer("quantity")
    item.integer("unit_amount")
    item.string("unit_amount_decimal")
    item.strings("tax_rates")
    item.items("tax_amounts")
    item.metadata()
    item.integer("amount")
    item.string("invoice_line_item")


def _line_not_supported(param: str) -> ApiError:
    return errors.invalid_parameter(
        param,
        f"The parameter {param} is not supported by this server: an invoice line is credited "
        "by an amount (its invoice_line_item and amount).",
        "parameter_not_supported",
    )


def _expand(params: Params, prefix: str = "") -> tuple[list[str], ApiError | None]:
    """The expandable paths asked for; a list's are under `data.` (data.customer)."""
    return read_expand(params, EXPANDABLE, prefix)


def _issue(call: Call, request: Request) -> tuple[CreditNote, list[CreditNoteLine]]:
    """Issue the requested credit note (in the caller's transaction)."""
    invoice = Invoice.objects.select_related("customer").filter(public_id=request.invoice).first()
    if invoice is None:
        raise errors.resource_missing("invoice", request.invoice, param="invoice")
    lines: list[CreditedLine] | None = None
    if request.lines is not None:
        lines = []
        for index, (line_id, amount) in enumerate(request.lines):
            item = InvoiceItem.objects.filter(public_id=line_id).first()
            if item is None:
                param = f"lines[{index}][invoice_line_item]"
                raise errors.resource_missing("invoice line item", line_id, param=param)
            lines.append({"invoice_line": item, "amount": amount})
    # The service names the credited amount `amount` for lines too.
    names = {name: name for name in AMOUNTS} | {"amount": "lines" if lines else "amount"}
    try:
        note = credit_note_issue(
            invoice=invoice, lines=lines, created_by=call.actor, **request.fields
        )
    except ValidationError as error:
        raise from_validation_error(error, names) from None
    return note, list(note.lines.all())


@needs("billing.add_creditnote")
def create(call: Call) -> dict[str, Any]:
    request = _read_request(call.params)
    call.params.check_all_read()
    check_expand(call, request.expand, request.refusal)
    note, lines = _issue(call, request)
    return _object(call, note, lines, request.expand)


# Like create: it runs the service, locks and all; who may only view may not.
@needs("billing.add_creditnote")
def preview(call: Call) -> dict[str, Any]:
    """The credit note a create would issue, written nowhere: the service issues it in a
    transaction rolled back once its object is built. Its number would be taken again by
    the next note (numbers count the invoice's notes); its ID is a cnprv_… one."""
    request = _read_request(call.params)
    call.params.check_all_read()
    check_expand(call, request.expand, request.refusal)
    with transaction.atomic():
        note, lines = _issue(call, request)
        obj = _object(call, note, lines, request.expand, preview=True)
        transaction.set_rollback(True)
    return obj


def _object(
    call: Call,
    note: CreditNote,
    lines: list[CreditNoteLine],
    expand: Collection[str] = (),
    *,
    preview: bool = False,
) -> dict[str, Any]:
    pdf_url = None
    if not preview:
        pdf_url = call.request.build_absolute_uri(f"/v1/credit_notes/{note.public_id}/pdf")
    obj = credit_note_object(note, lines=lines, pdf_url=pdf_url)
    if preview:
        obj["id"] = "cnprv_" + note.public_id.removeprefix("cn_")
        obj["customer_balance_transaction"] = None  # rolled back with the note
    if "customer" in expand:
        obj["customer"] = customer_full_object(note.invoice.customer)
    if "invoice" in expand:
        invoice = note.invoice
        pdf_url = call.request.build_absolute_uri(f"/v1/invoices/{invoice.public_id}/pdf")
        obj["invoice"] = invoice_object(invoice, pdf_url=pdf_url)
    posted = note.balance_transaction
    if "customer_balance_transaction" in expand and posted and not preview:
        if not hasattr(posted, "invoice_public_id"):  # not read by _notes(expand)
            posted = with_links(BalanceTransaction.objects.filter(pk=posted.pk)).get()
        obj["customer_balance_transaction"] = balance_transaction_object(posted)
    return obj


def _notes(expand: Collection[str] = ()) -> QuerySet[CreditNote]:
    """The notes with what their objects show, and what `expand` asks for, read in a few
    queries however many notes there are."""
    notes = CreditNote.objects.prefetch_related("lines__invoice_line")
    if "customer" in expand:
        customers = with_extras(Customer.objects.all())
        notes = notes.select_related("invoice").prefetch_related(
            Prefetch("invoice__customer", customers)
        )
    else:
        notes = notes.select_related("invoice__customer")
    if "invoice" in expand:
        notes = notes.select_related("invoice__coupon", "invoice__applied_balance_transaction")
        notes = notes.prefetch_related(first_lines("invoice__lines"))
    if "customer_balance_transaction" in expand:
        posted = with_links(BalanceTransaction.objects.all())
        return notes.prefetch_related(Prefetch("balance_transaction", posted))
    return notes.select_related("balance_transaction")


def _note(id: str) -> CreditNote:
    note = _notes().filter(public_id=id).first()
    if note is None:
        raise errors.resource_missing("credit_note", id)
    return note


@needs("billing.view_creditnote")
def retrieve(call: Call, id: str) -> dict[str, Any]:
    expand, refusal = _expand(call.params)
    call.params.check_all_read()
    check_expand(call, expand, refusal)
    note = _note(id)
    return _object(call, note, list(note.lines.all()), expand)


@needs("billing.view_creditnote")
def list_(call: Call) -> dict[str, Any]:
    params = call.params
    expand, refusal = _expand(params, prefix="data.")
    notes = _notes(expand)
    # Unknown IDs find nothing: an empty list, as for Stripe's list filters.
    if invoice := params.string("invoice"):
        notes = notes.filter(invoice__public_id=invoice)
    if customer := params.string("customer"):
        notes = notes.filter(invoice__customer__public_id=customer)
    asked = read_page(params)
    params.check_all_read()
    check_expand(call, expand, refusal)
    return page_of(
        asked,
        notes,
        url="/v1/credit_notes",
        kind="credit_note",
        to_object=lambda note: _object(call, note, list(note.lines.all()), expand),
    )


@needs("billing.view_creditnote")
def lines(call: Call, id: str) -> dict[str, Any]:
    """Every line in one page: a credit note has as many as its invoice at most."""
    call.params.check_all_read()
    note = _note(id)
    data = (credit_note_line_object(note, line, i) for i, line in enumerate(note.lines.all()))
    return list_object(f"/v1/credit_notes/{id}/lines", data, False)


@needs("billing.change_creditnote")
def void(call: Call, id: str) -> dict[str, Any]:
    expand, refusal = _expand(call.params)
    call.params.check_all_read()
    check_expand(call, expand, refusal)
    note = _note(id)
    try:
        note = credit_note_void(credit_note=note, created_by=call.actor)
    except ValidationError as error:
        raise from_validation_error(error, {}) from None
    note = _note(id)  # with its lines and links read again
    return _object(call, note, list(note.lines.all()), expand)


@needs("billing.view_creditnote")
def pdf_(call: Call, id: str) -> HttpResponse:
    """The PDF the credit note's page offers, in the customer's language."""
    call.params.check_all_read()
    note = _note(id)
    response = HttpResponse(pdf.credit_note_pdf(note), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{note.number}.pdf"'
    return response
