"""Credit balance ledger speed: adjustments per second (one hot customer, and spread
over many), the balance read for a customer with 1,000,000 transactions, and
verify_ledger over them.

    python bench/ledger.py                                  # scratch SQLite in bench/out/
    python bench/ledger.py --database-url postgres://...    # an empty scratch PostgreSQL DB
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import setup_django  # noqa: E402


def adjustments_per_second(customers, count):
    from ledger.services import balance_adjust

    started = time.perf_counter()
    for n in range(count):
        balance_adjust(
            customer=customers[n % len(customers)], amount=-(n % 997 + 1), currency="USD"
        )
    return count / (time.perf_counter() - started)


def seed_history(customer, count):
    """`count` chained transactions for one customer, inserted in bulk (each insert
    moves the balance row, which must exist first: ledger/triggers.py).

    On PostgreSQL the seed goes in as a restore would, with the triggers off and the
    balance row written once at the end: a million updates of one row in one transaction
    leave a million row versions that each next update walks (quadratic; no real
    operation posts more than a few transactions to one balance at a time)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from ledger.models import CustomerBalance, new_transaction_id

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = (
        "INSERT INTO ledger_balancetransaction (public_id, customer_id, type, amount, currency, "
        "ending_balance, description, internal_note, metadata, idempotency_key, created) "
        "VALUES (%s, %s, 'adjustment', %s, 'EUR', %s, '', '', '{}', '', %s)"
    )
    balance = 0
    restoring = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if restoring:
            cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off
        else:
            CustomerBalance.objects.create(customer=customer, currency="EUR")
        batch = []
        for n in range(count):
            amount = -(n % 500 + 1) if n % 3 else n % 700 + 1
            balance += amount
            batch.append((new_transaction_id(), customer.pk, amount, balance, now))
            if len(batch) == 20_000:
                cursor.executemany(sql, batch)
                batch.clear()
        cursor.executemany(sql, batch)
        if restoring:
            CustomerBalance.objects.create(customer=customer, currency="EUR", amount=balance)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--adjustments", type=int, default=3000)
    parser.add_argument("--history", type=int, default=1_000_000)
    args = parser.parse_args()
    setup_django(args.database_url, f"ledger-{args.history}")

    from django.db import connection

    from bench.customers import timed
    from ledger.models import CustomerBalance
    from ledger.selectors import customer_balances
    from ledger.verify import ledger_problems
    from tests.factories import make_customer

    print(f"\nLedger on {connection.vendor}")
    hot = make_customer(name="Hot")
    many = [make_customer(name=f"Spread {n}") for n in range(500)]
    rate = adjustments_per_second([hot], args.adjustments)
    print(f"adjustments, one hot customer:   {rate:,.0f}/s ({args.adjustments:,} in one process)")
    rate = adjustments_per_second(many, args.adjustments)
    print(f"adjustments, over 500 customers: {rate:,.0f}/s")

    deep = make_customer(name="Deep history")
    started = time.perf_counter()
    seed_history(deep, args.history)
    print(f"seeded {args.history:,} transactions in {time.perf_counter() - started:.1f} s")
    p50, p95 = timed(lambda: CustomerBalance.objects.get(customer=deep, currency="EUR"), 200)
    print(f"balance read, {args.history:,} transactions: p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    p50, p95 = timed(lambda: customer_balances(deep), 200)
    print(f"all balances of that customer:    p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    started = time.perf_counter()
    problems = list(ledger_problems())
    seconds = time.perf_counter() - started
    total = args.history + 2 * args.adjustments
    print(f"verify_ledger over {total:,} transactions: {seconds:.1f} s, {len(problems)} problems")


if __name__ == "__main__":
    main()
