"""/v1/invoiceitems: create, retrieve, update, delete and list invoice items, through the
same billing services as the customer page's Billing section (item_add, item_update,
item_delete): a pending item, or a line of a draft of its customer and currency."""

from collections.abc import Collection
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from billing.models import Invoice, InvoiceItem
from billing.services.items import item_add, item_delete, item_update
from customers.models import Customer

from .. import errors
from ..errors import ApiError
from ..http import Call, from_validation_error, needs, require
from ..lists import page_of, read_page
from ..objects.items import deleted_invoiceitem_object, invoiceitem_object
from ..params import Params
from . import customers
from .tax_rates import check_expand, find_tax_rates, not_kept, read_expand, tax_rate_ids

# Prices, subscriptions, periods and discounts are Stripe's, not ours.
NOT_KEPT = ("metadata", "price", "price_data", "pricing", "period", "discounts", "subscription",
            "unit_amount_decimal", "quantity_decimal")  # fmt: skip
EXPANDABLE = ("customer",)


def _params(amount_param: str) -> dict[str, str]:
    """Our field → parameter; the unit amount is `amount` when the item was sent as one."""
    return {name: name for name in ("description", "quantity", "currency", "tax_rates",
                                    "discountable")} | {"unit_amount": amount_param}  # fmt: skip


def _object(item: InvoiceItem, expand: Collection[str] = ()) -> dict[str, Any]:
    obj = invoiceitem_object(item)
    if "customer" in expand:
        obj["customer"] = customers.customer_full(item.customer)
    return obj


class Amounts(NamedTuple):
    unit_amount: int | None
    quantity: int | None
    param: str  # the parameter naming the amount
    refusal: ApiError | None  # raised once every parameter is read


def _amounts(params: Params) -> Amounts:
    """`amount` is one unit's worth (quantity 1), `unit_amount` goes with `quantity`."""
    amount = params.integer("amount")
    unit_amount = params.integer("unit_amount")
    quantity = params.integer("quantity")
    if amount is not None and unit_amount is not None:
        refusal = ApiError(
            "You may only specify one of these parameters: amount, unit_amount.",
            param="unit_amount",
        )
        return Amounts(None, None, "amount", refusal)
    if amount is not None:
        if quantity is not None:
            refusal = errors.invalid_parameter(
                "quantity", "amount is the item's whole amount: send unit_amount with quantity."
            )
            return Amounts(None, None, "amount", refusal)
        return Amounts(amount, 1, "amount", None)
    return Amounts(unit_amount, quantity, "unit_amount", None)


def _check(*refusals: ApiError | None) -> None:
    """After check_all_read: the first refusal found while reading."""
    for refusal in refusals:
        if refusal is not None:
            raise refusal


def _on_draft(call: Call, invoice: Invoice | None) -> None:
    """A line of a draft is a change to the draft: the page's rule (line_add)."""
    if invoice is not None and invoice.is_draft:
        require(call, "billing.change_invoice")


def _item(public_id: str) -> InvoiceItem:
    item = (
        InvoiceItem.objects.select_related("customer", "invoice")
        .filter(public_id=public_id)
        .first()
    )
    if item is None:
        raise errors.resource_missing("invoiceitem", public_id)
    return item


@needs("billing.add_invoiceitem")
def create(call: Call) -> dict[str, Any]:
    params = call.params
    params.refuse(NOT_KEPT, not_kept)
    customer_id = params.string("customer", required=True) or ""
    unit_amount, quantity, amount_param, amounts_refusal = _amounts(params)
    currency = (params.string("currency") or "").upper()
    description = params.string("description")
    rate_ids, rates_refusal = tax_rate_ids(params)
    discountable = params.boolean("discountable")
    invoice_id = params.string("invoice")
    expand, expand_refusal = read_expand(params, EXPANDABLE, "data.")
    params.check_all_read()
    _check(amounts_refusal, rates_refusal)
    check_expand(call, expand, expand_refusal)
    if unit_amount is None:
        raise ApiError(
            "Missing required param: amount (or unit_amount with quantity).",
            param="amount",
            code="parameter_missing",
        )
    if not description:
        raise errors.missing_parameter("description")  # every line here says what it is
    customer = customers.live_customer(customer_id, param="customer")
    invoice = None
    if invoice_id:
        invoice = Invoice.objects.filter(public_id=invoice_id).first()
        if invoice is None:
            raise errors.resource_missing("invoice", invoice_id, param="invoice")
    _on_draft(call, invoice)
    currency = currency or (invoice.currency if invoice else customer.default_currency)
    if not currency:
        raise errors.missing_parameter("currency")  # the customer has no currency of its own
    try:
        item = item_add(
            customer=customer,
            description=description,
            unit_amount=unit_amount or 0,
            quantity=1 if quantity is None else quantity,
            currency=currency,
            tax_rates=find_tax_rates(rate_ids or []),
            discountable=True if discountable is None else discountable,
            invoice=invoice,
        )
    except ValidationError as error:
        raise from_validation_error(error, _params(amount_param)) from None
    return _object(_item(item.public_id), expand)


@needs("billing.view_invoiceitem")
def retrieve(call: Call, id: str) -> dict[str, Any]:
    expand, refusal = read_expand(call.params, EXPANDABLE, "data.")
    call.params.check_all_read()
    check_expand(call, expand, refusal)
    return _object(_item(id), expand)


# No role has billing.change_invoiceitem: whoever may add items may change them.
@needs("billing.add_invoiceitem")
def update(call: Call, id: str) -> dict[str, Any]:
    params = call.params
    params.refuse(NOT_KEPT, not_kept)
    unit_amount, quantity, amount_param, amounts_refusal = _amounts(params)
    description = params.string("description")
    rate_ids, rates_refusal = tax_rate_ids(params)
    discountable = params.boolean("discountable")
    expand, expand_refusal = read_expand(params, EXPANDABLE, "data.")
    params.check_all_read()
    if description == "":
        raise errors.invalid_parameter("description", "An item's description cannot be unset.")
    _check(amounts_refusal, rates_refusal)
    check_expand(call, expand, expand_refusal)
    item = _item(id)
    _on_draft(call, item.invoice)
    try:
        item_update(
            item=item,
            description=description,
            unit_amount=unit_amount,
            quantity=quantity,
            tax_rates=None if rate_ids is None else find_tax_rates(rate_ids),
            discountable=discountable,
        )
    except ValidationError as error:
        raise from_validation_error(error, _params(amount_param)) from None
    return _object(_item(id), expand)


@needs("billing.delete_invoiceitem")
def delete(call: Call, id: str) -> dict[str, Any]:
    call.params.check_all_read()
    item = _item(id)
    _on_draft(call, item.invoice)
    try:
        item_delete(item=item)
    except ValidationError as error:
        raise from_validation_error(error, {}) from None
    return deleted_invoiceitem_object(item.public_id)


@needs("billing.view_invoiceitem")
def list_(call: Call) -> dict[str, Any]:
    params = call.params
    items = InvoiceItem.objects.select_related("invoice").prefetch_related("tax_rates")
    customer_id = params.string("customer")
    if customer_id:
        items = items.filter(customer__public_id=customer_id)
    invoice_id = params.string("invoice")
    if invoice_id:
        items = items.filter(invoice__public_id=invoice_id)
    pending = params.boolean("pending")
    if pending is not None:
        items = items.filter(invoice__isnull=pending)
    expand, refusal = read_expand(params, EXPANDABLE, "data.")
    asked = read_page(params)
    params.check_all_read()
    check_expand(call, expand, refusal)
    if "customer" in expand:  # with their balances and coupons, in one query
        customers_read = customers.with_extras(Customer.objects.all())
        items = items.prefetch_related(Prefetch("customer", customers_read))
    else:
        items = items.select_related("customer")
    return page_of(asked, items, url="/v1/invoiceitems", kind="invoiceitem",
                   to_object=lambda item: _object(item, expand))  # fmt: skip
