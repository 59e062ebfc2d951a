"""Create invoice from the Invoices page: the customer is one named by ID, account
email or name, or one added in the same dialog; choosing between them is a billing rule."""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from customers.models import Customer
from customers.services import customer_create

from ..customer_lookup import customer_to_invoice, names_one_by_reference
from ..models import Invoice
from .invoices import invoice_create


def invoice_create_for_reference(
    *,
    reference: str,
    new_customer: dict[str, Any],
    created_by: User | None = None,
    **terms: Any,
) -> Invoice:
    """A draft for the live customer `reference` names (ID, account email or name), or for a
    customer created from `new_customer` (its profile fields), not both. No new customer
    without its invoice. `terms` are invoice_create's."""
    with transaction.atomic():
        customer = _customer_to_invoice(reference.strip(), new_customer)
        return invoice_create(customer=customer, created_by=created_by, **terms)


def _customer_to_invoice(reference: str, new_customer: dict[str, Any]) -> Customer:
    if new_customer.get("name") or new_customer.get("email"):
        if reference:
            raise ValidationError("Choose an existing customer or add a new one, not both.")
        return customer_create(fields=new_customer)
    if not reference:
        raise ValidationError("Choose a customer (its name, ID or account email) or add a new one.")
    match = customer_to_invoice(reference)
    if match.one is not None:
        return match.one
    if len(match.customers) > 1:
        raise ValidationError(f"Several customers match “{reference}”: choose one from the list.")
    if match.customers:
        raise ValidationError(
            f"“{reference}” is no customer's name, ID or email: choose one from the list."
        )
    if names_one_by_reference(reference):
        raise ValidationError(f"No customer has the ID or email “{reference}”.")
    raise ValidationError(f"No customer has the name, ID or email “{reference}”.")
