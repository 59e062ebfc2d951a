"""customer_balance_transaction."""

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from billing.models import CreditNote, Invoice
from ledger.models import BalanceTransaction

from .common import currency, or_none, timestamp


def with_links(transactions: QuerySet[BalanceTransaction]) -> QuerySet[BalanceTransaction]:
    """The transactions with what balance_transaction_object needs in the same query: the
    customer, and the public IDs of the invoice or credit note that posted each (they
    hold the link, each in one of a few columns, every one indexed)."""

    def linked(model: Any, *links: str) -> Coalesce:
        return Coalesce(
            *(
                Subquery(model.objects.filter(**{link: OuterRef("pk")}).values("public_id")[:1])
                for link in links
            )
        )

    return transactions.select_related("customer").annotate(
        invoice_public_id=linked(
            Invoice,
            "applied_balance_transaction",
            "unapplied_balance_transaction",
            "too_small_balance_transaction",
        ),
        credit_note_public_id=linked(CreditNote, "balance_transaction", "void_balance_transaction"),
    )


def balance_transaction_object(txn: BalanceTransaction) -> dict[str, Any]:
    """`txn` comes from with_links."""
    return {
        "id": txn.public_id,
        "object": "customer_balance_transaction",
        "amount": txn.amount,
        "created": timestamp(txn.created),
        "credit_note": txn.credit_note_public_id,  # type: ignore[attr-defined]
        "currency": currency(txn.currency),
        "customer": txn.customer.public_id,
        "description": or_none(txn.description),
        "ending_balance": txn.ending_balance,
        "invoice": txn.invoice_public_id,  # type: ignore[attr-defined]
        "livemode": False,
        "metadata": txn.metadata,
        "type": txn.type,
    }
