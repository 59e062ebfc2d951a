"""Invoice items, invoices, credit notes, tax rates and coupons.

Amounts are integer minor units of the document's currency. Only billing.services
writes here; the arithmetic is billing.totals. A finalized invoice and its lines never
change again except for their status and payment fields: what a customer was sent
stays what they were sent.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from core.ids import new_public_id
from customers.models import Customer, LegalEntity, TaxExempt
from customers.validators import validate_country, validate_currency
from ledger.models import BalanceTransaction


def new_tax_rate_id():
    return new_public_id("txr_")


def new_coupon_id():
    return new_public_id("co_")


def new_invoice_item_id():
    return new_public_id("ii_")


def new_invoice_id():
    return new_public_id("in_")


def new_credit_note_id():
    return new_public_id("cn_")


def _ledger_link(related_name="+"):
    return models.ForeignKey(
        BalanceTransaction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
        editable=False,
    )


class TaxRate(models.Model):
    public_id = models.CharField(
        "ID", max_length=40, unique=True, default=new_tax_rate_id, editable=False
    )
    display_name = models.CharField(max_length=50, help_text="Shown on invoices, like “VAT”.")
    # Fixed once created (as in Stripe): invoices refer to the rate they were taxed at.
    percentage = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    inclusive = models.BooleanField(
        default=False, help_text="Included in the line amounts rather than added to them."
    )
    country = models.CharField(max_length=2, blank=True, validators=[validate_country])
    jurisdiction = models.CharField(max_length=50, blank=True)
    active = models.BooleanField(default=True, help_text="Inactive rates are not offered.")
    default_for = models.ManyToManyField(
        Customer,
        blank=True,
        related_name="default_tax_rates",
        help_text="Customers whose lines without tax rates are taxed at this rate.",
    )
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["display_name", "percentage", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percentage__gte=0, percentage__lte=100), name="taxrate_percentage_range"
            )
        ]

    def __str__(self):
        kind = "inclusive" if self.inclusive else "exclusive"
        where = (
            f", {self.jurisdiction or self.country}" if self.jurisdiction or self.country else ""
        )
        return f"{self.display_name} {self.percentage.normalize():f}% ({kind}{where})"


class CouponDuration(models.TextChoices):
    ONCE = "once", "Once"
    FOREVER = "forever", "Forever"


class Coupon(models.Model):
    public_id = models.CharField(
        "ID", max_length=40, unique=True, default=new_coupon_id, editable=False
    )
    name = models.CharField(max_length=40)
    percent_off = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    amount_off = models.BigIntegerField(
        null=True, blank=True, help_text="In minor units of the coupon's currency."
    )
    currency = models.CharField(
        max_length=3, blank=True, validators=[validate_currency], help_text="For amount off."
    )
    duration = models.CharField(
        max_length=8, choices=CouponDuration.choices, default=CouponDuration.ONCE
    )
    active = models.BooleanField(default=True)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(percent_off__gt=0, percent_off__lte=100, amount_off__isnull=True, currency="")
                    | Q(percent_off__isnull=True, amount_off__gt=0) & ~Q(currency="")
                ),
                name="coupon_percent_or_amount",
            ),
            models.CheckConstraint(
                condition=Q(duration__in=CouponDuration.values), name="coupon_duration_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def applies_to(self, currency):
        """An amount-off coupon in another currency is ignored (never converted)."""
        return self.amount_off is None or self.currency == currency

    def clean(self):
        # Field errors, not one form-wide error: they say which input to fix, and
        # Django then skips its generic "constraint violated" message for those fields.
        from django.core.exceptions import ValidationError

        errors = {}
        if self.percent_off is None and self.amount_off is None:
            errors["percent_off"] = "Enter a percent off or an amount off."
        elif self.percent_off is not None and self.amount_off is not None:
            errors["amount_off"] = "Enter a percent off or an amount off, not both."
        elif self.percent_off is not None:
            if self.percent_off <= 0:
                errors["percent_off"] = "Enter a percent off greater than zero."
            if self.currency:
                errors["currency"] = "A percent-off coupon has no currency: leave it blank."
        else:
            if self.amount_off <= 0:
                errors["amount_off"] = "Enter an amount off greater than zero."
            if not self.currency:
                errors["currency"] = "An amount off needs a currency."
        if errors:
            raise ValidationError(errors)


class CustomerCoupon(models.Model):
    """The coupon a customer's next invoices get (once: only the next one)."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, primary_key=True, related_name="coupon"
    )
    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self):
        return f"{self.customer}: {self.coupon}"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    PAID = "paid", "Paid"
    VOID = "void", "Void"
    UNCOLLECTIBLE = "uncollectible", "Uncollectible"


# The only status changes there are (Stripe's lifecycle): an uncollectible invoice can
# still be paid or voided; paid and void are final.
INVOICE_TRANSITIONS = {
    InvoiceStatus.DRAFT: {InvoiceStatus.OPEN},
    InvoiceStatus.OPEN: {InvoiceStatus.PAID, InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE},
    InvoiceStatus.UNCOLLECTIBLE: {InvoiceStatus.PAID, InvoiceStatus.VOID},
    InvoiceStatus.PAID: set(),
    InvoiceStatus.VOID: set(),
}


class CollectionMethod(models.TextChoices):
    SEND_INVOICE = "send_invoice", "Email invoice to the customer to pay manually"


class Invoice(models.Model):
    public_id = models.CharField(
        "ID", max_length=40, unique=True, default=new_invoice_id, editable=False
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices")
    legal_entity = models.ForeignKey(LegalEntity, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=40, null=True, blank=True, unique=True)
    status = models.CharField(
        max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    currency = models.CharField(max_length=3, validators=[validate_currency])
    collection_method = models.CharField(
        max_length=16, choices=CollectionMethod.choices, default=CollectionMethod.SEND_INVOICE
    )
    days_until_due = models.PositiveSmallIntegerField(
        default=30, validators=[MaxValueValidator(365)]
    )
    due_date = models.DateField(null=True, blank=True)
    memo = models.TextField(max_length=5000, blank=True)
    footer = models.TextField(max_length=5000, blank=True)
    coupon = models.ForeignKey(
        Coupon, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The customer's once-only coupon, used up by this draft: given back if the draft
    # is deleted or its coupon changed before it is issued.
    coupon_from_customer = models.BooleanField(default=False, editable=False)
    default_tax_rates = models.ManyToManyField(TaxRate, blank=True, related_name="+")

    # Totals, recomputed on every change of a draft and frozen at finalization.
    subtotal = models.BigIntegerField(default=0)
    discount = models.BigIntegerField(default=0)
    tax = models.BigIntegerField(default=0, help_text="All tax, inclusive and exclusive.")
    exclusive_tax = models.BigIntegerField(default=0)
    tax_amounts = models.JSONField(default=list, blank=True, editable=False)
    total = models.BigIntegerField(default=0)
    # The customer's tax status the totals were computed with: finalization recomputes
    # only if it has changed since (every other input changes through the services).
    taxed_as = models.CharField(max_length=8, blank=True, editable=False)
    # From the credit balance at finalization: negative when credit reduced the
    # amount due, positive when an owed balance was added to it.
    applied_balance = models.BigIntegerField(default=0)
    amount_due = models.BigIntegerField(default=0)
    amount_paid = models.BigIntegerField(default=0)
    amount_remaining = models.BigIntegerField(default=0)
    pre_payment_credit_notes_amount = models.BigIntegerField(default=0)
    post_payment_credit_notes_amount = models.BigIntegerField(default=0)

    # Frozen at finalization: what the document says, whatever changes later.
    customer_snapshot = models.JSONField(null=True, blank=True, editable=False)
    seller_snapshot = models.JSONField(null=True, blank=True, editable=False)

    applied_balance_transaction = _ledger_link()
    unapplied_balance_transaction = _ledger_link()
    too_small_balance_transaction = _ledger_link()

    created = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    finalized_at = models.DateTimeField(null=True, blank=True, editable=False)
    paid_at = models.DateTimeField(null=True, blank=True, editable=False)
    paid_out_of_band = models.BooleanField(default=False, editable=False)
    voided_at = models.DateTimeField(null=True, blank=True, editable=False)
    marked_uncollectible_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created", "-id"]
        permissions = [("export_invoice", "Can export invoices")]
        indexes = [
            models.Index(fields=["-created", "-id"], name="invoice_created"),
            models.Index(fields=["customer", "-created", "-id"], name="invoice_customer"),
            models.Index(fields=["status", "-created", "-id"], name="invoice_status"),
            models.Index(fields=["currency", "-created", "-id"], name="invoice_currency"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=InvoiceStatus.values), name="invoice_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=InvoiceStatus.DRAFT) | Q(number__isnull=False),
                name="invoice_finalized_has_number",
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0, amount_due__gte=0, amount_remaining__gte=0),
                name="invoice_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(total=F("subtotal") - F("discount") + F("exclusive_tax")),
                name="invoice_total_adds_up",
            ),
        ]

    def __str__(self):
        return self.number or f"Draft {self.public_id}"

    def get_absolute_url(self):
        return reverse("billing:invoice", args=[self.public_id])

    @property
    def is_draft(self):
        return self.status == InvoiceStatus.DRAFT

    def can_become(self, status):
        return status in INVOICE_TRANSITIONS[self.status]

    @property
    def credit_notes_total(self):
        return self.pre_payment_credit_notes_amount + self.post_payment_credit_notes_amount

    @property
    def creditable_amount(self):
        """What credit notes may still credit: the sum never exceeds the total."""
        return self.total - self.credit_notes_total

    @property
    def refundable_amount(self):
        """What credit notes may still refund: the money paid out of band, less every
        refund recorded (a voided note's too: that money left all the same). Credit
        balance applied, a too-small amount carried forward or a credit note never paid
        anything."""
        refunds = self.credit_notes.aggregate(total=models.Sum("refund_amount"))["total"]
        return self.amount_paid - (refunds or 0)

    @property
    def can_be_credited(self):
        return (
            self.status in (InvoiceStatus.OPEN, InvoiceStatus.PAID) and self.creditable_amount > 0
        )

    @property
    def reverse_charge(self):
        snapshot = self.customer_snapshot or {}
        tax_exempt = snapshot.get("tax_exempt", self.customer.tax_exempt)
        return tax_exempt == TaxExempt.REVERSE


class InvoiceItem(models.Model):
    """A line: pending (no invoice yet) or on an invoice."""

    public_id = models.CharField(
        "ID", max_length=40, unique=True, default=new_invoice_item_id, editable=False
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="invoice_items", db_index=False
    )
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    description = models.CharField(max_length=500)
    quantity = models.PositiveIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(1_000_000)]
    )
    unit_amount = models.BigIntegerField(help_text="In minor units.")
    amount = models.BigIntegerField(help_text="Quantity × unit amount, in minor units.")
    currency = models.CharField(max_length=3, validators=[validate_currency])
    tax_rates = models.ManyToManyField(TaxRate, blank=True, related_name="+")
    discountable = models.BooleanField(default=True)
    created = models.DateTimeField(default=timezone.now, editable=False)
    # Computed with the invoice's totals: the line's share of the discount and its
    # tax per rate ([{"tax_rate", "display_name", "percentage", "inclusive", "amount"}]).
    discount_amount = models.BigIntegerField(default=0, editable=False)
    tax_amounts = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["created", "id"]
        indexes = [
            # The pending items an invoice pulls: oldest first, per currency.
            models.Index(
                fields=["customer", "currency", "created", "id"],
                name="invoiceitem_pending",
                condition=Q(invoice__isnull=True),
            ),
            models.Index(fields=["customer", "-created"], name="invoiceitem_customer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1, unit_amount__gte=0), name="invoiceitem_amounts_valid"
            ),
            models.CheckConstraint(
                condition=Q(amount=F("quantity") * F("unit_amount")),
                name="invoiceitem_amount_is_quantity_times_unit",
            ),
        ]

    def __str__(self):
        return self.description

    @property
    def exclusive_tax(self):
        return sum(t["amount"] for t in self.tax_amounts if not t["inclusive"])

    @property
    def total(self):
        """What the line adds to the invoice total: amount − discount + exclusive tax."""
        return self.amount - self.discount_amount + self.exclusive_tax


class CreditNoteReason(models.TextChoices):
    DUPLICATE = "duplicate", "Duplicate"
    FRAUDULENT = "fraudulent", "Fraudulent"
    ORDER_CHANGE = "order_change", "Order change"
    PRODUCT_UNSATISFACTORY = "product_unsatisfactory", "Product unsatisfactory"


class CreditNoteStatus(models.TextChoices):
    ISSUED = "issued", "Issued"
    VOID = "void", "Void"


class CreditNote(models.Model):
    public_id = models.CharField(
        "ID", max_length=40, unique=True, default=new_credit_note_id, editable=False
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    number = models.CharField(max_length=48, unique=True)
    status = models.CharField(
        max_length=8, choices=CreditNoteStatus.choices, default=CreditNoteStatus.ISSUED
    )
    reason = models.CharField(max_length=24, choices=CreditNoteReason.choices, blank=True)
    memo = models.TextField(max_length=5000, blank=True)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    amount = models.BigIntegerField(help_text="Total credited, in minor units.")
    # How the amount was allocated: first against what was still owed on the invoice
    # (pre-payment), then the rest as the staff member chose.
    pre_payment_amount = models.BigIntegerField(default=0)
    credit_amount = models.BigIntegerField(default=0, help_text="To the credit balance.")
    refund_amount = models.BigIntegerField(default=0, help_text="Refunded (recorded only).")
    out_of_band_amount = models.BigIntegerField(default=0, help_text="Settled outside.")
    balance_transaction = _ledger_link()
    void_balance_transaction = _ledger_link()
    created = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    voided_at = models.DateTimeField(null=True, blank=True, editable=False)
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="creditnote_idempotency_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(
                    amount__gt=0,
                    pre_payment_amount__gte=0,
                    credit_amount__gte=0,
                    refund_amount__gte=0,
                    out_of_band_amount__gte=0,
                ),
                name="creditnote_amounts_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    amount=F("pre_payment_amount")
                    + F("credit_amount")
                    + F("refund_amount")
                    + F("out_of_band_amount")
                ),
                name="creditnote_allocation_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CreditNoteStatus.values), name="creditnote_status_valid"
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("billing:credit_note", args=[self.public_id])

    @property
    def post_payment_amount(self):
        return self.credit_amount + self.refund_amount + self.out_of_band_amount

    @property
    def void_refusal(self):
        """Why this credit note cannot be voided, or "" if it can. As in Stripe, only
        while its invoice is unpaid (open, or uncollectible: still owed, nothing paid).
        Once paid, it is final: a refund has left, a credit may be spent, and voiding
        would free room to credit the same amount again."""
        if self.status == CreditNoteStatus.VOID:
            return "This credit note is already void."
        if self.invoice.status not in (InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE):
            return (
                f"Invoice {self.invoice.number} is {self.invoice.get_status_display().lower()}: "
                "its credit notes can no longer be voided. A credit note is voided only while "
                "its invoice is unpaid."
            )
        return ""

    @property
    def can_be_voided(self):
        return not self.void_refusal


class CreditNoteLine(models.Model):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")
    invoice_line = models.ForeignKey(
        InvoiceItem, null=True, blank=True, on_delete=models.PROTECT, related_name="credited"
    )
    description = models.CharField(max_length=500)
    amount = models.BigIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="creditnoteline_amount_positive")
        ]

    def __str__(self):
        return self.description
