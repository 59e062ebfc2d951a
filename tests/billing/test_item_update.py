"""billing.services.items.item_update: a pending item or a draft's line changes with the
rules item_add applies; a finalized line never does."""

import pytest
from django.core.exceptions import ValidationError

from billing.services.items import item_update
from customers.services import customer_delete
from tests.factories import make_customer, make_invoice, make_item, make_tax_rate

pytestmark = pytest.mark.django_db


def test_only_the_fields_given_change():
    rate = make_tax_rate("20")
    item = make_item(make_customer(), 1000, quantity=3, tax_rates=[rate])
    updated = item_update(item=item, quantity=2)
    assert (updated.unit_amount, updated.quantity, updated.amount) == (1000, 2, 2000)
    assert updated.description == "Consulting" and list(updated.tax_rates.all()) == [rate]
    updated = item_update(item=item, unit_amount=5, tax_rates=[], discountable=False)
    assert (updated.amount, updated.discountable, list(updated.tax_rates.all())) == (10, False, [])


def test_a_kept_inactive_rate_is_not_checked_again_but_a_new_one_is():
    rate = make_tax_rate("20")
    item = make_item(make_customer(), 1000, tax_rates=[rate])
    rate.active = False
    rate.save()
    assert item_update(item=item, description="Renamed").description == "Renamed"
    with pytest.raises(ValidationError, match="Inactive"):
        item_update(item=item, tax_rates=[rate])


def test_a_draft_line_recomputes_the_draft():
    invoice = make_invoice(None, 1000, 500)
    line = invoice.lines.order_by("created", "id").first()
    item_update(item=line, unit_amount=100, tax_rates=[make_tax_rate("10")])
    invoice.refresh_from_db()
    assert (invoice.subtotal, invoice.tax, invoice.total) == (600, 10, 610)


@pytest.mark.parametrize(
    "fields", [{"unit_amount": -1}, {"quantity": 0}, {"description": ""}, {"unit_amount": 10**20}]
)
def test_invalid_changes_are_refused_and_nothing_is_saved(fields):
    item = make_item(make_customer(), 1000)
    with pytest.raises(ValidationError):
        item_update(item=item, **fields)
    item.refresh_from_db()
    assert (item.amount, item.quantity, item.description) == (1000, 1, "Consulting")


def test_a_finalized_line_or_a_deleted_customers_item_is_refused():
    line = make_invoice(None, 1000, finalize=True).lines.get()
    with pytest.raises(ValidationError, match="draft"):
        item_update(item=line, unit_amount=1)
    customer = make_customer()
    item = make_item(customer)
    customer_delete(customer=customer, deleted_by=None)
    with pytest.raises(ValidationError, match="deleted"):
        item_update(item=item, unit_amount=1)
