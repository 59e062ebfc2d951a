"""Recompute every balance from its transactions and check each ending-balance chain."""

from .models import BalanceTransaction, CustomerBalance


def ledger_problems(chunk_size=10_000):
    """Yield a sentence per mismatch: a chain link whose ending balance is not the
    previous one plus its amount, or a stored balance that differs from the sum."""
    sums = {}
    key = previous_balance = None
    rows = (
        BalanceTransaction.objects.order_by("customer_id", "currency", "id")
        .values_list("customer_id", "currency", "id", "public_id", "amount", "ending_balance")
        .iterator(chunk_size=chunk_size)
    )
    for customer_id, currency, _id, public_id, amount, ending_balance in rows:
        if (customer_id, currency) != key:
            key, previous_balance = (customer_id, currency), 0
        expected = previous_balance + amount
        if ending_balance != expected:
            yield (
                f"{public_id} (customer {customer_id}, {currency}): ending balance "
                f"{ending_balance}, expected {expected}"
            )
        previous_balance = ending_balance
        sums[key] = sums.get(key, 0) + amount
    stored = {
        (customer_id, currency): amount
        for customer_id, currency, amount in CustomerBalance.objects.values_list(
            "customer_id", "currency", "amount"
        )
    }
    for key in sorted(set(sums) | set(stored)):
        if sums.get(key, 0) != stored.get(key, 0):
            yield (
                f"customer {key[0]} {key[1]}: stored balance {stored.get(key, 0)}, "
                f"transactions sum to {sums.get(key, 0)}"
            )
