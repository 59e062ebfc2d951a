"""Invoice items and invoices through billing.services: pending items, the lifecycle,
numbering, snapshots, the credit balance and minimum charges."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing.models import INVOICE_TRANSITIONS, InvoiceItem, InvoiceStatus
from billing.services import (
    MAX_INVOICE_LINES,
    MAX_INVOICE_TOTAL,
    credit_note_issue,
    invoice_create,
    invoice_delete,
    invoice_finalize,
    invoice_mark_paid,
    invoice_mark_uncollectible,
    invoice_update,
    invoice_void,
    invoices,
    item_add,
    item_delete,
)
from core.currencies import CURRENCIES
from core.money import MAX_MAJOR_UNITS
from customers.models import LegalEntity
from customers.services import customer_delete, customer_update
from ledger.models import TransactionType
from ledger.verify import ledger_problems
from tests.factories import (
    adjust,
    balance_of,
    make_coupon,
    make_customer,
    make_invoice,
    make_item,
    make_tax_rate,
    make_user,
)

pytestmark = pytest.mark.django_db

S = InvoiceStatus


def _pending(customer, currency="USD"):
    return InvoiceItem.objects.filter(customer=customer, currency=currency, invoice=None)


# Pending items and invoice creation


def test_invoice_takes_the_oldest_250_pending_items_in_its_currency_only():
    customer = make_customer()
    start = timezone.now() - timedelta(days=1)
    # Ids run opposite to creation time: "oldest" must follow `created`, not the id.
    InvoiceItem.objects.bulk_create(
        InvoiceItem(
            customer=customer, description=f"Item {n}", unit_amount=100, amount=100,
            currency="USD", created=start + timedelta(seconds=250 - n),
        )
        for n in range(251)
    )  # fmt: skip
    newest = InvoiceItem.objects.get(description="Item 0")
    euro = make_item(customer, 700, "EUR")

    invoice = invoice_create(customer=customer, currency="USD")

    assert invoice.lines.count() == 250
    assert list(_pending(customer)) == [newest]
    assert (invoice.subtotal, invoice.total, invoice.amount_due) == (25000, 25000, 25000)
    euro.refresh_from_db()
    assert euro.invoice_id is None
    with pytest.raises(ValidationError):  # a draft holds at most 250 lines
        make_item(customer, 100, invoice=invoice)
    second = invoice_create(customer=customer, currency="USD")
    assert list(second.lines.all()) == [newest]
    assert not _pending(customer).exists()


def test_invoice_currency_defaults_to_the_customers_and_is_required():
    customer = make_customer(default_currency="EUR")
    make_item(customer, 500, "EUR")
    assert invoice_create(customer=customer).currency == "EUR"
    with pytest.raises(ValidationError):
        invoice_create(customer=make_customer())
    with pytest.raises(ValidationError):
        invoice_create(customer=customer, currency="XXQ")


def test_deleting_a_draft_makes_its_lines_pending_again():
    customer = make_customer()
    item = make_item(customer, 1000)
    invoice = invoice_create(customer=customer, currency="USD")
    invoice_delete(invoice=invoice)
    item.refresh_from_db()
    assert item.invoice_id is None
    assert invoice_create(customer=customer, currency="USD").lines.count() == 1


def test_a_deleted_customer_gets_no_items_or_invoices():
    customer = make_customer()
    draft = make_invoice(customer, 1000)
    customer_delete(customer=customer, deleted_by=make_user())
    with pytest.raises(ValidationError):
        make_item(customer, 100)
    with pytest.raises(ValidationError):
        invoice_create(customer=customer, currency="USD")
    with pytest.raises(ValidationError):
        invoice_finalize(invoice=draft)


def test_a_deleted_customers_drafts_and_items_stay_as_they_were():
    customer = make_customer()
    draft = make_invoice(customer, 1000)
    pending = make_item(customer, 300)
    customer_delete(customer=customer, deleted_by=make_user())
    for change in (
        lambda: invoice_update(invoice=draft, memo="changed"),
        lambda: invoice_delete(invoice=draft),
        lambda: item_delete(item=draft.lines.get()),
        lambda: item_delete(item=pending),
    ):
        with pytest.raises(ValidationError, match="deleted"):
            change()
    draft.refresh_from_db()
    assert draft.memo == "" and draft.lines.count() == 1
    assert InvoiceItem.objects.filter(pk=pending.pk).exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"unit_amount": -1},
        {"unit_amount": 10.5},
        {"currency": "XXQ"},
        {"quantity": 0},
    ],
)
def test_invalid_items_are_refused(fields):
    customer = make_customer()
    with pytest.raises(ValidationError):
        item_add(**{"customer": customer, "description": "X", "unit_amount": 100,
                    "currency": "USD", **fields})  # fmt: skip
    assert not InvoiceItem.objects.exists()


def test_item_quantity_times_unit_amount():
    item = make_item(make_customer(), 250, quantity=3)
    assert item.amount == 750


# The lifecycle


def _invoice_in(status):
    invoice = make_invoice(None, 1000, finalize=status != S.DRAFT)
    if status == S.PAID:
        invoice = invoice_mark_paid(invoice=invoice)
    elif status == S.VOID:
        invoice = invoice_void(invoice=invoice)
    elif status == S.UNCOLLECTIBLE:
        invoice = invoice_mark_uncollectible(invoice=invoice)
    assert invoice.status == status
    return invoice


ACTIONS = {
    S.OPEN: invoice_finalize,
    S.PAID: invoice_mark_paid,
    S.VOID: invoice_void,
    S.UNCOLLECTIBLE: invoice_mark_uncollectible,
}


def test_the_transitions_are_stripes():
    stripes = {
        S.DRAFT: {S.OPEN},
        S.OPEN: {S.PAID, S.VOID, S.UNCOLLECTIBLE},
        S.UNCOLLECTIBLE: {S.PAID, S.VOID},
        S.PAID: set(),
        S.VOID: set(),
    }
    assert stripes == INVOICE_TRANSITIONS


@pytest.mark.parametrize("start", list(S))
@pytest.mark.parametrize("target", list(ACTIONS))
def test_only_the_allowed_status_changes_happen(start, target):
    invoice = _invoice_in(start)
    allowed = target in INVOICE_TRANSITIONS[start]
    if allowed:
        assert ACTIONS[target](invoice=invoice).status == target
    else:
        with pytest.raises(ValidationError):
            ACTIONS[target](invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.status == (target if allowed else start)


def test_a_draft_is_editable_and_its_totals_follow():
    customer = make_customer()
    invoice = make_invoice(customer, 1000)
    line = item_add(customer=customer, description="Extra", unit_amount=500, currency="USD",
                    invoice=invoice)  # fmt: skip
    invoice.refresh_from_db()
    assert (invoice.subtotal, invoice.total, invoice.amount_due) == (1500, 1500, 1500)
    item_delete(item=line)
    invoice.refresh_from_db()
    assert invoice.total == 1000 and invoice.lines.count() == 1
    coupon = make_coupon(percent_off="10")
    invoice_update(invoice=invoice, memo="Thanks", footer="Pay soon", days_until_due=7,
                   coupon=coupon)  # fmt: skip
    invoice.refresh_from_db()
    assert (invoice.memo, invoice.footer, invoice.coupon) == ("Thanks", "Pay soon", coupon)
    assert invoice.due_date == timezone.localdate() + timedelta(days=7)
    assert (invoice.discount, invoice.total) == (100, 900)
    invoice_update(invoice=invoice, memo="", footer="", days_until_due=7, coupon=None)
    invoice.refresh_from_db()
    assert (invoice.discount, invoice.total) == (0, 1000)


def test_a_line_must_match_the_drafts_customer_and_currency():
    customer = make_customer()
    invoice = make_invoice(customer, 1000)
    with pytest.raises(ValidationError):
        make_item(customer, 100, "EUR", invoice=invoice)
    with pytest.raises(ValidationError):
        make_item(make_customer(), 100, "USD", invoice=invoice)
    assert invoice.lines.count() == 1


def test_a_finalized_invoice_cannot_be_changed():
    customer = make_customer()
    invoice = make_invoice(customer, 1000, finalize=True)
    line = invoice.lines.get()
    with pytest.raises(ValidationError):
        make_item(customer, 100, invoice=invoice)
    with pytest.raises(ValidationError):
        item_delete(item=line)
    with pytest.raises(ValidationError):
        invoice_update(invoice=invoice, memo="x", footer="", days_until_due=1, coupon=None)
    with pytest.raises(ValidationError):
        invoice_delete(invoice=invoice)
    invoice.refresh_from_db()
    assert (invoice.memo, invoice.total, invoice.lines.count()) == ("", 1000, 1)
    assert not _pending(customer).exists()


# Numbering and snapshots


def test_finalizing_numbers_from_the_customers_sequence():
    customer = make_customer(invoice_prefix="ACME01")
    first = make_invoice(customer, 100, finalize=True)
    second = make_invoice(customer, 100, finalize=True)
    assert (first.number, second.number) == ("ACME01-0001", "ACME01-0002")
    customer.refresh_from_db()
    assert customer.next_invoice_sequence == 3


def test_a_lowered_sequence_skips_numbers_already_used():
    customer = make_customer(invoice_prefix="ACME02")
    for _ in range(2):
        make_invoice(customer, 100, finalize=True)
    customer_update(customer=customer, fields={"next_invoice_sequence": 1})
    third = make_invoice(customer, 100, finalize=True)
    assert third.number == "ACME02-0003"
    customer.refresh_from_db()
    assert customer.next_invoice_sequence == 4


def test_a_draft_has_no_number_and_finalizing_sets_the_due_date():
    customer = make_customer(payment_terms_days=14)
    draft = make_invoice(customer, 100)
    assert draft.number is None and draft.days_until_due == 14
    now = timezone.now() + timedelta(days=3)
    invoice = invoice_finalize(invoice=draft, now=now)
    assert invoice.finalized_at == now
    assert invoice.due_date == timezone.localdate(now) + timedelta(days=14)


def test_snapshots_freeze_the_customer_and_seller_as_finalized():
    customer = make_customer(
        name="Ada Ltd", email="ada@example.com", address_line1="1 Main St",
        address_city="Paris", address_postal_code="75001", address_country="FR",
        preferred_locales=["fr"], tax_exempt="reverse", shipping_name="Ada",
        shipping_line1="3 Dock Rd",
        tax_ids=[{"type": "eu_vat", "value": "FR61954506077"}],
    )  # fmt: skip
    entity = customer.legal_entity
    invoice = make_invoice(customer, 1000, finalize=True)
    snapshot, seller = invoice.customer_snapshot, invoice.seller_snapshot
    assert snapshot["name"] == "Ada Ltd" and snapshot["email"] == "ada@example.com"
    assert snapshot["address"][:2] == ["1 Main St", "75001 Paris"]
    assert snapshot["address_country"] == "FR"
    assert (snapshot["shipping_name"], snapshot["shipping_address"]) == ("Ada", ["3 Dock Rd"])
    assert [t["value"] for t in snapshot["tax_ids"]] == ["FR61954506077"]
    assert (snapshot["tax_exempt"], snapshot["preferred_locales"]) == ("reverse", ["fr"])
    assert seller["name"] == entity.name and seller["id"] == entity.pk

    customer_update(
        customer=customer,
        fields={"name": "Other", "email": "other@example.com", "address_line1": "2 Rue",
                "tax_exempt": "none", "preferred_locales": ["de"], "shipping_line1": "4 Quay"},
        tax_ids=[],
    )  # fmt: skip
    LegalEntity.objects.filter(pk=entity.pk).update(
        name="Renamed seller", tax_id="X1", address_line1="9 New St"
    )
    invoice.refresh_from_db()
    assert invoice.customer_snapshot == snapshot
    assert invoice.seller_snapshot == seller
    assert invoice.reverse_charge is True


# The credit balance


def test_credit_reduces_the_amount_due_in_the_invoice_currency():
    customer = make_customer()
    adjust(customer, -300)
    invoice = make_invoice(customer, 1000, finalize=True)
    assert (invoice.total, invoice.applied_balance, invoice.amount_due) == (1000, -300, 700)
    assert invoice.amount_remaining == 700 and invoice.status == S.OPEN
    applied = invoice.applied_balance_transaction
    assert (applied.type, applied.amount, applied.currency) == (
        TransactionType.APPLIED_TO_INVOICE, 300, "USD")  # fmt: skip
    assert balance_of(customer) == 0


def test_credit_larger_than_the_total_pays_it_and_the_rest_stays():
    customer = make_customer()
    adjust(customer, -5000)
    invoice = make_invoice(customer, 1000, finalize=True)
    assert (invoice.applied_balance, invoice.amount_due, invoice.status) == (-1000, 0, S.PAID)
    assert invoice.amount_paid == 0 and invoice.paid_at is not None
    assert balance_of(customer) == -4000


def test_an_owed_balance_is_added_to_the_amount_due():
    customer = make_customer()
    adjust(customer, 250)
    invoice = make_invoice(customer, 1000, finalize=True)
    assert (invoice.applied_balance, invoice.amount_due, invoice.amount_remaining) == (
        250, 1250, 1250)  # fmt: skip
    assert invoice.applied_balance_transaction.amount == -250
    assert balance_of(customer) == 0


def test_finalizing_against_a_credit_above_the_adjustment_cap_takes_what_it_needs():
    # Staff credit at most 1,000,000,000 USD at a time; what the system moves is not
    # capped: 1,500,000,000 USD of a 2,000,000,000 USD credit, then credited back.
    customer = make_customer()
    adjust(customer, -100_000_000_000)
    adjust(customer, -100_000_000_000)
    invoice = make_invoice(customer, 100_000_000_000, 50_000_000_000, finalize=True)
    assert (invoice.applied_balance, invoice.status) == (-150_000_000_000, S.PAID)
    assert balance_of(customer) == -50_000_000_000
    credit_note_issue(invoice=invoice, amount=150_000_000_000, credit_amount=150_000_000_000)
    assert balance_of(customer) == -200_000_000_000
    assert list(ledger_problems()) == []


def test_an_owed_balance_above_the_adjustment_cap_moves_to_the_invoice():
    customer = make_customer()
    adjust(customer, 100_000_000_000)
    adjust(customer, 100_000_000_000)
    invoice = make_invoice(customer, 1000, finalize=True)
    assert (invoice.applied_balance, invoice.amount_due) == (200_000_000_000, 200_000_001_000)
    invoice = invoice_void(invoice=invoice)
    assert balance_of(customer) == 200_000_000_000
    assert list(ledger_problems()) == []


def test_the_invoice_maximum_leaves_room_in_64_bits():
    # 250 lines at the most a line may be, in the currency with the most decimals, with
    # 100 % exclusive tax, stay below it; and a balance holds 9,000 invoices at it.
    largest_line = int(MAX_MAJOR_UNITS) * 10 ** max(CURRENCIES.values())
    assert MAX_INVOICE_LINES * largest_line * 2 < MAX_INVOICE_TOTAL
    assert (2**63 - 1) // MAX_INVOICE_TOTAL > 9000


def test_a_line_taking_a_draft_over_the_invoice_maximum_is_refused(monkeypatch):
    monkeypatch.setattr(invoices, "MAX_INVOICE_TOTAL", 100_000)  # USD 1,000.00
    draft = make_invoice(None, 60_000)
    tax = make_tax_rate("25")
    with pytest.raises(ValidationError, match=r"An invoice totals at most \$1,000\.00"):
        item_add(customer=draft.customer, invoice=draft, description="More",
                 unit_amount=40_000, currency="USD", tax_rates=[tax])  # fmt: skip
    draft.refresh_from_db()
    assert (draft.lines.count(), draft.total) == (1, 60_000)
    item_add(customer=draft.customer, invoice=draft, description="More", unit_amount=40_000,
             currency="USD")  # fmt: skip
    draft.refresh_from_db()
    assert draft.total == 100_000


def test_pending_items_over_the_invoice_maximum_make_no_invoice(monkeypatch):
    monkeypatch.setattr(invoices, "MAX_INVOICE_TOTAL", 100_000)
    customer = make_customer()
    make_item(customer, 60_000)
    make_item(customer, 60_000)
    with pytest.raises(ValidationError, match=r"An invoice totals at most \$1,000\.00") as error:
        invoice_create(customer=customer, currency="USD")
    assert "Remove some of the customer's pending USD items" in str(error.value)
    assert _pending(customer).count() == 2 and not customer.invoices.exists()


def test_a_cad_invoice_ignores_usd_items_and_the_usdbalance_of():
    customer = make_customer()
    adjust(customer, -700, "USD")
    adjust(customer, -100, "CAD")
    usd_item = make_item(customer, 900, "USD")
    invoice = make_invoice(customer, 1000, currency="CAD", finalize=True)
    assert (invoice.total, invoice.amount_due) == (1000, 900)
    assert invoice.applied_balance_transaction.currency == "CAD"
    assert (balance_of(customer, "USD"), balance_of(customer, "CAD")) == (-700, 0)
    usd_item.refresh_from_db()
    assert usd_item.invoice_id is None


@pytest.mark.parametrize(
    ("currency", "amount", "too_small"),
    [
        ("USD", 49, True), ("USD", 50, False), ("GBP", 29, True), ("GBP", 30, False),
        ("JPY", 49, True), ("JPY", 50, False), ("HKD", 399, True), ("HKD", 400, False),
        ("KWD", 152, True), ("KWD", 153, False),
    ],
)  # fmt: skip
def test_an_amount_due_below_the_minimum_is_moved_to_thebalance_of(currency, amount, too_small):
    customer = make_customer()
    invoice = make_invoice(customer, amount, currency=currency, finalize=True)
    if too_small:
        assert (invoice.status, invoice.amount_remaining) == (S.PAID, 0)
        moved = invoice.too_small_balance_transaction
        assert (moved.type, moved.amount) == (TransactionType.INVOICE_TOO_SMALL, amount)
        assert balance_of(customer, currency) == amount
    else:
        assert (invoice.status, invoice.amount_remaining) == (S.OPEN, amount)
        assert invoice.too_small_balance_transaction is None
        assert balance_of(customer, currency) == 0


def test_a_too_small_amount_is_owed_on_the_next_invoice():
    customer = make_customer()
    adjust(customer, -980)
    small = make_invoice(customer, 1000, finalize=True)  # 20 left: below USD 0.50
    assert (small.amount_due, small.status) == (20, S.PAID)
    assert balance_of(customer) == 20
    following = make_invoice(customer, 1000, finalize=True)
    assert (following.applied_balance, following.amount_due) == (20, 1020)
    assert balance_of(customer) == 0
    assert list(ledger_problems()) == []


def test_a_zero_total_invoice_is_paid_on_finalization():
    invoice = make_invoice(None, 0, finalize=True)
    assert (invoice.total, invoice.status, invoice.amount_remaining) == (0, S.PAID, 0)
    assert invoice.applied_balance_transaction is None
    assert invoice.too_small_balance_transaction is None


# Paying, voiding, uncollectible


def test_mark_paid_settles_what_remains():
    invoice = make_invoice(None, 1000, finalize=True)
    invoice = invoice_mark_paid(invoice=invoice)
    assert (invoice.amount_paid, invoice.amount_remaining, invoice.paid_out_of_band) == (
        1000, 0, True)  # fmt: skip
    assert invoice.paid_at is not None


@pytest.mark.parametrize("starting", [-300, -5000, 250])
@pytest.mark.parametrize("via_uncollectible", [False, True])
def test_void_gives_back_exactly_what_the_invoice_took_from_thebalance_of(
    starting, via_uncollectible
):
    customer = make_customer()
    adjust(customer, starting)
    adjust(customer, -40, "EUR")
    invoice = make_invoice(customer, 1000, finalize=True)
    if invoice.status == S.PAID:  # the credit covered it all: nothing to void
        assert starting <= -1000
        return
    if via_uncollectible:
        invoice = invoice_mark_uncollectible(invoice=invoice)
        assert invoice.marked_uncollectible_at is not None
    invoice = invoice_void(invoice=invoice)
    assert (invoice.status, invoice.amount_remaining) == (S.VOID, 0)
    unapplied = invoice.unapplied_balance_transaction
    assert unapplied.type == TransactionType.UNAPPLIED_FROM_INVOICE
    assert unapplied.amount == -invoice.applied_balance_transaction.amount
    assert (balance_of(customer), balance_of(customer, "EUR")) == (starting, -40)
    assert list(ledger_problems()) == []


def test_void_without_applied_balance_posts_nothing():
    invoice = invoice_void(invoice=make_invoice(None, 1000, finalize=True))
    assert invoice.unapplied_balance_transaction is None and invoice.voided_at is not None
