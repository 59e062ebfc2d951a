"""Recompute every balance from its transactions and check each ending-balance chain."""

from collections.abc import Iterator

from .models import BalanceTransaction, CustomerBalance


def ledger_problems(chunk_size: int = 10_000) -> Iterator[str]:
    """Yield a sentence per mismatch: a chain link whose ending balance is not the
    previous one plus its amount, or a stored balance that differs from the sum."""
    sums: dict[tuple[int, str], int] = {}
    key: tuple[int, str] | None = None  # the chain being read
    previous_balance = 0
    rows = (
        BalanceTransaction.objects.order_by("customer_id", "currency", "id")
        .values_list("customer_id", "currency", "id", "public_id", "amount", "ending_balance")
        .iterator(chunk_size=chunk_size)
    )
    for customer_id, currency, _id, public_id, amount, ending_balance in rows:
        chain = (customer_id, currency)
        if chain != key:
            key, previous_balance = chain, 0
        expected = previous_balance + amount
        if ending_balance != expected:
            yield (
                f"{public_id} (customer {customer_id}, {currency}): ending balance "
                f"{ending_balance}, expected {expected}"
            )
        previous_balance = ending_balance
        sums[chain] = sums.get(chain, 0) + amount
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
