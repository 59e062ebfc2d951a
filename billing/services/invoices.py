"""Invoices: a draft made from a customer's pending items, its changes and what happens to
an issued invoice after. Lines are added and deleted in items.py and drafts finalized in
finalize.py, which share check_live, check_total, recompute and record_invoice;
credit_notes.py and finalize.py share invoice_settle."""

from collections.abc import Hashable, Mapping
from datetime import timedelta
from typing import Any, NamedTuple, TypedDict

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from activity import services as activity
from core.money import MoneyError, check_currency
from core.money_format import format_money
from core.money_log import log_money_action
from customers.models import Customer, TaxExempt
from ledger import services as ledger
from ledger.models import TransactionType

from .. import totals
from ..models import Coupon, Invoice, InvoiceItem, InvoiceStatus, TaxRate
from .coupons import choose_coupon, give_back_coupon, take_customer_coupon
from .locks import invoice_lock_draft, invoice_lock_for

MAX_INVOICE_LINES = 250
# The most an invoice may total, in minor units (USD 10 trillion, KWD 1 trillion): checked
# as lines are added, so finalization never refuses an amount. 250 lines at the most a
# line may be (MAX_MAJOR_UNITS, at three decimals) stay under it even with 100 % tax; it
# leaves room for 9,000 such invoices in one balance before 64 bits overflow.
MAX_INVOICE_TOTAL = 10**15


class TaxAmount(TypedDict):
    """One tax rate's amount on a line or an invoice, as its `tax_amounts` JSON stores it."""

    tax_rate: str
    display_name: str
    percentage: str  # "20", "7.5": exact, as the rate had it
    inclusive: bool
    jurisdiction: str
    amount: int


def invoice_create(
    *,
    customer: Customer,
    currency: str | None = None,
    days_until_due: int | None = None,
    memo: str = "",
    footer: str | None = None,
    created_by: User | None = None,
    include_pending: bool = True,
) -> Invoice:
    """A draft invoice in `currency` (the customer's by default) with the customer's
    oldest pending items in that currency, up to 250; later ones stay pending.
    `include_pending=False` makes an empty draft and leaves every item pending (the API's
    pending_invoice_items_behavior=exclude)."""
    check_live(customer)
    offered = invoice_currencies(customer)
    # Without a choice: the customer's currency, else the only one it has items in.
    currency = currency or (offered[0] if len(offered) == 1 else None)
    if not currency:
        raise ValidationError({"currency": "Choose the invoice currency: the customer has none."})
    if offered and currency not in offered:
        raise ValidationError(
            {"currency": "Bill in the customer's currency or one it has pending items in: "
                         f"{', '.join(offered)}."}
        )  # fmt: skip
    try:
        check_currency(currency)
    except MoneyError as error:
        raise ValidationError({"currency": str(error)}) from None
    if days_until_due is None:
        days_until_due = customer.payment_terms_days
    with transaction.atomic():
        invoice = Invoice(
            customer=customer,
            legal_entity_id=customer.legal_entity_id,
            currency=currency,
            days_until_due=days_until_due,
            due_date=timezone.localdate() + timedelta(days=days_until_due),
            memo=memo,
            footer=customer.invoice_footer if footer is None else footer,
            created_by=created_by,
        )
        invoice.coupon = take_customer_coupon(customer, currency)
        invoice.coupon_from_customer = invoice.coupon is not None
        invoice.full_clean(exclude=["customer", "legal_entity", "coupon", "created_by"])
        invoice.save()
        invoice.default_tax_rates.set(customer.default_tax_rates.filter(active=True))
        pending = list(
            InvoiceItem.objects.select_for_update()
            .filter(customer=customer, currency=currency, invoice__isnull=True)
            .order_by("created", "id")
            .values_list("pk", flat=True)[: MAX_INVOICE_LINES if include_pending else 0]
        )
        billed = InvoiceItem.objects.filter(pk__in=pending, invoice__isnull=True).update(
            invoice=invoice
        )
        recompute(invoice)
        check_total(
            invoice,
            hint=f" Remove some of the customer's pending {currency} items (a draft takes "
            "the oldest 250), then create the invoice.",
        )
        invoice.save()
        data: dict[str, Any] = {"currency": currency}
        if billed:
            data["counts"] = {"pending items billed": billed}
        record_invoice("invoice.created", invoice, data)
    return invoice


def invoice_currencies(customer: Customer) -> list[str]:
    """The currencies a new invoice of this customer may be in: its own and those of its
    pending items (any currency when it has neither)."""
    pending = (
        InvoiceItem.objects.filter(customer=customer, invoice__isnull=True)
        .order_by("currency")
        .values_list("currency", flat=True)
        .distinct()
    )
    return list(dict.fromkeys(c for c in [customer.default_currency, *pending] if c))


class _Unchanged:
    """The default of invoice_update's terms: keep the draft's own, as read under its lock."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()


def invoice_update(
    *,
    invoice: Invoice,
    memo: str = UNCHANGED,
    footer: str = UNCHANGED,
    days_until_due: int = UNCHANGED,
    coupon: Coupon | None = UNCHANGED,
) -> Invoice:
    """Change a draft's memo, footer, terms or coupon. Those left UNCHANGED keep the
    values read under the lock, so a caller sending only some (the API) never undoes a
    concurrent change to the others."""
    with transaction.atomic():
        invoice = invoice_lock_draft(invoice)
        before = _terms(invoice)
        if coupon is not UNCHANGED and coupon != invoice.coupon:
            choose_coupon(invoice, coupon)
        if memo is not UNCHANGED:
            invoice.memo = memo
        if footer is not UNCHANGED:
            invoice.footer = footer
        if days_until_due is not UNCHANGED:
            invoice.days_until_due = days_until_due
            invoice.due_date = timezone.localdate() + timedelta(days=days_until_due)
        invoice.full_clean(exclude=["customer", "legal_entity", "coupon", "created_by"])
        recompute(invoice)
        check_total(invoice)  # a coupon taken off
        invoice.save()
        if changes := activity.changes(before, _terms(invoice), TERM_LABELS):
            record_invoice("invoice.updated", invoice, {"changes": changes})
    return invoice


# The terms of a draft its "invoice.updated" entries show, by label.
TERM_LABELS = {
    "memo": "Memo",
    "footer": "Footer",
    "days_until_due": "Days until due",
    "coupon": "Coupon",
}


def _terms(invoice: Invoice) -> dict[str, Any]:
    return {
        "memo": invoice.memo,
        "footer": invoice.footer,
        "days_until_due": invoice.days_until_due,
        "coupon": invoice.coupon.name if invoice.coupon else None,
    }


def invoice_delete(*, invoice: Invoice) -> None:
    """Delete a draft; its lines become pending items again."""
    with transaction.atomic():
        invoice = invoice_lock_draft(invoice)
        give_back_coupon(invoice)
        released = invoice.lines.update(invoice=None, discount_amount=0, tax_amounts=[])
        invoice.default_tax_rates.clear()
        data: dict[str, Any] = {"currency": invoice.currency}
        if released:
            data["counts"] = {"lines made pending again": released}
        record_invoice("invoice.deleted", invoice, data)
        invoice.delete()


def invoice_settle(invoice: Invoice, *, paid: int = 0, description: str) -> None:
    """Mark the locked invoice paid: `paid` more was received and nothing is left to pay,
    `description` says how. The caller saves it."""
    invoice.status = InvoiceStatus.PAID
    invoice.amount_paid += paid
    invoice.amount_remaining = 0
    invoice.paid_at = timezone.now()
    data: dict[str, Any] = {"number": invoice.number, "description": description}
    if paid:
        data |= {"amount": paid, "currency": invoice.currency}
    record_invoice("invoice.paid", invoice, data)


PAID_OUT_OF_BAND = "Marked paid: paid outside the app."


def invoice_mark_paid(*, invoice: Invoice) -> Invoice:
    """Paid outside the app (a bank transfer, a cheque): nothing is left to pay."""
    with transaction.atomic():
        invoice = invoice_lock_for(invoice, InvoiceStatus.PAID)
        invoice.paid_out_of_band = True
        log_money(invoice, "invoice.mark_paid", invoice.amount_remaining)
        invoice_settle(invoice, paid=invoice.amount_remaining, description=PAID_OUT_OF_BAND)
        invoice.save()
    return invoice


def invoice_void(*, invoice: Invoice) -> Invoice:
    """Cancel an issued invoice; credit it took from the balance goes back."""
    with transaction.atomic():
        invoice = invoice_lock_for(invoice, InvoiceStatus.VOID)
        if invoice.has_issued_credit_notes:  # the rule the page asks (Invoice.can_void)
            raise ValidationError("Void this invoice's credit notes first.")
        applied = invoice.applied_balance_transaction
        if applied is not None:
            invoice.unapplied_balance_transaction = ledger.transaction_post(
                customer=invoice.customer,
                type=TransactionType.UNAPPLIED_FROM_INVOICE,
                amount=-applied.amount,
                currency=invoice.currency,
                description=f"Unapplied from voided invoice {invoice.number}",
                invoice=invoice.public_id,
            )
        invoice.status = InvoiceStatus.VOID
        invoice.amount_remaining = 0
        invoice.voided_at = timezone.now()
        invoice.save()
        log_money(invoice, "invoice.void", invoice.total)
        record_invoice(
            "invoice.voided",
            invoice,
            {"number": invoice.number, "amount": invoice.total, "currency": invoice.currency},
        )
    return invoice


def invoice_mark_uncollectible(*, invoice: Invoice) -> Invoice:
    with transaction.atomic():
        invoice = invoice_lock_for(invoice, InvoiceStatus.UNCOLLECTIBLE)
        invoice.status = InvoiceStatus.UNCOLLECTIBLE
        invoice.marked_uncollectible_at = timezone.now()
        invoice.save()
        log_money(invoice, "invoice.mark_uncollectible", invoice.amount_remaining)
        record_invoice(
            "invoice.marked_uncollectible",
            invoice,
            {
                "number": invoice.number,
                "amount": invoice.amount_remaining,
                "currency": invoice.currency,
            },
        )
    return invoice


def record_invoice(kind: str, invoice: Invoice, data: Mapping[str, Any] | None = None) -> None:
    """The activity entry saying `kind` happened to the invoice, in the current
    transaction."""
    activity.record(
        kind,
        customer=invoice.customer.public_id,
        invoice=invoice.public_id,
        object_id=invoice.public_id,
        data=data,
    )


def log_money(invoice: Invoice, action: str, amount: int) -> None:
    """The money log's line for `action` on the invoice, once its transaction commits; the
    user is the request's (these services take none)."""
    log_money_action(
        action,
        customer=invoice.customer.public_id,
        object_id=invoice.public_id,
        amount=amount,
        currency=invoice.currency,
    )


def check_live(customer: Customer) -> None:
    """Refuse a change for a deleted customer."""
    if Customer.objects.deleted().filter(pk=customer.pk).exists():
        raise ValidationError("This customer is deleted. Restore it first.")


def check_total(invoice: Invoice, hint: str = "") -> None:
    """Refuse a draft that would total more than MAX_INVOICE_TOTAL."""
    if invoice.total > MAX_INVOICE_TOTAL:
        most = format_money(MAX_INVOICE_TOTAL, invoice.currency)
        raise ValidationError(
            f"An invoice totals at most {most}: this would make it "
            f"{format_money(invoice.total, invoice.currency)}.{hint}"
        )


def recompute(invoice: Invoice) -> None:
    """Work out a draft's totals from its lines (and their share of each)."""
    # The lines and their rates in one query: a row per line and rate (one without a
    # rate for a line that has none), each line's rates in TaxRate's order as
    # line.tax_rates.all() gives them; the invoice's default rates only if needed.
    rows = invoice.lines.order_by(
        "created", "id", *(f"tax_rates__{name}" for name in TaxRate._meta.ordering or ())
    ).values_list(*_LINE_FIELDS, *(f"tax_rates__{name}" for name in _RATE_FIELDS))
    by_pk_line: dict[int, _Line] = {}
    line_rates: dict[int, list[TaxRate]] = {}
    known: dict[int, TaxRate] = {}
    for row in rows:
        line, rate = _Line(*row[: len(_LINE_FIELDS)]), row[len(_LINE_FIELDS) :]
        by_pk_line.setdefault(line.pk, line)
        line_rates.setdefault(line.pk, [])
        if rate[0] is not None:
            if rate[0] not in known:
                known[rate[0]] = TaxRate(**dict(zip(_RATE_FIELDS, rate, strict=True)))
            line_rates[line.pk].append(known[rate[0]])
    lines = list(by_pk_line.values())
    needs_defaults = not all(line_rates.values())
    defaults = list(invoice.default_tax_rates.all()) if needs_defaults else []
    rates = [line_rates[line.pk] or defaults for line in lines]
    invoice.taxed_as = invoice.customer.tax_exempt
    taxable = invoice.taxed_as == TaxExempt.NONE
    coupon = (
        invoice.coupon if invoice.coupon and invoice.coupon.applies_to(invoice.currency) else None
    )
    try:
        result = _compute(lines, rates, coupon, taxable)
    except totals.MixedTaxRatesError as error:
        raise ValidationError(str(error)) from None
    by_pk: dict[Hashable, TaxRate] = {rate.pk: rate for each in rates for rate in each}
    changed = []
    for line, line_totals in zip(lines, result.lines, strict=True):
        tax_amounts = [_tax_amount(by_pk[pk], amount) for pk, amount in line_totals.taxes.items()]
        if (line.discount_amount, line.tax_amounts) != (line_totals.discount, tax_amounts):
            changed.append(
                InvoiceItem(
                    pk=line.pk, discount_amount=line_totals.discount, tax_amounts=tax_amounts
                )
            )
    InvoiceItem.objects.bulk_update(changed, ["discount_amount", "tax_amounts"])
    invoice.subtotal = result.subtotal
    invoice.discount = result.discount
    invoice.tax = result.tax
    invoice.exclusive_tax = result.exclusive_tax
    invoice.total = result.total
    invoice.tax_amounts = [
        _tax_amount(by_pk[pk], amount) for pk, amount in result.tax_by_rate.items()
    ]
    invoice.amount_due = invoice.amount_remaining = result.total


class _Line(NamedTuple):
    """A line's columns, as recompute selects them."""

    pk: int
    amount: int
    discountable: bool
    discount_amount: int
    tax_amounts: list[TaxAmount]


_LINE_FIELDS = _Line._fields
# Each rate's columns, selected in this order and named by it to make a TaxRate.
_RATE_FIELDS = [field.attname for field in TaxRate._meta.concrete_fields]


def _compute(
    lines: list[_Line], rates: list[list[TaxRate]], coupon: Coupon | None, taxable: bool
) -> totals.Totals:
    return totals.compute(
        [
            totals.Line(
                amount=line.amount,
                discountable=line.discountable,
                rates=tuple(totals.Rate(r.pk, r.percentage, r.inclusive) for r in line_rates),
            )
            for line, line_rates in zip(lines, rates, strict=True)
        ],
        discount=totals.Discount(percent_off=coupon.percent_off, amount_off=coupon.amount_off)
        if coupon
        else None,
        taxable=taxable,
    )


def _tax_amount(rate: TaxRate, amount: int) -> TaxAmount:
    return {
        "tax_rate": rate.public_id,
        "display_name": rate.display_name,
        "percentage": f"{rate.percentage.normalize():f}",
        "inclusive": rate.inclusive,
        "jurisdiction": rate.jurisdiction or rate.country,
        "amount": amount,
    }
