"""Finalization writes every field it sets: invoice_finalize saves only the fields that
changed, and each way through it (credit taken, paid by credit, too small to collect,
totals recomputed) must leave in the database what it set on the invoice."""

import pytest

from billing.models import Invoice, InvoiceStatus
from billing.services import invoice_create, invoice_finalize
from customers.models import LegalEntity
from customers.services import customer_update
from tests.factories import adjust, make_customer, make_item, make_tax_rate

pytestmark = pytest.mark.django_db


def _values(invoice):
    return {
        field.attname: getattr(invoice, field.attname) for field in Invoice._meta.concrete_fields
    }


def _draft(customer, amount):
    make_item(customer, amount, tax_rates=[make_tax_rate("20")])
    return invoice_create(customer=customer, currency="USD")


def _credit_taken():
    customer = make_customer()
    adjust(customer, -300)
    return _draft(customer, 1000)


def _paid_by_credit():
    customer = make_customer()
    adjust(customer, -5000)
    return _draft(customer, 1000)


def _too_small():
    return _draft(make_customer(), 30)


def _tax_status_changed():
    customer = make_customer()
    draft = _draft(customer, 1000)
    customer_update(customer=customer, fields={"tax_exempt": "exempt"})
    return draft


def _seller_changed():
    customer = make_customer()
    draft = _draft(customer, 1000)
    other = LegalEntity.objects.create(name="Other seller", address_country="FR")
    customer_update(customer=customer, fields={"legal_entity": other})
    return draft


@pytest.mark.parametrize(
    ("draft", "status"),
    [
        (_credit_taken, InvoiceStatus.OPEN),
        (_paid_by_credit, InvoiceStatus.PAID),
        (_too_small, InvoiceStatus.PAID),
        (_tax_status_changed, InvoiceStatus.OPEN),
        (_seller_changed, InvoiceStatus.OPEN),
    ],
)
def test_finalizing_saves_every_field_it_sets(draft, status):
    draft = draft()
    before = _values(Invoice.objects.get(pk=draft.pk))

    finalized = invoice_finalize(invoice=draft)

    assert finalized.status == status
    set_by_finalizing = _values(finalized)
    assert set_by_finalizing != before
    assert _values(Invoice.objects.get(pk=draft.pk)) == set_by_finalizing
