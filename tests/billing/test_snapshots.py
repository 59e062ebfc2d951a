"""What an issued document keeps of its customer (billing/snapshots.py) is a choice made
field by field: a new customer field fails here until it is in the snapshot or below."""

import copy

import pytest

from billing.snapshots import customer_snapshot
from customers.models import PROFILE_FIELDS, Customer
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

# Profile fields an issued document does not keep, and why.
NOT_IN_THE_SNAPSHOT = {
    "description": "staff's notes, never printed",
    "default_currency": "the invoice has its own currency",
    "payment_terms_days": "the invoice has its own due date",
    "invoice_prefix": "the invoice number holds it",
    "next_invoice_sequence": "the invoice number holds it",
    "invoice_footer": "copied onto the invoice when it is created",
    "legal_entity": "the seller's own snapshot",
    "metadata": "internal data, never printed",
}


def _changed(value, field):
    if field.choices:
        return next(choice for choice, _ in field.choices if choice != value)
    if isinstance(value, list):
        return [*value, "probe"]
    if isinstance(value, dict):
        return {**value, "probe": "1"}
    if isinstance(value, int):
        return value + 1
    return value + "probe"


def test_the_snapshot_keeps_every_profile_field_not_left_out_on_purpose():
    customer = make_customer(name="Ada", address_country="GB", shipping_name="Ada")
    snapshot = customer_snapshot(customer)
    kept = set()
    for name in set(PROFILE_FIELDS) - {"legal_entity"}:
        changed = copy.copy(customer)
        field = Customer._meta.get_field(name)
        setattr(changed, name, _changed(getattr(customer, name), field))
        if customer_snapshot(changed) != snapshot:
            kept.add(name)
    assert kept == set(PROFILE_FIELDS) - set(NOT_IN_THE_SNAPSHOT)
