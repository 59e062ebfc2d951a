"""The credit balance ledger: immutable balance transactions and, per customer and
currency, the running balance they add up to.

Only ledger.services writes here. After creation a transaction's description and
metadata may change, nothing else: the model, its queryset, the admin and database
triggers (ledger/triggers.py) all refuse.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.ids import new_public_id
from core.validators import validate_currency, validate_metadata
from customers.models import Customer


def new_transaction_id():
    return new_public_id("cbtxn_")


class TransactionType(models.TextChoices):
    ADJUSTMENT = "adjustment", "Adjustment"
    APPLIED_TO_INVOICE = "applied_to_invoice", "Applied to invoice"
    UNAPPLIED_FROM_INVOICE = "unapplied_from_invoice", "Unapplied from invoice"
    CREDIT_NOTE = "credit_note", "Credit note"
    INVOICE_TOO_SMALL = "invoice_too_small", "Invoice too small"
    INVOICE_TOO_LARGE = "invoice_too_large", "Invoice too large"
    INITIAL = "initial", "Starting balance"
    UNSPENT_RECEIVER_CREDIT = "unspent_receiver_credit", "Unspent receiver credit"


MUTABLE_FIELDS = frozenset({"description", "metadata"})


class ImmutableTransactionError(Exception):
    pass


class BalanceTransactionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if not set(kwargs) <= MUTABLE_FIELDS:
            raise ImmutableTransactionError(
                "Only the description and metadata of a balance transaction can change."
            )
        return super().update(**kwargs)

    def delete(self):
        raise ImmutableTransactionError("Balance transactions cannot be deleted.")

    # The manager built from this queryset reads these off the functions; mypy cannot
    # type an attribute set on a function.
    update.queryset_only = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


class BalanceTransaction(models.Model):
    public_id = models.CharField(
        "ID", max_length=40, unique=True, default=new_transaction_id, editable=False
    )
    # Indexed by the composite indexes below, which start with the customer.
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="balance_transactions", db_index=False
    )
    type = models.CharField(max_length=24, choices=TransactionType.choices)
    # Negative: a credit (the customer is owed). Positive: a debit (the customer owes).
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, validators=[validate_currency])
    ending_balance = models.BigIntegerField()
    description = models.CharField(max_length=350, blank=True)
    internal_note = models.TextField(max_length=1000, blank=True)
    metadata = models.JSONField(default=dict, blank=True, validators=[validate_metadata])
    # Not indexed: nothing lists transactions by who made them, and every index
    # costs each adjustment a write.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    created = models.DateTimeField(default=timezone.now)
    # A reversal points at what it undoes; unique, so each is undone once.
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals",
        db_index=False,
    )  # fmt: skip
    idempotency_key = models.CharField(max_length=100, blank=True)

    objects = BalanceTransactionQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        permissions = [("export_balancetransaction", "Can export balance transactions")]
        indexes = [
            models.Index(fields=["customer", "currency", "id"], name="balancetxn_customer_chain"),
            models.Index(fields=["customer", "-id"], name="balancetxn_customer_recent"),
        ]
        constraints = [
            # Partial: most transactions have neither, and an index entry for each
            # empty one would cost every insert.
            models.UniqueConstraint(
                fields=["reverses"],
                condition=Q(reverses__isnull=False),
                name="balancetxn_reversed_once",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="balancetxn_idempotency_key_unique",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="balancetxn_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(type__in=TransactionType.values), name="balancetxn_type_valid"
            ),
        ]

    def __str__(self):
        return self.public_id

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or not set(update_fields) <= MUTABLE_FIELDS:
                raise ImmutableTransactionError(
                    "Only the description and metadata of a balance transaction can change; "
                    "save with update_fields."
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableTransactionError("Balance transactions cannot be deleted.")

    @property
    def is_credit(self):
        return self.amount < 0

    @property
    def can_be_reversed(self):
        if self.type != TransactionType.ADJUSTMENT or self.reverses_id is not None:
            return False
        # The history annotates is_reversed; a lone transaction asks.
        is_reversed = getattr(self, "is_reversed", None)
        if is_reversed is None:
            is_reversed = self.reversals.exists()
        return not is_reversed


class CustomerBalance(models.Model):
    """The current balance of one customer in one currency: the ending balance of its
    latest transaction, so reading it costs the same at ten or ten million
    transactions. Inserting a transaction moves it (a database trigger, in the same
    database transaction); nothing else may change or delete it (ledger/triggers.py)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="balances")
    currency = models.CharField(max_length=3, validators=[validate_currency])
    amount = models.BigIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "currency"], name="customerbalance_one_per_currency"
            )
        ]
        indexes = [
            # For the Customers page filters "has credit balance" and "owes".
            models.Index(fields=["amount", "customer"], name="customerbalance_amount"),
        ]

    def __str__(self):
        return f"{self.customer} {self.currency} {self.amount}"
