"""Invoice finalization speed: finalizes BENCH_INVOICES drafts (10,000 by default) of 10
lines each, one transaction per invoice through billing.services.invoice_finalize, with
the customers' credit balances applied, and prints invoices/s, p50/p95 ms per finalize
and the queries one finalize makes; then checks numbers, statuses and the ledger.

    python bench/billing.py                                  # scratch SQLite in bench/out/
    python bench/billing.py --database-url postgres://...    # a scratch PostgreSQL DB
    BENCH_INVOICES=500 BENCH_CUSTOMERS=100 python bench/billing.py --profile

On PostgreSQL the database may already hold other benchmarks' rows: this one makes
customers of its own and checks its own invoices (and the whole ledger).
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import OUT, setup_django  # noqa: E402

LINES = 10
SAMPLE = 20  # drafts finalized before and after the timed run, with their queries counted
# Currency, country, a tax ID type and value, and the range of unit amounts in minor units.
MARKETS = [
    ("USD", "US", "us_ein", "91-1144442", (100, 50_000)),
    ("EUR", "DE", "eu_vat", "DE136695976", (100, 50_000)),
    ("GBP", "GB", "gb_vat", "GB980780684", (100, 40_000)),
    ("JPY", "JP", "", "", (100, 60_000)),
    ("KWD", "KW", "", "", (300, 150_000)),
]


def make_catalogue():
    """One exclusive and one inclusive tax rate; a forever percent-off coupon, a
    once-only amount-off coupon (USD) and a once-only percent-off coupon."""
    from decimal import Decimal

    from billing.models import Coupon, TaxRate

    exclusive = TaxRate.objects.create(
        display_name="VAT", percentage=Decimal(20), inclusive=False, country="GB"
    )
    inclusive = TaxRate.objects.create(
        display_name="MwSt", percentage=Decimal(19), inclusive=True, country="DE"
    )
    coupons = {
        "forever": Coupon.objects.create(
            name="10% off", percent_off=Decimal(10), duration="forever"
        ),
        "usd_once": Coupon.objects.create(
            name="$25 off once", amount_off=2_500, currency="USD", duration="once"
        ),
        "once": Coupon.objects.create(
            name="25% off once", percent_off=Decimal(25), duration="once"
        ),
    }
    return exclusive, inclusive, coupons


def make_customers(count, exclusive, coupons, tag):
    """Customers through customers.services, a fifth of them with a standing coupon,
    some with a tax ID, default tax rates or a tax exemption."""
    from billing.models import CustomerCoupon
    from customers.services import customer_create

    customers = []
    for n in range(count):
        currency, country, tax_type, tax_value, _amounts = MARKETS[n % len(MARKETS)]
        fields = {
            "name": f"Billing bench {tag} {n}",
            "email": f"ap{n}@bench-{tag}.example",
            "default_currency": currency,
            "address_line1": f"{n % 999 + 1} Market Street",
            "address_city": "City",
            "address_postal_code": "12345",
            "address_country": country,
            "tax_exempt": "reverse" if n % 11 == 10 else "exempt" if n % 13 == 12 else "none",
            "metadata": {"bench": tag},
        }
        tax_ids = [{"type": tax_type, "value": tax_value}] if tax_type and n % 3 == 0 else []
        customer = customer_create(fields=fields, tax_ids=tax_ids)
        if n % 2 == 0:
            exclusive.default_for.add(customer)
        coupon = (
            coupons["forever"] if n % 5 == 0
            else coupons["usd_once"] if n % 7 == 0 and currency == "USD"
            else coupons["once"] if n % 9 == 0
            else None
        )  # fmt: skip
        if coupon is not None:
            CustomerCoupon.objects.create(customer=customer, coupon=coupon)
        customers.append(customer)
    return customers


def line_specs(customer, n, exclusive, inclusive, rng):
    """A customer's 10 pending lines: exclusive, inclusive and untaxed (the customer's
    default rates, if any) in turn; the last line not discountable."""
    low, high = next(m[4] for m in MARKETS if m[0] == customer.default_currency)
    specs = []
    for line in range(LINES):
        quantity = rng.choice([1, 1, 1, 2, 3, 12])
        specs.append({
            "description": f"Service {n}.{line}",
            "quantity": quantity,
            "unit_amount": rng.randint(low, high),
            "tax_rates": [[exclusive], [inclusive], []][line % 3],
            "discountable": line != LINES - 1,
        })  # fmt: skip
    return specs


def make_drafts(customers, counts, exclusive, inclusive, via_services, rng):
    """Drafts through invoice_create, in rounds of one draft per customer: each round
    adds the customers' 10 pending items, then invoice_create pulls them. The first
    `via_services` drafts' items go through item_add; the rest are bulk inserted as
    item_add would make them (amount = quantity × unit amount, the same tax rates).
    Returns a list of draft id lists, one per entry of `counts`."""
    from billing.models import InvoiceItem
    from billing.services import invoice_create, item_add

    through = InvoiceItem.tax_rates.through
    made, groups = 0, []
    for count in counts:
        ids = []
        while len(ids) < count:
            round_customers = customers[: min(len(customers), count - len(ids))]
            items, rates = [], []
            for customer in round_customers:
                specs = line_specs(customer, made, exclusive, inclusive, rng)
                made += 1
                for spec in specs:
                    if made <= via_services:
                        item_add(customer=customer, currency=customer.default_currency, **spec)
                        continue
                    tax_rates = spec.pop("tax_rates")
                    items.append(
                        InvoiceItem(
                            customer=customer,
                            currency=customer.default_currency,
                            amount=spec["quantity"] * spec["unit_amount"],
                            **spec,
                        )
                    )
                    rates.append(tax_rates)
            InvoiceItem.objects.bulk_create(items, batch_size=2_000)
            through.objects.bulk_create(
                [
                    through(invoiceitem_id=item.pk, taxrate_id=rate.pk)
                    for item, item_rates in zip(items, rates, strict=True)
                    for rate in item_rates
                ],
                batch_size=5_000,
            )
            ids += [invoice_create(customer=customer).pk for customer in round_customers]
        groups.append(ids)
    return groups


def give_credit(customers):
    """Each customer's credit balance (ledger.services.balance_adjust, negative =
    credit), sized from its drafts' totals in the order they will be finalized: all of
    them paid from credit; the first paid and the second in part; the first left with
    1 minor unit due (too small to collect: paid, the unit owed on the next); or a
    tenth of the first. Returns {customer id: credit}."""
    from billing.models import Invoice
    from ledger.services import balance_adjust

    totals = defaultdict(list)
    for customer_id, total in (
        Invoice.objects.filter(customer__in=customers)
        .order_by("id")
        .values_list("customer", "total")
    ):
        totals[customer_id].append(total)
    credits = {}
    for n, customer in enumerate(customers):
        first, *rest = totals[customer.pk]
        credit = [
            sum(totals[customer.pk]) + first // 10,
            first + (rest[0] // 2 if rest else 0),
            first - 1,
            first // 10,
        ][n % 4]
        credit = max(credit, 1)
        balance_adjust(
            customer=customer,
            amount=-credit,
            currency=customer.default_currency,
            description="Bench credit",
        )
        credits[customer.pk] = credit
    return credits


def outcome(invoice):
    if invoice.too_small_balance_transaction_id:
        return "too small to collect (paid)"
    if invoice.applied_balance < 0:
        return "paid from credit" if invoice.status == "paid" else "credit applied, open"
    if invoice.applied_balance > 0:
        return "owed balance added, open"
    return "no balance, open"


def finalize_counting(ids, show_queries):
    """Finalize these drafts, counting each one's queries; {outcome: Counter of counts}."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from billing.models import Invoice
    from billing.services import invoice_finalize

    counts, shown = defaultdict(Counter), set()
    for draft in Invoice.objects.filter(pk__in=ids).order_by("id"):
        with CaptureQueriesContext(connection) as captured:
            invoice = invoice_finalize(invoice=draft)
        kind = outcome(invoice)
        counts[kind][len(captured.captured_queries)] += 1
        if show_queries and kind not in shown:
            shown.add(kind)
            print(f"\n-- {kind}: {len(captured.captured_queries)} queries")
            for query in captured.captured_queries:
                print(f"   {query['sql'][:160]}")
    return counts


def finalize_timed(ids, profile):
    from billing.models import Invoice
    from billing.services import invoice_finalize

    drafts = list(Invoice.objects.filter(pk__in=ids).order_by("id"))
    samples = []
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu_started = time.perf_counter(), time.process_time()
    for draft in drafts:
        begun = time.perf_counter()
        invoice_finalize(invoice=draft)
        samples.append((time.perf_counter() - begun) * 1000)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if profiler is not None:
        profiler.disable()
        import pstats

        path = OUT / "billing.prof"
        OUT.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(path)
        stats = pstats.Stats(profiler).strip_dirs()
        print(f"\nprofile (written to {path}; timings inflated by the profiler):")
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
    return len(drafts), elapsed, cpu, samples


def verify(customers, credits, draft_totals):
    """Every invoice finalized once, open or paid, numbered <prefix>-0001… per customer
    with unique numbers and the totals its draft had; each customer's balance is its
    credit less what its invoices took; the whole ledger checks out."""
    from django.db.models import Count

    from billing.models import Invoice
    from ledger.models import BalanceTransaction, CustomerBalance
    from ledger.verify import ledger_problems

    problems = []
    invoices = list(
        Invoice.objects.filter(customer__in=customers)
        .order_by("id")
        .values_list(
            "id",
            "customer",
            "number",
            "status",
            "subtotal",
            "discount",
            "tax",
            "total",
            "applied_balance",
            "amount_due",
            "amount_remaining",
            "applied_balance_transaction",
            "too_small_balance_transaction",
        )
    )
    statuses = Counter(row[3] for row in invoices)
    if set(statuses) - {"open", "paid"}:
        problems.append(f"statuses other than open/paid: {dict(statuses)}")
    numbers = [row[2] for row in invoices]
    if None in numbers or len(set(numbers)) != len(numbers):
        problems.append("missing or repeated invoice numbers")
    duplicated = (
        Invoice.objects.exclude(number=None)
        .values("number")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    if duplicated.exists():
        problems.append("invoice numbers repeated in the database")
    prefixes = {c.pk: c.invoice_prefix for c in customers}
    per_customer = defaultdict(list)
    for row in invoices:
        per_customer[row[1]].append(row[2])
    for customer_id, got in per_customer.items():
        want = [f"{prefixes[customer_id]}-{seq:04d}" for seq in range(1, len(got) + 1)]
        if got != want:
            problems.append(f"customer {customer_id}: numbers {got[:3]}…, expected {want[:3]}…")
            break
    posted = dict(
        BalanceTransaction.objects.filter(customer__in=customers)
        .exclude(type="adjustment")
        .values_list("id", "amount")
    )
    expected_balance = {pk: -credit for pk, credit in credits.items()}
    for pk, customer_id, _number, status, *figures, applied_txn, small_txn in invoices:
        subtotal, discount, tax, total, applied, due, remaining = figures
        if (subtotal, discount, tax, total) != draft_totals[pk]:
            problems.append(f"invoice {pk}: totals changed at finalization")
        if due != total + applied or due < 0 or (status == "paid") != (remaining == 0):
            problems.append(f"invoice {pk}: amount due {due}, total {total}, applied {applied}")
        if applied and posted.get(applied_txn) != -applied:
            problems.append(f"invoice {pk}: applied {applied} without its balance transaction")
        expected_balance[customer_id] -= applied
        if small_txn:
            expected_balance[customer_id] += posted[small_txn]
    balances = dict(
        CustomerBalance.objects.filter(customer__in=customers).values_list("customer", "amount")
    )
    wrong = [pk for pk, amount in expected_balance.items() if balances.get(pk) != amount]
    if wrong:
        problems.append(f"{len(wrong)} customers' balances differ from credit less applied")
    started = time.perf_counter()
    ledger = list(ledger_problems())
    ledger_seconds = time.perf_counter() - started
    transactions = BalanceTransaction.objects.count()
    problems += ledger[:5]
    print(
        f"verify_ledger: {transactions:,} transactions, {len(ledger)} problems "
        f"({ledger_seconds:.1f} s)"
    )
    return statuses, problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--invoices", type=int, default=int(os.environ.get("BENCH_INVOICES", 10_000))
    )
    parser.add_argument(
        "--customers", type=int, default=int(os.environ.get("BENCH_CUSTOMERS", 2_000))
    )
    parser.add_argument(
        "--via-services", type=int, default=20, help="drafts whose items go through item_add"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the timed run")
    parser.add_argument(
        "--show-queries", action="store_true", help="SQL of one finalize per outcome"
    )
    args = parser.parse_args()
    customers_count = min(args.customers, args.invoices)
    setup_django(args.database_url, f"billing-{args.invoices}")

    from django.db import connection

    from billing.models import Invoice

    print(f"\nInvoice finalization on {connection.vendor}")
    rng = random.Random(1)
    tag = f"{int(time.time())}"
    started = time.perf_counter()
    exclusive, inclusive, coupons = make_catalogue()
    customers = make_customers(customers_count, exclusive, coupons, tag)
    print(f"{len(customers):,} customers in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    sample = min(SAMPLE, len(customers))
    before, timed_ids, after = make_drafts(
        customers, [sample, args.invoices, sample], exclusive, inclusive, args.via_services, rng
    )
    draft_totals = {
        pk: tuple(figures)
        for pk, *figures in Invoice.objects.filter(customer__in=customers).values_list(
            "id", "subtotal", "discount", "tax", "total"
        )
    }
    drafts = len(before) + len(timed_ids) + len(after)
    print(
        f"{drafts:,} drafts of {LINES} lines ({args.via_services} through item_add, the rest's "
        f"items bulk inserted) in {time.perf_counter() - started:.1f} s, "
        f"{drafts / len(customers):.1f} per customer"
    )
    started = time.perf_counter()
    credits = give_credit(customers)
    print(
        f"credit balances for {len(credits):,} customers in {time.perf_counter() - started:.1f} s"
    )

    queries = finalize_counting(before, args.show_queries)  # also the warm-up
    count, elapsed, cpu, samples = finalize_timed(timed_ids, args.profile)
    for kind, counter in finalize_counting(after, args.show_queries).items():
        queries[kind].update(counter)

    samples.sort()
    p50 = statistics.median(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    print(
        f"\nfinalized {count:,} invoices in {elapsed:.1f} s: {count / elapsed:,.0f} invoices/s, "
        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {samples[-1]:.1f} ms (one transaction each)"
    )
    # This process's CPU time (Python, Django and, on SQLite, the database): steadier
    # than the wall clock on a shared machine.
    print(f"CPU time {cpu:.1f} s, {cpu / count * 1000:.2f} ms per invoice")
    print(f"queries per finalize ({2 * sample} counted with CaptureQueriesContext):")
    for kind, counter in sorted(queries.items()):
        spread = ", ".join(f"{n} ({times}×)" for n, times in sorted(counter.items()))
        print(f"  {kind:<30} {spread}")

    statuses, problems = verify(customers, credits, draft_totals)
    print(f"statuses: {dict(statuses)}; {len(draft_totals):,} invoices checked")
    if problems:
        print("PROBLEMS:\n  " + "\n  ".join(problems[:20]))
        sys.exit(1)
    print("verified: unique numbers in sequence, open/paid, amounts and balances, ledger OK")


if __name__ == "__main__":
    main()
