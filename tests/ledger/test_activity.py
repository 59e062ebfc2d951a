"""The ledger's activity: every posted balance transaction, and every edit of what may
change after posting, recorded in the posting's own transaction."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activity.models import Entry
from customers.services import customer_delete
from ledger import services
from ledger.models import TransactionType
from tests.factories import adjust, make_customer

pytestmark = pytest.mark.django_db


def _entries(kind):
    return list(Entry.objects.filter(kind=kind).order_by("id"))


def test_an_adjustment_on_the_page_is_recorded_as_the_signed_in_user(billing_client, billing_user):
    customer = make_customer(default_currency="USD")
    form = {"adjustment_type": "credit", "amount": "10.00", "internal_note": "Goodwill",
            "idempotency_key": "adjust-00000000-0000-4000-8000-000000000001"}  # fmt: skip
    url = reverse("ledger:adjust", args=[customer.public_id])
    billing_client.post(url, form)
    billing_client.post(url, form)  # resubmitted: posted once, recorded once
    (entry,) = _entries("balance_transaction.created")
    posted = customer.balance_transactions.get()
    assert (entry.customer, entry.object_id, entry.invoice) == (
        customer.public_id, posted.public_id, ""
    )  # fmt: skip
    assert entry.data == {
        "amount": -1000, "currency": "USD", "type": "adjustment", "description": ""
    }  # fmt: skip
    assert (entry.source, entry.user) == ("page", billing_user)


def test_a_transaction_for_an_invoice_names_it():
    customer = make_customer()
    posted = services.transaction_post(
        customer=customer, type=TransactionType.APPLIED_TO_INVOICE, amount=-300,
        currency="EUR", description="Applied to invoice X-0001", invoice="in_123",
    )  # fmt: skip
    (entry,) = _entries("balance_transaction.created")
    assert (entry.invoice, entry.object_id) == ("in_123", posted.public_id)
    assert entry.data["type"] == "applied_to_invoice"


def test_a_reversal_is_recorded_as_a_transaction_of_its_own():
    original = adjust(make_customer(), -500)
    reversal = services.transaction_reverse(original=original)
    entries = _entries("balance_transaction.created")
    assert [e.object_id for e in entries] == [original.public_id, reversal.public_id]
    assert entries[1].data["amount"] == 500


@pytest.mark.parametrize(
    ("amount", "deleted"), [(10**20, False), (-500, True)], ids=["too large", "deleted customer"]
)
def test_a_refused_posting_records_nothing(amount, deleted):
    customer = make_customer()
    if deleted:
        customer_delete(customer=customer, deleted_by=None)
    with pytest.raises(ValidationError):
        services.transaction_post(
            customer=customer, type=TransactionType.ADJUSTMENT, amount=amount, currency="USD"
        )
    assert _entries("balance_transaction.created") == []


def test_editing_the_description_and_metadata_records_the_changes(billing_client, billing_user):
    customer = make_customer()
    posted = adjust(customer, -500, description="Before")
    url = reverse("ledger:edit", args=[customer.public_id, posted.public_id])
    billing_client.post(url, {"description": "After", "metadata": "ticket=9"})
    (entry,) = _entries("balance_transaction.updated")
    assert (entry.customer, entry.object_id) == (customer.public_id, posted.public_id)
    assert entry.data["changes"] == [
        {"field": "description", "label": "Description", "old": "Before", "new": "After"},
        {"field": "metadata", "label": "Metadata", "old": {}, "new": {"ticket": "9"}},
    ]
    assert (entry.source, entry.user) == ("page", billing_user)


def test_a_metadata_update_records_the_merged_metadata_and_nothing_when_the_same():
    posted = adjust(make_customer(), -500, metadata={"a": "1"})
    services.transaction_metadata_update(balance_transaction=posted, changes={"a": "", "b": "2"})
    services.transaction_metadata_update(balance_transaction=posted, changes={"b": "2"})
    services.transaction_describe(balance_transaction=posted, description="")
    (entry,) = _entries("balance_transaction.updated")
    assert entry.data["changes"] == [
        {"field": "metadata", "label": "Metadata", "old": {"a": "1"}, "new": {"b": "2"}}
    ]


def test_a_refused_edit_records_nothing():
    posted = adjust(make_customer(), -500)
    with pytest.raises(ValidationError):
        services.transaction_describe(balance_transaction=posted, description="x" * 351)
    assert _entries("balance_transaction.updated") == []
