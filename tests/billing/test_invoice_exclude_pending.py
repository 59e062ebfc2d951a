"""invoice_create(include_pending=False): an empty draft, the items left pending (the
API's pending_invoice_items_behavior=exclude)."""

from billing.models import InvoiceItem
from billing.services import invoice_create
from tests.factories import make_customer, make_item


def test_a_draft_excluding_pending_items_leaves_them_pending(db):
    customer = make_customer(default_currency="EUR")
    item = make_item(customer, 1500, "EUR")
    invoice = invoice_create(customer=customer, currency="EUR", include_pending=False)
    assert list(invoice.lines.all()) == [] and invoice.total == 0
    assert InvoiceItem.objects.get(pk=item.pk).invoice is None
    included = invoice_create(customer=customer, currency="EUR")
    assert [line.pk for line in included.lines.all()] == [item.pk] and included.total == 1500
