"""Create invoice from the Invoices page: the customer is one named by ID or account
email, or one added in the same dialog; choosing between them is a billing rule."""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from customers.models import Customer
from customers.selectors import customers_by_reference
from customers.services import customer_create

from ..models import Invoice
from .invoices import invoice_create


def invoice_create_for_reference(
    *,
    reference: str,
    new_customer: dict[str, Any],
    created_by: User | None = None,
    **terms: Any,
) -> Invoice:
    """A draft for the live customer `reference` names (ID or account email), or for a
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
        raise ValidationError("Choose a customer (its ID or account email) or add a new one.")
    matches = list(customers_by_reference(reference, Customer.objects.live())[:2])
    if len(matches) != 1:
        problem = "Several customers have" if matches else "No customer has"
        raise ValidationError(f"{problem} the ID or email “{reference}”.")
    return matches[0]
