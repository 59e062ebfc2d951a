"""The Home page at scale: BENCH_CUSTOMERS customers (10,000 by default) with
BENCH_INVOICES_EACH invoices each (10), spread over the last 15 months in every status,
on a scratch database; prints the median and p95 server time of the Home page, of its
figures alone (billing.dashboard.overview) and of a customer page with its summary and
balance chart, and the queries the Home page makes.

    python bench/dashboard.py                                # scratch SQLite in bench/out/
    python bench/dashboard.py --database-url postgres://...  # a scratch PostgreSQL DB

The invoices are inserted in bulk (their totals add up as the constraints ask), not
issued through the services: the figures only read them, and 100,000 finalizations
are bench/billing.py's subject.
"""

import argparse
import logging
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import setup_django  # noqa: E402

# (status, share): drafts, paid, open (current or past due), void, uncollectible.
STATUSES = [("draft", 10), ("paid", 55), ("open", 25), ("void", 5), ("uncollectible", 5)]


def seed_invoices(each, rng):
    from django.db import connection, transaction
    from django.utils import timezone

    from billing.models import Invoice
    from customers.models import Customer

    now = timezone.now()
    statuses = [status for status, share in STATUSES for _ in range(share)]
    started = time.perf_counter()
    batch = []
    customers = Customer.objects.values_list(
        "pk", "legal_entity_id", "default_currency", "invoice_prefix"
    )
    with transaction.atomic():
        for pk, entity, currency, prefix in customers.iterator():
            for n in range(each):
                status = rng.choice(statuses)
                created = now - timedelta(days=rng.uniform(0, 450))
                total = rng.randrange(1_000, 500_000)
                finalized = None if status == "draft" else created + timedelta(hours=1)
                due = (finalized + timedelta(days=30)).date() if finalized else None
                paid_at = (
                    finalized + timedelta(days=rng.uniform(0, 40)) if status == "paid" else None
                )
                if paid_at and paid_at > now:
                    paid_at = now
                batch.append(
                    Invoice(
                        customer_id=pk, legal_entity_id=entity, status=status,
                        number=None if status == "draft" else f"{prefix}-{n + 1:04d}",
                        currency=currency, due_date=due, subtotal=total, total=total,
                        amount_due=total, amount_paid=total if status == "paid" else 0,
                        amount_remaining=total if status in ("open", "uncollectible") else 0,
                        created=created, finalized_at=finalized, paid_at=paid_at,
                        voided_at=now if status == "void" else None,
                    )
                )  # fmt: skip
            if len(batch) >= 5_000:
                Invoice.objects.bulk_create(batch)
                batch.clear()
        Invoice.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        # PostgreSQL's index-only scans need the visibility map a (auto)vacuum writes.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"seeded {Invoice.objects.count():,} invoices in {time.perf_counter() - started:.1f} s")


def timed(fn, runs):
    """(median, p95) wall ms and median CPU ms of this process (SQLite runs in it):
    on a shared machine the CPU time is the steadier figure."""
    fn()  # warm up
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu_started) * 1000)
    walls.sort()
    p95 = walls[max(0, int(len(walls) * 0.95) - 1)]
    return statistics.median(walls), p95, statistics.median(cpus)


def bench(runs):
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from billing import dashboard
    from customers.models import Customer

    logging.getLogger("access").setLevel(logging.WARNING)  # a line per request otherwise
    user, _ = User.objects.get_or_create(username="bench-dashboard")
    user.groups.add(Group.objects.get(name="Billing staff"))
    client = Client()
    client.force_login(user)
    customer = Customer.objects.order_by("pk")[Customer.objects.count() // 2]

    def get(path):
        def request():
            response = client.get(path)
            assert response.status_code == 200, response.status_code

        return request

    with CaptureQueriesContext(connection) as queries:
        get("/")()
    cases = [
        ("Home page", get("/")),
        ("its figures alone (overview())", dashboard.overview),
        ("customer page (summary, balance chart)", get(customer.get_absolute_url())),
    ]
    print(f"\n{connection.vendor}: {len(queries)} queries for the Home page")
    print(f"{'case':<42}{'p50 ms':>10}{'p95 ms':>10}{'CPU p50':>10}   ({runs} runs)")
    for label, fn in cases:
        p50, p95, cpu = timed(fn, runs)
        print(f"{label:<42}{p50:>10.1f}{p95:>10.1f}{cpu:>10.1f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    customers = int(os.environ.get("BENCH_CUSTOMERS", 10_000))
    each = int(os.environ.get("BENCH_INVOICES_EACH", 10))
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    setup_django(args.database_url, "dashboard")
    from bench.customers import seed

    if args.database_url:
        from customers.models import Customer

        if Customer.objects.exists():
            sys.exit("bench/dashboard.py seeds its own customers: give it an empty database.")
    seed(customers)
    seed_invoices(each, random.Random(16))
    bench(args.runs)


if __name__ == "__main__":
    main()
