"""Create invoice from the Invoices page: which customer gets the draft."""

import pytest
from django.core.exceptions import ValidationError

from billing.services import invoice_create_for_reference
from customers.models import Customer
from customers.services import customer_delete
from tests.factories import make_customer, make_item

pytestmark = pytest.mark.django_db


def test_a_customer_named_by_id_or_email_gets_the_draft():
    customer = make_customer(email="ap@acme.example")
    make_item(customer, 1000)
    for reference in (customer.public_id, " AP@acme.example "):
        invoice = invoice_create_for_reference(reference=reference, new_customer={}, currency="USD")
        assert invoice.customer == customer


def test_a_deleted_customer_is_not_found():
    customer = make_customer(email="gone@example.com")
    customer_delete(customer=customer, deleted_by=None)
    with pytest.raises(ValidationError, match="No customer has"):
        invoice_create_for_reference(reference=customer.public_id, new_customer={})


def test_a_reference_and_a_new_customer_are_refused_and_nothing_is_created():
    customer = make_customer()
    count = Customer.objects.count()
    with pytest.raises(ValidationError, match="not both"):
        invoice_create_for_reference(reference=customer.public_id, new_customer={"name": "New"})
    assert Customer.objects.count() == count
