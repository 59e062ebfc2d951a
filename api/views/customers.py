"""/v1/customers: create, retrieve, update, delete, list and search, with the Customers
page's rules: each profile field is cleaned by the Add customer form's field and the model's
validators (customers/field_cleaning.py, as the import does) and saved by the customers
services; a starting balance goes through the ledger's."""

from collections.abc import Collection
from typing import Any, Literal

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery

from billing.models import Coupon
from billing.services import customer_billing_defaults_set
from customers.field_cleaning import NOT_GIVEN, profile_field_cleaner
from customers.forms import CustomerForm
from customers.models import Customer
from customers.services import customer_delete, customer_update
from customers.tax_ids import clean_tax_id_value
from ledger.models import CustomerBalance
from ledger.services import customer_create_with_balance

from .. import errors, search
from ..errors import ApiError
from ..http import Call, from_validation_error, needs, require
from ..lists import list_page
from ..objects.common import timestamp
from ..objects.customers import customer_object, deleted_customer_object
from ..params import Params, invalid_empty

# Our field → Stripe's parameter, for reading and for naming it in an error.
ADDRESS = {f"address_{part}": f"address[{part}]" for part in
           ("line1", "line2", "city", "state", "postal_code", "country")}  # fmt: skip
SHIPPING = {
    "shipping_name": "shipping[name]",
    "shipping_phone": "shipping[phone]",
    **{f"shipping_{part}": f"shipping[address][{part}]" for part in
       ("line1", "line2", "city", "state", "postal_code", "country")},
}  # fmt: skip
TEXT_PARAMS = {
    "name": "name",
    "email": "email",
    "description": "description",
    "phone": "phone",
    "invoice_prefix": "invoice_prefix",
    "tax_exempt": "tax_exempt",
    # Not Stripe's: a customer's currency there comes with its first invoice; ours is set.
    "default_currency": "currency",
    "invoice_footer": "invoice_settings[footer]",
    "invoice_amount_tax_display": "invoice_settings[rendering_options][amount_tax_display]",
}
PARAMS = {
    **TEXT_PARAMS,
    **ADDRESS,
    **SHIPPING,
    "next_invoice_sequence": "next_invoice_sequence",
    "preferred_locales": "preferred_locales",
    "metadata": "metadata",
    "invoice_custom_fields": "invoice_settings[custom_fields]",
}
# Stripe's parameters for payments, which this product doesn't take.
NOT_SUPPORTED = ("payment_method", "source", "cash_balance", "promotion_code", "test_clock",
                 "tax", "invoice_settings[default_payment_method]",
                 "invoice_settings[rendering_options][template]")  # fmt: skip


def with_extras(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    """The customers with their balance in their currency and their coupon, read in the
    same query: a page of 100 is one query, not 200 more."""
    balance = CustomerBalance.objects.filter(
        customer=OuterRef("pk"), currency=OuterRef("default_currency")
    ).values("amount")[:1]
    return customers.select_related("coupon__coupon").annotate(api_balance=Subquery(balance))


def customer_full(customer: Customer, expand: Collection[str] = ()) -> dict[str, Any]:
    """The customer object with what other apps know of it: its balance and coupon
    (read with `with_extras`, or one query each)."""
    if not hasattr(customer, "api_balance"):
        customer = with_extras(Customer.objects.filter(pk=customer.pk)).get()
    balance = getattr(customer, "api_balance", None) or 0
    obj = customer_object(customer, balance=balance, expand=expand)
    try:
        assigned = customer.coupon
    except ObjectDoesNotExist:
        assigned = None
    if assigned is not None:
        # Stripe's discount object; ours has no ID of its own: the customer's stands in.
        obj["discount"] = {
            "id": "di_" + customer.public_id.removeprefix("cus_"),
            "object": "discount",
            "checkout_session": None,
            "customer": customer.public_id,
            "customer_account": None,
            "end": None,
            "invoice": None,
            "invoice_item": None,
            "promotion_code": None,
            "source": {"coupon": assigned.coupon.public_id, "type": "coupon"},
            "start": timestamp(assigned.created),
            "subscription": None,
            "subscription_item": None,
        }
    return obj


def live_customer(public_id: str, param: str = "id") -> Customer:
    """The live customer with this ID, or the resource_missing error (404) naming `param`
    (the URL's id, or a parameter such as `customer`)."""
    customer = Customer.objects.live().filter(public_id=public_id).first()
    if customer is None:
        raise errors.resource_missing("customer", public_id, param=param)
    return customer


def _read_profile(params: Params) -> dict[str, Any]:
    """What the parameters say of the profile, as sent: {"texts": {field: text}, "metadata",
    "custom_fields", "coupon"}. Checked by _clean_profile once every parameter
    has been read."""
    texts = {name: params.string(param) for name, param in TEXT_PARAMS.items()}
    for group, name in ((ADDRESS, "address"), (SHIPPING, "shipping")):
        if params.sent(name) and params.dictionary(name) == "":
            texts.update(dict.fromkeys(group, ""))
        else:
            texts.update({field: params.string(param) for field, param in group.items()})
    # The column's range on PostgreSQL (a positive integer), so both databases agree.
    sequence = params.integer("next_invoice_sequence", min=1, max=2**31 - 1)
    if sequence is not None:
        texts["next_invoice_sequence"] = str(sequence)
    locales = params.strings("preferred_locales")
    if locales is not None:
        texts["preferred_locales"] = ",".join(locales)
    custom = params.list("invoice_settings[custom_fields]")
    return {
        "texts": texts,
        "metadata": params.metadata(),
        "custom_fields": None if custom is None else [
            {"name": item.string("name", required=True),
             "value": item.string("value", required=True)}
            for item in params.items("invoice_settings[custom_fields]")
        ],
        "coupon": params.string("coupon"),
    }  # fmt: skip


def _clean_profile(sent: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """The profile fields the parameters set, cleaned; "" unsets (blank), as in Stripe."""
    if sent["texts"]["email"] == "":  # the form would take it for "not given"
        raise invalid_empty("email")
    form = CustomerForm()
    fields: dict[str, Any] = {}
    for name, text in sent["texts"].items():
        if text is None:
            continue
        try:
            value = profile_field_cleaner(name, form.fields[name])(text)
        except ValidationError as error:
            raise errors.invalid_parameter(PARAMS[name], " ".join(error.messages)) from None
        if value is not NOT_GIVEN:
            fields[name] = value
    if sent["metadata"] == "":  # metadata= clears it all
        fields["metadata"] = {}
    elif sent["metadata"] is not None and creating:
        fields["metadata"] = {key: value for key, value in sent["metadata"].items() if value}
    if sent["custom_fields"] is not None:
        fields["invoice_custom_fields"] = sent["custom_fields"]
    return fields


def _read_tax_ids(params: Params) -> list[tuple[str, str]]:
    return [
        (item.string("type", required=True) or "", item.string("value", required=True) or "")
        for item in params.items("tax_id_data")
    ]


def _clean_tax_ids(sent: list[tuple[str, str]]) -> list[dict[str, str]]:
    rows = []
    for index, (tax_type, value) in enumerate(sent):
        try:
            rows.append({"type": tax_type, "value": clean_tax_id_value(tax_type, value)})
        except ValidationError as error:
            param = f"tax_id_data[{index}][{'type' if error.code == 'invalid_type' else 'value'}]"
            raise errors.invalid_parameter(param, " ".join(error.messages)) from None
    return rows


def _coupon(call: Call, public_id: str | None) -> Coupon | None | Literal[""]:
    """The coupon named; "" to remove the customer's; None: not sent. Setting it needs
    what the customer's billing defaults need on the page."""
    if public_id is not None:
        require(call, "billing.add_invoice")
    if not public_id:
        return public_id
    coupon = Coupon.objects.filter(public_id=public_id).first()
    if coupon is None:
        raise errors.resource_missing("coupon", public_id, param="coupon")
    return coupon


@needs("customers.add_customer")
def create(call: Call) -> dict[str, Any]:
    params = call.params
    params.refuse(NOT_SUPPORTED, errors.not_supported)
    sent = _read_profile(params)
    sent_tax_ids = _read_tax_ids(params)
    balance = params.integer("balance")
    expand = params.expand()
    params.check_all_read()
    fields = _clean_profile(sent, creating=True)
    for name in ("name", "email"):
        if not fields.get(name):
            message = CustomerForm().fields[name].error_messages["required"]
            raise ApiError(str(message), param=name, code="parameter_missing")
    tax_ids = _clean_tax_ids(sent_tax_ids)
    coupon = _coupon(call, sent["coupon"])
    if balance and not fields.get("default_currency"):
        raise errors.invalid_parameter(
            "balance", "A balance is in one currency: set currency too (for example eur)."
        )
    try:
        with transaction.atomic():
            customer = customer_create_with_balance(
                fields=fields,
                tax_ids=tax_ids,
                opening_amount=balance or None,
                opening_currency=fields.get("default_currency", ""),
                created_by=call.actor,
            )
            if coupon:
                customer_billing_defaults_set(customer=customer, tax_rates=[], coupon=coupon)
    except ValidationError as error:
        raise from_validation_error(error, PARAMS) from None
    return customer_full(customer, expand)


@needs("customers.view_customer")
def retrieve(call: Call, id: str) -> dict[str, Any]:
    expand = call.params.expand()
    call.params.check_all_read()
    customer = Customer.objects.filter(public_id=id).first()
    if customer is None:
        raise errors.resource_missing("customer", id)
    if customer.is_deleted:
        return deleted_customer_object(customer)
    return customer_full(customer, expand)


@needs("customers.change_customer")
def update(call: Call, id: str) -> dict[str, Any]:
    params = call.params
    params.refuse(NOT_SUPPORTED, errors.not_supported)
    params.refuse(["balance"], _balance_is_a_transaction)
    sent = _read_profile(params)
    expand = params.expand()
    params.check_all_read()
    customer = live_customer(id)
    fields = _clean_profile(sent, creating=False)
    coupon = _coupon(call, sent["coupon"])
    try:
        with transaction.atomic():
            changes = sent["metadata"] or None  # merged under the row's lock
            customer = customer_update(customer=customer, fields=fields, metadata_changes=changes)
            if coupon is not None:
                rates = customer.default_tax_rates.all()
                customer_billing_defaults_set(
                    customer=customer, tax_rates=rates, coupon=coupon or None
                )
    except ValidationError as error:
        raise from_validation_error(error, PARAMS) from None
    return customer_full(customer, expand)


def _balance_is_a_transaction(param: str) -> ApiError:
    return errors.invalid_parameter(
        param,
        "A customer's balance changes through its balance transactions: POST "
        "/v1/customers/{id}/balance_transactions with amount and currency.",
    )


@needs("customers.delete_customer")
def delete(call: Call, id: str) -> dict[str, Any]:
    call.params.check_all_read()
    customer = live_customer(id)
    customer_delete(customer=customer, deleted_by=call.actor)
    return deleted_customer_object(customer)


@needs("customers.view_customer")
def list_(call: Call) -> dict[str, Any]:
    params = call.params
    customers = with_extras(Customer.objects.live())
    email = params.string("email")
    if email:
        customers = customers.filter(email_key=email.casefold())
    created = params.timestamp_filter("created")
    customers = customers.filter(**created_lookups(created or {}))
    expand = [path.removeprefix("data.") for path in params.expand()]
    return list_page(params, customers, url="/v1/customers", kind="customer",
                     to_object=lambda customer: customer_full(customer, expand))  # fmt: skip


def created_lookups(created: dict[str, int]) -> dict[str, Any]:
    """Queryset lookups for a `created` filter ({"gte": seconds, …}; "eq" for created=N),
    in whole seconds as search's `created` clauses."""
    operators = {"eq": ":", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
    lookups: dict[str, Any] = {}
    for operator, seconds in created.items():
        lookups.update(search.created_range(operators[operator], seconds))
    return lookups


@needs("customers.view_customer")
def search_(call: Call) -> dict[str, Any]:
    return search_page(call.params)


def search_page(params: Params) -> dict[str, Any]:
    """Stripe's search_result: `page` is an opaque token for the next page (here the ID
    of the last customer shown), `next_page` null on the last page."""
    query = params.string("query", required=True) or ""
    limit = params.integer("limit", min=1, max=100) or 10
    page = params.string("page")
    expand = [path.removeprefix("data.") for path in params.expand()]
    params.check_all_read()
    customers = with_extras(search.customers_matching(query))
    if page:
        last = Customer.objects.filter(public_id=page).values("created", "pk").first()
        if last is None:
            raise errors.invalid_parameter("page", f"Invalid page token: {page}")
        customers = customers.filter(
            Q(created__lt=last["created"]) | Q(created=last["created"], pk__lt=last["pk"])
        )
    found = list(customers[: limit + 1])
    has_more = len(found) > limit
    found = found[:limit]
    return {
        "object": "search_result",
        "data": [customer_full(customer, expand) for customer in found],
        "has_more": has_more,
        "next_page": found[-1].public_id if has_more else None,
        "url": "/v1/customers/search",
    }
