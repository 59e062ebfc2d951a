"""Customers page at scale: seeds N customers into a scratch SQLite database and prints
p50/p95 server times for the list page, filters, search, a deep page and the count, then
the CSV export's rows/s and peak RSS (in a child process of its own).

    make bench                      # 1,000,000 customers (the seeded DB is reused)
    make bench BENCH_ARGS="--customers 100000 --fresh"
"""

import argparse
import os
import random
import resource
import statistics
import string
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"


def setup_django(db_path):
    os.environ["SQLITE_PATH"] = str(db_path)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


COUNTRIES = ["US", "CA", "FR", "DE", "JP", "KW", "GB", "BR", "IL", "MX", "ES", "IT"]
CURRENCIES = ["USD", "CAD", "EUR", "EUR", "JPY", "KWD", "GBP", "BRL", "ILS", "MXN", "EUR", "EUR"]
WORDS = ["acme", "globex", "initech", "umbrella", "stark", "wayne", "hooli", "soylent",
         "vandelay", "tyrell", "wonka", "cyberdyne", "aperture", "oscorp", "gringotts"]  # fmt: skip


def seed(count):
    """Bulk insert `count` customers with executemany in one transaction."""
    import json
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    rng = random.Random(1)
    alphabet = string.ascii_letters + string.digits
    now = timezone.now()
    columns = [
        "public_id", "name", "email", "description", "phone", "address_line1", "address_line2",
        "address_city", "address_state", "address_postal_code", "address_country",
        "shipping_name", "shipping_phone", "shipping_line1", "shipping_line2", "shipping_city",
        "shipping_state", "shipping_postal_code", "shipping_country", "preferred_locales",
        "default_currency", "tax_exempt", "payment_terms_days", "invoice_prefix",
        "next_invoice_sequence", "invoice_footer", "invoice_custom_fields",
        "invoice_amount_tax_display", "metadata", "name_key", "email_key", "created",
        "legal_entity_id",
    ]  # fmt: skip
    sql = (
        f"INSERT INTO customers_customer ({', '.join(columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    from customers.models import LegalEntity

    entity_id = LegalEntity.objects.default().pk
    started = time.perf_counter()
    batch = []
    with transaction.atomic(), connection.cursor() as cursor:
        for n in range(count):
            market = n % len(COUNTRIES)
            word = WORDS[rng.randrange(len(WORDS))]
            name = f"{word.title()} {rng.choice(['Labs', 'Corp', 'GmbH', 'Trading'])} {n}"
            email = f"billing{n}@{word}.example"
            batch.append((
                "cus_" + "".join(rng.choices(alphabet, k=14)), name,
                email, "Enterprise plan" if n % 5 == 0 else "",
                "+1 555 0100", f"{n % 999} Market Street", "", "City", "", "12345",
                COUNTRIES[market], "", "", "", "", "", "", "", "", '["en"]',
                CURRENCIES[market], "none", 30, f"B{n:08d}", 1, "", "[]", "",
                json.dumps({"internal_id": str(n), "plan": rng.choice(["pro", "team"])}),
                name.casefold(), email.casefold(),
                connection.ops.adapt_datetimefield_value(now - timedelta(seconds=count - n)),
                entity_id,
            ))  # fmt: skip
            if len(batch) == 20_000:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "sqlite":  # bench/loadtest.py seeds PostgreSQL too
            # Fold the write-ahead log into the database file, as a long-running
            # server's checkpoints would have: reads through a 1 GB WAL are slower.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(f"seeded {count:,} customers in {time.perf_counter() - started:.1f} s")


def timed(fn, runs):
    fn()  # warm up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def bench_pages(runs):
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from customers.models import Customer

    user, _ = User.objects.get_or_create(username="bench")
    user.groups.add(Group.objects.get(name="Billing staff"))
    client = Client()
    client.force_login(user)
    total = Customer.objects.live().count()
    sample = Customer.objects.live().order_by("id")[total // 2]
    middle = Customer.objects.live().order_by("-created", "-id")[total // 2]

    def get(params, htmx=False, path="/customers/"):
        def request():
            headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
            response = client.get(path, params, **headers)
            assert response.status_code == 200, response.status_code
            return response

        return request

    cases = [
        ("first page", get({})),
        ("first page (htmx fragment)", get({}, htmx=True)),
        ("email filter", get({"email": sample.email})),
        ("free-text search, rare term", get({"q": sample.public_id})),
        ("free-text search, common term", get({"q": "wonka"})),
        ("metadata filter", get({"metadata": f"internal_id={sample.metadata['internal_id']}"})),
        ("currency filter", get({"currency": "JPY"})),
        ("sort by name", get({"sort": "name"})),
        (f"deep page (row {total // 2:,}, keyset)", get({"after": middle.public_id})),
        ("count (all)", get({}, path="/customers/count/")),
        ("count (email filter)", get({"email": sample.email}, path="/customers/count/")),
        ("count (search, common term)", get({"q": "wonka"}, path="/customers/count/")),
    ]
    print(f"\n{'case':<36}{'p50 ms':>10}{'p95 ms':>10}   ({runs} runs, {total:,} customers)")
    for label, fn in cases:
        p50, p95 = timed(fn, runs)
        print(f"{label:<36}{p50:>10.1f}{p95:>10.1f}")


def _peak_rss_mb():
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited
    from the parent across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_export():
    """Runs in its own process so its peak RSS is the export's alone."""
    from django.contrib.auth.models import Group, User
    from django.test import Client

    user, _ = User.objects.get_or_create(username="bench-ops")
    user.groups.add(Group.objects.get(name="Ops"))
    client = Client()
    client.force_login(user)
    rss_before = _peak_rss_mb()
    runs = []
    for _ in range(3):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get("/customers/export/")
        lines = size = 0
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            size += len(chunk)
        runs.append((time.perf_counter() - started, time.process_time() - cpu_started))
    rows = lines - 1
    peak = _peak_rss_mb()
    walls = sorted(wall for wall, _cpu in runs)
    best_cpu = min(cpu for _wall, cpu in runs)
    print(
        f"\nCSV export of {rows:,} rows ({size / 1e6:,.0f} MB), 3 runs: "
        f"best {rows / walls[0]:,.0f} rows/s ({walls[0]:.1f} s), "
        f"median {rows / walls[1]:,.0f} rows/s; best CPU time {best_cpu:.1f} s; "
        f"peak RSS {peak:,.0f} MB (process before export {rss_before:,.0f} MB)"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--fresh", action="store_true", help="reseed even if the DB exists")
    parser.add_argument("--export-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    db_path = OUT / f"customers-{args.customers}.sqlite3"
    if args.export_only:
        setup_django(db_path)
        bench_export()
        return
    if args.fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    needs_seed = not db_path.exists()
    setup_django(db_path)
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - started:.1f} s")
    if needs_seed:
        seed(args.customers)
    bench_pages(args.runs)
    subprocess.run(
        [sys.executable, __file__, "--customers", str(args.customers), "--export-only"],
        check=True,
    )


if __name__ == "__main__":
    main()
