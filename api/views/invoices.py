"""/v1/invoices: create, retrieve, update, delete, list, the lines and the PDF, with the
Invoices page's services (billing.services). Finalize, pay, void and mark uncollectible
are in invoice_actions.py."""

from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch, QuerySet
from django.http import HttpResponse

from billing import pdf, selectors, services
from billing.models import Coupon, Invoice, InvoiceStatus
from core.pagination import paginate
from customers.models import Customer

from .. import errors
from ..errors import ApiError
from ..http import Call, from_validation_error, needs
from ..lists import DEFAULT_LIMIT, MAX_LIMIT, page_of, read_page
from ..objects.common import list_object
from ..objects.invoices import deleted_invoice_object, first_lines, invoice_object, line_item_object
from ..params import Params
from .customers import created_lookups, live_customer, with_extras
from .customers import customer_full as customer_api_object
from .tax_rates import check_expand, read_expand

# Our field → Stripe's parameter, for naming it in an error.
PARAMS = {
    "memo": "description",
    "footer": "footer",
    "days_until_due": "days_until_due",
    "currency": "currency",
    "coupon": "discounts",
}
# Stripe's parameters for what this product has not: payments, subscriptions, Connect.
NOT_SUPPORTED = ("account_tax_ids", "application_fee_amount", "automatic_tax", "custom_fields",
                 "default_payment_method", "default_source", "default_tax_rates", "due_date",
                 "effective_at", "from_invoice", "issuer", "metadata", "number", "on_behalf_of",
                 "payment_settings", "rendering", "shipping_cost", "shipping_details",
                 "statement_descriptor", "subscription", "transfer_data")  # fmt: skip
MAX_TEXT = 5000  # the model's memo and footer
EXPANDABLE = ("customer", "discounts")


def _not_supported(param: str) -> ApiError:
    return errors.invalid_parameter(
        param, f"The parameter {param} is not supported by this server.", "parameter_not_supported"
    )


def invoice_or_404(public_id: str) -> Invoice:
    invoices = Invoice.objects.select_related("applied_balance_transaction")
    try:
        return selectors.invoice_detail(invoices, public_id)
    except Invoice.DoesNotExist:
        raise errors.resource_missing("invoice", public_id) from None


def to_object(call: Call, invoice: Invoice, expand: Collection[str] = ()) -> dict[str, Any]:
    pdf_url = call.request.build_absolute_uri(f"/v1/invoices/{invoice.public_id}/pdf")
    customer = customer_api_object(invoice.customer) if "customer" in expand else None
    return invoice_object(
        invoice, pdf_url=pdf_url, customer=customer, discounts_expanded="discounts" in expand
    )


def read_expand_invoice(params: Params, prefix: str = "") -> tuple[list[str], ApiError | None]:
    return read_expand(params, EXPANDABLE, prefix)


def read_auto_advance(params: Params) -> ApiError | None:
    """Nothing here finalizes or collects on its own: the refusal of auto_advance=true,
    for the view to raise once every parameter is read."""
    if not params.boolean("auto_advance"):
        return None
    return errors.invalid_parameter(
        "auto_advance",
        "Invoices are never finalized automatically here: send auto_advance=false or "
        "omit it, and finalize with POST /v1/invoices/{id}/finalize.",
    )


def _read_terms(params: Params) -> tuple[dict[str, Any], ApiError | None]:
    """The terms create and update share, as the services name them (absent: not sent),
    and the first value refused, for the view to raise once every parameter is read."""
    params.refuse(NOT_SUPPORTED, _not_supported)
    refusals = [read_auto_advance(params)]
    method = params.choice("collection_method", ("send_invoice", "charge_automatically"))
    if method == "charge_automatically":
        refusals.append(errors.not_supported("collection_method"))
    terms: dict[str, Any] = {}
    for field, param in (("memo", "description"), ("footer", "footer")):
        text = params.string(param, max_length=MAX_TEXT)
        if text is not None:
            terms[field] = text
    days = params.integer("days_until_due", min=0, max=365)
    if days is not None:
        terms["days_until_due"] = days
    coupon, refusal = _read_coupon(params)
    if coupon is not None:
        terms["coupon"] = coupon
    refusals.append(refusal)
    return terms, next((refusal for refusal in refusals if refusal is not None), None)


def _read_coupon(params: Params) -> tuple[tuple[str, str] | None, ApiError | None]:
    """Our invoice has one coupon: `discounts[0][coupon]` (or the older `coupon`); `""` for
    discounts (or coupon) removes it. The coupon's ID and the parameter naming it (None:
    not sent), and the refusal of more than one."""
    public_id, param = params.string("coupon"), "coupon"
    sent = params.sent("discounts")
    discounts = params.items("discounts")  # "" (unset) reads as []
    for index, item in enumerate(discounts):
        item.refuse(["discount", "promotion_code"], _not_supported)
        coupon = item.string("coupon", required=True)
        if index == 0:
            public_id, param = coupon, "discounts[0][coupon]"
    if sent and not discounts:
        public_id, param = "", "discounts"
    refusal = None
    if len(discounts) > 1:
        refusal = errors.invalid_parameter("discounts", "An invoice here takes one coupon.")
    return None if public_id is None else (public_id, param), refusal


def _find_coupon(terms: dict[str, Any]) -> None:
    """Once every parameter is read: the coupon the terms name (None: remove it)."""
    if "coupon" not in terms:
        return
    public_id, param = terms["coupon"]
    coupon = Coupon.objects.filter(public_id=public_id).first() if public_id else None
    if public_id and coupon is None:
        raise errors.resource_missing("coupon", public_id, param=param)
    terms["coupon"] = coupon


@needs("billing.add_invoice")
def create(call: Call) -> dict[str, Any]:
    params = call.params
    customer_id = params.string("customer", required=True) or ""
    currency = params.string("currency")
    behavior = params.choice("pending_invoice_items_behavior", ("include", "exclude"))
    terms, refusal = _read_terms(params)
    expand, expand_refusal = read_expand_invoice(params)
    params.check_all_read()
    if refusal is not None:
        raise refusal
    check_expand(call, expand, expand_refusal)
    customer = live_customer(customer_id, param="customer")
    _find_coupon(terms)
    coupon = terms.pop("coupon", False)
    try:
        invoice = services.invoice_create(
            customer=customer,
            currency=currency.upper() if currency else None,
            created_by=call.actor,
            include_pending=behavior != "exclude",
            **terms,
        )
        if coupon is not False:  # chosen over the customer's own, as on the draft's page
            invoice = services.invoice_update(invoice=invoice, coupon=coupon)
    except ValidationError as error:
        raise from_validation_error(error, PARAMS) from None
    return to_object(call, invoice, expand)


@needs("billing.view_invoice")
def retrieve(call: Call, id: str) -> dict[str, Any]:
    expand, refusal = read_expand_invoice(call.params)
    call.params.check_all_read()
    check_expand(call, expand, refusal)
    return to_object(call, invoice_or_404(id), expand)


@needs("billing.change_invoice")
def update(call: Call, id: str) -> dict[str, Any]:
    params = call.params
    terms, refusal = _read_terms(params)
    expand, expand_refusal = read_expand_invoice(params)
    params.check_all_read()
    if refusal is not None:
        raise refusal
    check_expand(call, expand, expand_refusal)
    invoice = invoice_or_404(id)
    _find_coupon(terms)
    try:
        # Only the terms sent: the others stay as they are under the service's lock.
        invoice = services.invoice_update(invoice=invoice, **terms)
    except ValidationError as error:
        raise from_validation_error(error, PARAMS) from None
    return to_object(call, invoice_or_404(id), expand)


@needs("billing.delete_invoice")
def delete(call: Call, id: str) -> dict[str, Any]:
    call.params.check_all_read()
    invoice = invoice_or_404(id)
    try:
        services.invoice_delete(invoice=invoice)
    except ValidationError as error:
        raise from_validation_error(error, PARAMS) from None
    return deleted_invoice_object(id)


@needs("billing.view_invoice")
def list_(call: Call) -> dict[str, Any]:
    params = call.params
    invoices: QuerySet[Invoice] = Invoice.objects.select_related(
        "coupon", "applied_balance_transaction"
    ).prefetch_related(first_lines())
    customer = params.string("customer")
    if customer:
        invoices = invoices.filter(customer__public_id=customer)
    status = params.choice("status", InvoiceStatus.values)
    if status:
        invoices = invoices.filter(status=status)
    params.refuse(["subscription"], _not_supported)
    invoices = invoices.filter(**created_lookups(params.timestamp_filter("created") or {}))
    expand, refusal = read_expand_invoice(params, "data.")
    asked = read_page(params)
    params.check_all_read()
    check_expand(call, expand, refusal)
    if "customer" in expand:  # with their balances and coupons, in one query
        customers = with_extras(Customer.objects.select_related("legal_entity"))
        invoices = invoices.prefetch_related(Prefetch("customer", customers))
    else:
        invoices = invoices.select_related("customer__legal_entity")
    return page_of(asked, invoices, url="/v1/invoices", kind="invoice",
                   to_object=lambda invoice: to_object(call, invoice, expand))  # fmt: skip


@needs("billing.view_invoice")
def lines(call: Call, id: str) -> dict[str, Any]:
    """The invoice's lines in its order (oldest first), paged by their `ii_` IDs."""
    params = call.params
    limit = params.integer("limit", min=1, max=MAX_LIMIT) or DEFAULT_LIMIT
    after, before = params.string("starting_after"), params.string("ending_before")
    params.check_all_read()
    invoice = invoice_or_404(id)
    if after and before:
        raise ApiError(
            "You may only specify one of these parameters: starting_after, ending_before.",
            param="ending_before",
        )
    for name, cursor in (("starting_after", after), ("ending_before", before)):
        if cursor and not invoice.lines.filter(public_id=cursor).exists():
            raise errors.resource_missing("line_item", cursor, param=name)
    page = paginate(invoice.lines.all(), order=(F("created"), False), after=after or None,
                    before=before or None, size=limit)  # fmt: skip
    has_more = page.previous_before is not None if before else page.next_after is not None
    data = (line_item_object(line, invoice) for line in page.items)
    return list_object(f"/v1/invoices/{id}/lines", data, has_more)


@needs("billing.view_invoice")
def pdf_(call: Call, id: str) -> HttpResponse:
    """The invoice's PDF, as the Invoices page renders it."""
    call.params.check_all_read()
    invoice = invoice_or_404(id)
    response = HttpResponse(pdf.invoice_pdf(invoice), content_type="application/pdf")
    name = invoice.number or f"draft-{invoice.public_id}"
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response
