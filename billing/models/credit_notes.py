"""Credit notes against finalized invoices, their reasons, statuses and lines."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from core.ids import new_public_id
from core.validators import validate_currency

from .common import ledger_link
from .invoices import Invoice, InvoiceItem, InvoiceStatus


def new_credit_note_id():
    return new_public_id("cn_")


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
    balance_transaction = ledger_link()
    void_balance_transaction = ledger_link()
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

    @property
    def final_reason(self):
        """Why an issued credit note can no longer be voided ("" if it can, or is void)."""
        return "" if self.status == CreditNoteStatus.VOID else self.void_refusal


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
