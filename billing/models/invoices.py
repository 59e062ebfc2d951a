"""Invoices, their status lifecycle (INVOICE_TRANSITIONS) and their lines (invoice items)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from core.ids import new_public_id
from core.validators import validate_currency
from customers.models import Customer, LegalEntity, TaxExempt

from .common import ledger_link
from .coupons import Coupon
from .tax_rates import TaxRate


def new_invoice_id():
    return new_public_id("in_")


def new_invoice_item_id():
    return new_public_id("ii_")


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

    applied_balance_transaction = ledger_link()
    unapplied_balance_transaction = ledger_link()
    too_small_balance_transaction = ledger_link()

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
            # The Home page's sums (billing/dashboard.py), each read from its index
            # alone: invoiced per month, collected per month, and the open invoices'
            # ages and largest balances. The month range comes before the currency, so
            # the sums read the last 12 months, not every invoice ever.
            models.Index(
                fields=["finalized_at", "status", "currency", "total"], name="invoice_invoiced"
            ),
            models.Index(
                fields=["status", "paid_at", "currency", "amount_paid"], name="invoice_collected"
            ),
            models.Index(
                fields=["status", "currency", "customer", "due_date", "amount_remaining"],
                name="invoice_outstanding",
            ),
            # billing.services.reminders: an entity's open invoices in a due-date window,
            # read in (due_date, id) order a batch at a time.
            models.Index(
                fields=["legal_entity", "due_date", "id"],
                name="invoice_reminder_due",
                condition=Q(
                    status="open", collection_method="send_invoice", due_date__isnull=False
                ),
            ),
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
        # A draft has no number yet: name it by whom it is for, not by its internal ID.
        return self.number or f"Draft invoice for {self.customer.name}"

    def get_absolute_url(self):
        return reverse("billing:invoice", args=[self.public_id])

    @property
    def is_draft(self):
        return self.status == InvoiceStatus.DRAFT

    def can_become(self, status):
        return status in INVOICE_TRANSITIONS[self.status]

    # What the invoice page may offer, asked of INVOICE_TRANSITIONS rather than
    # restated in templates (the services refuse the same through can_become).
    @property
    def can_finalize(self):
        return self.can_become(InvoiceStatus.OPEN)

    @property
    def can_mark_paid(self):
        return self.can_become(InvoiceStatus.PAID)

    @property
    def has_issued_credit_notes(self):
        from .credit_notes import CreditNoteStatus  # credit_notes imports this module

        if self.pk is None:  # unsaved: no credit notes yet
            return False
        return self.credit_notes.filter(status=CreditNoteStatus.ISSUED).exists()

    @property
    def can_void(self):
        """invoice_void refuses an invoice with issued credit notes (void them first)."""
        return self.can_become(InvoiceStatus.VOID) and not self.has_issued_credit_notes

    @property
    def can_mark_uncollectible(self):
        return self.can_become(InvoiceStatus.UNCOLLECTIBLE)

    @property
    def credit_notes_total(self):
        return self.pre_payment_credit_notes_amount + self.post_payment_credit_notes_amount

    @property
    def creditable_amount(self):
        """What credit notes may still credit: the sum never exceeds the total."""
        return self.total - self.credit_notes_total

    @property
    def pre_payment_credit_room(self):
        """How much of a new credit note reduces what is still owed (its pre-payment
        part): on an open invoice, up to the amount remaining; the rest of a credit
        note, and all of it on a paid invoice, is credited after payment."""
        return self.amount_remaining if self.status == InvoiceStatus.OPEN else 0

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
