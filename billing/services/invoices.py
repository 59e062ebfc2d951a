"""Invoice items and invoices."""

from collections import namedtuple
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from customers.models import Customer
from ledger import services as ledger
from ledger.models import TransactionType
from ledger.money import MAX_MAJOR_UNITS, MoneyError, check_currency, format_money, max_typed_amount

from .. import minimums, snapshots, totals
from ..models import CustomerCoupon, Invoice, InvoiceItem, InvoiceStatus, TaxRate
from .coupons import choose_coupon, give_back_coupon, take_customer_coupon

MAX_INVOICE_LINES = 250
# The most an invoice may total, in minor units (USD 10 trillion, KWD 1 trillion): checked
# as lines are added, so finalization never refuses an amount. 250 lines at the most a
# line may be (MAX_MAJOR_UNITS, at three decimals) stay under it even with 100 % tax; it
# leaves room for 9,000 such invoices in one balance before 64 bits overflow.
MAX_INVOICE_TOTAL = 10**15


# Invoice items


def item_add(
    *, customer, description, unit_amount, currency, quantity=1, tax_rates=(),
    discountable=True, invoice=None,
):  # fmt: skip
    """A pending invoice item, or a line added to a draft invoice."""
    _check_live(customer)
    tax_rates = list(tax_rates)
    _check_item(unit_amount=unit_amount, quantity=quantity, currency=currency, tax_rates=tax_rates)
    with transaction.atomic():
        if invoice is not None:
            invoice = _lock_draft(invoice)
            if invoice.customer_id != customer.pk or invoice.currency != currency:
                raise ValidationError("A line must be for the invoice's customer and currency.")
            if invoice.lines.count() >= MAX_INVOICE_LINES:
                raise ValidationError(f"An invoice has at most {MAX_INVOICE_LINES} lines.")
        item = InvoiceItem(
            customer=customer,
            invoice=invoice,
            description=description,
            quantity=quantity,
            unit_amount=unit_amount,
            amount=quantity * unit_amount,
            currency=currency,
            discountable=discountable,
        )
        item.full_clean(exclude=["customer", "invoice"])
        item.save()
        item.tax_rates.set(tax_rates)
        if invoice is not None:
            _recompute(invoice)
            _check_total(invoice)
            invoice.save()
    return item


def _check_item(*, unit_amount, quantity, currency, tax_rates):
    try:
        check_currency(currency)
    except MoneyError as error:
        raise ValidationError({"currency": str(error)}) from None
    limit = max_typed_amount(currency)
    if not isinstance(unit_amount, int) or not 0 <= unit_amount * quantity <= limit:
        raise ValidationError(
            {"unit_amount": f"The amount must be between 0 and {MAX_MAJOR_UNITS:,} {currency}."}
        )
    if len({rate.inclusive for rate in tax_rates}) > 1:
        raise ValidationError(
            {"tax_rates": "A line's tax rates must be all inclusive or all exclusive."}
        )
    if any(not rate.active for rate in tax_rates):
        raise ValidationError({"tax_rates": "Inactive tax rates cannot be added."})


def item_delete(*, item):
    """Delete a pending item or a line of a draft invoice."""
    with transaction.atomic():
        # The invoice first, as every other change of a draft locks it.
        invoice = _lock_draft(item.invoice) if item.invoice_id else None
        item = InvoiceItem.objects.select_for_update().filter(pk=item.pk).first()
        if item is None:
            raise ValidationError("This item was already deleted.")
        if item.invoice_id != (invoice.pk if invoice else None):
            raise ValidationError("This item was moved to an invoice meanwhile. Reload the page.")
        item.tax_rates.clear()
        item.delete()
        if invoice is not None:
            _recompute(invoice)
            invoice.save()


def customer_billing_defaults_set(*, customer, tax_rates, coupon):
    """The tax rates for a customer's lines without their own, and the coupon its next
    invoices get."""
    tax_rates = list(tax_rates)
    if len({rate.inclusive for rate in tax_rates}) > 1:
        raise ValidationError(
            {"tax_rates": "Default tax rates must be all inclusive or all exclusive."}
        )
    with transaction.atomic():
        customer.default_tax_rates.set(tax_rates)
        if coupon is None:
            CustomerCoupon.objects.filter(customer=customer).delete()
        else:
            CustomerCoupon.objects.update_or_create(customer=customer, defaults={"coupon": coupon})


# Invoices


def invoice_create(
    *, customer, currency=None, days_until_due=None, memo="", footer=None, created_by=None
):
    """A draft invoice in `currency` (the customer's by default) with the customer's
    oldest pending items in that currency, up to 250; later ones stay pending."""
    _check_live(customer)
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
            .values_list("pk", flat=True)[:MAX_INVOICE_LINES]
        )
        InvoiceItem.objects.filter(pk__in=pending, invoice__isnull=True).update(invoice=invoice)
        _recompute(invoice)
        _check_total(
            invoice,
            hint=f" Remove some of the customer's pending {currency} items (a draft takes "
            "the oldest 250), then create the invoice.",
        )
        invoice.save()
    return invoice


def invoice_currencies(customer):
    """The currencies a new invoice of this customer may be in: its own and those of its
    pending items (any currency when it has neither)."""
    pending = (
        InvoiceItem.objects.filter(customer=customer, invoice__isnull=True)
        .order_by("currency")
        .values_list("currency", flat=True)
        .distinct()
    )
    return list(dict.fromkeys(c for c in [customer.default_currency, *pending] if c))


def invoice_update(*, invoice, memo, footer, days_until_due, coupon):
    """Change a draft's memo, footer, terms or coupon."""
    with transaction.atomic():
        invoice = _lock_draft(invoice)
        if coupon != invoice.coupon:
            choose_coupon(invoice, coupon)
        invoice.memo, invoice.footer = memo, footer
        invoice.days_until_due = days_until_due
        invoice.due_date = timezone.localdate() + timedelta(days=days_until_due)
        invoice.full_clean(exclude=["customer", "legal_entity", "coupon", "created_by"])
        _recompute(invoice)
        _check_total(invoice)  # a coupon taken off
        invoice.save()
    return invoice


def invoice_delete(*, invoice):
    """Delete a draft; its lines become pending items again."""
    with transaction.atomic():
        invoice = _lock_draft(invoice)
        give_back_coupon(invoice)
        invoice.lines.update(invoice=None, discount_amount=0, tax_amounts=[])
        invoice.default_tax_rates.clear()
        invoice.delete()


def invoice_finalize(*, invoice, now=None):
    """Make a draft an issued invoice: number it, freeze what it says about the customer
    and the seller, and take the customer's credit balance in its currency."""
    now = now or timezone.now()
    with transaction.atomic():
        invoice = _lock_draft(invoice)
        customer = invoice.customer
        if customer.is_deleted:  # read under the lock just taken
            raise ValidationError("This customer is deleted. Restore it first.")
        # Issued under the customer's entity as it is now, like the rest of the snapshot.
        invoice.legal_entity = customer.legal_entity
        invoice.number = _next_number(customer)
        invoice.customer_snapshot = snapshots.customer_snapshot(customer)
        invoice.seller_snapshot = snapshots.seller_snapshot(invoice.legal_entity)
        changed = FINALIZED_FIELDS
        if invoice.taxed_as != customer.tax_exempt:
            _recompute(invoice)
            changed = None  # the totals too
        invoice.status = InvoiceStatus.OPEN
        invoice.finalized_at = now
        invoice.due_date = timezone.localdate(now) + timedelta(days=invoice.days_until_due)
        _apply_balance(invoice)
        invoice.save(update_fields=changed)
    return invoice


# What finalizing a draft whose totals stand sets (saving only these is faster).
FINALIZED_FIELDS = [
    "legal_entity", "number", "customer_snapshot", "seller_snapshot", "status", "finalized_at",
    "due_date", "applied_balance", "applied_balance_transaction", "amount_due",
    "amount_remaining", "too_small_balance_transaction", "amount_paid", "paid_at",
]  # fmt: skip


def _next_number(customer):
    """`<prefix>-<sequence>` from the customer's next sequence, taken under the
    customer row's lock. A number already used (the prefix or sequence was edited) is
    skipped: numbers are unique and never reused."""
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE customers_customer SET next_invoice_sequence = next_invoice_sequence + 1 "
                "WHERE id = %s RETURNING invoice_prefix, next_invoice_sequence - 1",
                [customer.pk],
            )
            prefix, sequence = cursor.fetchone()
            number = f"{prefix}-{sequence:04d}"
            cursor.execute("SELECT 1 FROM billing_invoice WHERE number = %s", [number])
            if cursor.fetchone() is None:
                return number


def _apply_balance(invoice):
    balance = ledger.balance_for_update(customer=invoice.customer, currency=invoice.currency)
    applied = totals.apply_balance(invoice.total, balance)
    if applied:
        invoice.applied_balance_transaction = ledger.transaction_post(
            customer=invoice.customer,
            type=TransactionType.APPLIED_TO_INVOICE,
            amount=-applied,
            currency=invoice.currency,
            description=f"Applied to invoice {invoice.number}",
        )
    invoice.applied_balance = applied
    invoice.amount_due = invoice.total + applied
    invoice.amount_remaining = invoice.amount_due
    if invoice.amount_due == 0:
        _settle(invoice)
    elif invoice.amount_due < minimums.minimum_charge(invoice.currency):
        # Too small to collect: the invoice is paid and the amount is owed on the next.
        invoice.too_small_balance_transaction = ledger.transaction_post(
            customer=invoice.customer,
            type=TransactionType.INVOICE_TOO_SMALL,
            amount=invoice.amount_due,
            currency=invoice.currency,
            description=f"Invoice {invoice.number} was below the minimum chargeable amount",
        )
        _settle(invoice)


def _settle(invoice, *, paid=0):
    invoice.status = InvoiceStatus.PAID
    invoice.amount_paid += paid
    invoice.amount_remaining = 0
    invoice.paid_at = timezone.now()


def invoice_mark_paid(*, invoice):
    """Paid outside the app (a bank transfer, a cheque): nothing is left to pay."""
    with transaction.atomic():
        invoice = _lock_for(invoice, InvoiceStatus.PAID)
        invoice.paid_out_of_band = True
        _settle(invoice, paid=invoice.amount_remaining)
        invoice.save()
    return invoice


def invoice_void(*, invoice):
    """Cancel an issued invoice; credit it took from the balance goes back."""
    with transaction.atomic():
        invoice = _lock_for(invoice, InvoiceStatus.VOID)
        if invoice.credit_notes.filter(status="issued").exists():
            raise ValidationError("Void this invoice's credit notes first.")
        applied = invoice.applied_balance_transaction
        if applied is not None:
            invoice.unapplied_balance_transaction = ledger.transaction_post(
                customer=invoice.customer,
                type=TransactionType.UNAPPLIED_FROM_INVOICE,
                amount=-applied.amount,
                currency=invoice.currency,
                description=f"Unapplied from voided invoice {invoice.number}",
            )
        invoice.status = InvoiceStatus.VOID
        invoice.amount_remaining = 0
        invoice.voided_at = timezone.now()
        invoice.save()
    return invoice


def invoice_mark_uncollectible(*, invoice):
    with transaction.atomic():
        invoice = _lock_for(invoice, InvoiceStatus.UNCOLLECTIBLE)
        invoice.status = InvoiceStatus.UNCOLLECTIBLE
        invoice.marked_uncollectible_at = timezone.now()
        invoice.save()
    return invoice


def _lock(invoice):
    # Locks the invoice and customer rows; the customer's seller comes in the same
    # read (finalization snapshots it), unlocked. FOR NO KEY UPDATE, not FOR UPDATE:
    # an adjustment holding the balance row this transaction waits for share-locks
    # the customer's key at COMMIT (the ledger row's foreign key check), which FOR
    # UPDATE blocks (a deadlock on PostgreSQL) and FOR NO KEY UPDATE lets through.
    return (
        Invoice.objects.select_for_update(of=("self", "customer"), no_key=True)
        .select_related("customer__legal_entity")
        .get(pk=invoice.pk)
    )


def _lock_draft(invoice):
    invoice = _lock(invoice)
    if not invoice.is_draft:
        raise ValidationError("Only a draft invoice can be changed; this one is finalized.")
    return invoice


def _lock_for(invoice, status):
    invoice = _lock(invoice)
    if not invoice.can_become(status):
        raise ValidationError(
            f"A {invoice.get_status_display().lower()} invoice cannot become "
            f"{InvoiceStatus(status).label.lower()}."
        )
    return invoice


def _check_live(customer):
    if Customer.objects.deleted().filter(pk=customer.pk).exists():
        raise ValidationError("This customer is deleted. Restore it first.")


def _check_total(invoice, hint=""):
    if invoice.total > MAX_INVOICE_TOTAL:
        most = format_money(MAX_INVOICE_TOTAL, invoice.currency)
        raise ValidationError(
            f"An invoice totals at most {most}: this would make it "
            f"{format_money(invoice.total, invoice.currency)}.{hint}"
        )


def _recompute(invoice):
    """Work out a draft's totals from its lines (and their share of each)."""
    # The lines and their rates in one query: a row per line and rate (one without a
    # rate for a line that has none), each line's rates in TaxRate's order as
    # line.tax_rates.all() gives them; the invoice's default rates only if needed.
    rows = invoice.lines.order_by(
        "created", "id", *(f"tax_rates__{name}" for name in TaxRate._meta.ordering)
    ).values_list(*_LINE_FIELDS, *(f"tax_rates__{name}" for name in _RATE_FIELDS))
    lines, line_rates, known = {}, {}, {}
    for row in rows:
        line, rate = _Line(*row[: len(_LINE_FIELDS)]), row[len(_LINE_FIELDS) :]
        lines.setdefault(line.pk, line)
        line_rates.setdefault(line.pk, [])
        if rate[0] is not None:
            if rate[0] not in known:
                known[rate[0]] = TaxRate(*rate)
            line_rates[line.pk].append(known[rate[0]])
    lines = list(lines.values())
    needs_defaults = not all(line_rates.values())
    defaults = list(invoice.default_tax_rates.all()) if needs_defaults else []
    rates = [line_rates[line.pk] or defaults for line in lines]
    invoice.taxed_as = invoice.customer.tax_exempt
    taxable = invoice.taxed_as == "none"
    coupon = (
        invoice.coupon if invoice.coupon and invoice.coupon.applies_to(invoice.currency) else None
    )
    try:
        result = _compute(lines, rates, coupon, taxable)
    except totals.MixedTaxRatesError as error:
        raise ValidationError(str(error)) from None
    by_pk = {rate.pk: rate for line_rates in rates for rate in line_rates}
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


_LINE_FIELDS = ("pk", "amount", "discountable", "discount_amount", "tax_amounts")
_Line = namedtuple("_Line", _LINE_FIELDS)
# In TaxRate's constructor order, so TaxRate(*values) makes one.
_RATE_FIELDS = [field.attname for field in TaxRate._meta.concrete_fields]


def _compute(lines, rates, coupon, taxable):
    return totals.compute(
        [
            totals.Line(
                amount=line.amount,
                discountable=line.discountable,
                rates=tuple(totals.Rate(r.pk, r.percentage, r.inclusive) for r in line_rates),
            )
            for line, line_rates in zip(lines, rates, strict=True)
        ],
        discount=coupon
        and totals.Discount(percent_off=coupon.percent_off, amount_off=coupon.amount_off),
        taxable=taxable,
    )


def _tax_amount(rate, amount):
    return {
        "tax_rate": rate.public_id,
        "display_name": rate.display_name,
        "percentage": f"{rate.percentage.normalize():f}",
        "inclusive": rate.inclusive,
        "jurisdiction": rate.jurisdiction or rate.country,
        "amount": amount,
    }
