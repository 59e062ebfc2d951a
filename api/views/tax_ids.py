"""/v1/customers/{id}/tax_ids: create, retrieve, delete and list a customer's tax IDs,
checked as the Customers page checks them (customers.tax_ids via TaxId.clean) and
written by the customers services."""

from typing import Any

from django.core.exceptions import ValidationError

from customers.models import Customer, TaxId
from customers.services import tax_id_add, tax_id_delete

from .. import errors
from ..http import Call, from_validation_error, needs
from ..lists import page_of, read_page
from ..objects.customers import tax_id_object
from .customers import live_customer

PARAMS = {"type": "type", "value": "value"}


def _tax_id(customer: Customer, public_id: str) -> TaxId:
    tax_id = customer.tax_ids.filter(public_id=public_id).first()
    if tax_id is None:
        raise errors.resource_missing("tax_id", public_id)
    return tax_id


@needs("customers.change_customer")
def create(call: Call, id: str) -> dict[str, Any]:
    params = call.params
    tax_type = params.string("type", required=True) or ""
    value = params.string("value", required=True) or ""
    params.expand()  # nothing of a tax ID expands here yet; accepted as Stripe's SDKs send it
    params.check_all_read()
    customer = live_customer(id)
    try:
        tax_id = tax_id_add(customer=customer, type=tax_type, value=value)
    except ValidationError as error:
        raise from_validation_error(error, PARAMS) from None
    return tax_id_object(tax_id, customer)


@needs("customers.view_customer")
def retrieve(call: Call, id: str, tax_id: str) -> dict[str, Any]:
    call.params.expand()
    call.params.check_all_read()
    customer = live_customer(id)
    return tax_id_object(_tax_id(customer, tax_id), customer)


@needs("customers.change_customer")
def delete(call: Call, id: str, tax_id: str) -> dict[str, Any]:
    call.params.check_all_read()
    customer = live_customer(id)
    found = _tax_id(customer, tax_id)
    tax_id_delete(tax_id=found)
    return {"id": found.public_id, "object": "tax_id", "deleted": True}


@needs("customers.view_customer")
def list_(call: Call, id: str) -> dict[str, Any]:
    call.params.expand()
    asked = read_page(call.params)
    call.params.check_all_read()
    customer = live_customer(id)
    return page_of(
        asked,
        customer.tax_ids.all(),
        url=f"/v1/customers/{customer.public_id}/tax_ids",
        kind="tax_id",
        to_object=lambda tax_id: tax_id_object(tax_id, customer),
    )
