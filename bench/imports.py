"""Customer import speed: writes a valid CSV of N new customers in our export's format
(bench/out/import-<N>.csv), imports it into a fresh scratch SQLite database in one pass
(import_create + import_apply, as `manage.py import_customers`: every row validated,
then all written), and prints rows/s and peak RSS; then again as the Import page does it,
a preview (import_check) and then the import, timed apart. Then imports the first K
rows of the same file with
django-import-export's default `Resource.import_data` in a fresh database, for the
ratio. Each measured run is a child process of its own, so its peak RSS is its own.

    python bench/imports.py                       # N=100,000, K=5,000
    BENCH_IMPORT_ROWS=20000 BENCH_IMPORT_BASELINE_ROWS=2000 python bench/imports.py
    python bench/imports.py --run ours --rows 20000 --profile bench/out/imports.prof
    python bench/imports.py --run preview --rows 20000   # check, then import

Target (the import issue): >= 5,000 rows/s including validation, peak RSS <= 500 MB.

The baseline resource. `CustomerResource().import_data()` cannot import a file of new
customers: its `id` field is `public_id`, so the first row's empty id creates a customer
with public_id "" and every later row matches and overwrites that one customer (no error:
5 rows give 1 customer); its plain `preferred_locales` field stores "fr-CA,en" as a JSON
string; and with no legal_entity column each row fails NOT NULL. So the baseline is a
plain `resources.ModelResource` for Customer with the same columns (`id` is the primary
key, empty: a new row) plus what import-export cannot do by default and every file of new
customers needs: a `SimpleArrayWidget` for the comma-separated languages, a
`DateTimeWidget` given the export's ISO 8601 format for `created` (the default formats
refuse `...T...+00:00`) and, in `before_save_instance`, the default legal entity (read
once) and a random invoice prefix (the column is blank and unique; made without a
query, so the baseline does no more than the defaults). It otherwise runs the defaults: a
get-or-init and a save() per row, no model validation (clean_model_instances is False).
It does less than our import: the metadata columns are ignored and no field is validated.
"""

import argparse
import csv
import io
import json
import os
import random
import resource
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"

TARGET_ROWS_PER_S = 5_000
TARGET_RSS_MB = 500
METADATA_KEYS = ["plan", "region"]

# country, currency, languages, region, [(city, state, postal code)], phone
MARKETS = [
    ("FR", "EUR", "fr,en", "emea", [("Paris", "", "75002"), ("Lyon", "", "69002")],
     "+33 1 42 68 53 00"),
    ("US", "USD", "en", "amer", [("New York", "NY", "10001"), ("Austin", "TX", "78701")],
     "+1 (512) 555-0100"),
    ("DE", "EUR", "de,en", "emea", [("Berlin", "", "10115"), ("München", "BY", "80331")],
     "+49 30 901820"),
    ("CA", "CAD", "fr-CA,en", "amer", [("Montréal", "QC", "H2Y 1C6"), ("Toronto", "ON", "M5H 2N2")],
     "+1 514-555-0199"),
    ("GB", "GBP", "en-GB", "emea", [("London", "", "EC1A 1BB"), ("Leeds", "", "LS1 4AP")],
     "+44 20 7946 0958"),
    ("ES", "EUR", "es,en", "emea", [("Madrid", "", "28013"), ("Sevilla", "", "41001")],
     "+34 912 345 678"),
]  # fmt: skip
STREETS = ["Rue de la Paix", "Market Street", "Friedrichstraße", "Rue Sainte-Catherine",
           "Baker Street", "Calle de Alcalá"]  # fmt: skip
WORDS = ["acme", "globex", "initech", "umbrella", "stark", "wayne", "hooli", "soylent",
         "vandelay", "tyrell", "wonka", "cyberdyne", "aperture", "oscorp", "gringotts"]  # fmt: skip
SUFFIXES = ["SAS", "Inc.", "GmbH", "Ltd", "S.L.", "Corp"]


def _env_int(name, default):
    return int(os.environ.get(name) or default)


def _peak_rss_mb():
    """(VmHWM, ru_maxrss) of this process in MB. VmHWM, unlike ru_maxrss, is never
    inherited from a parent across fork/exec; both are printed."""
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024, maxrss
    return maxrss, maxrss


def _django_settings_only():
    """Enough Django to import customers.resources for the header; no database."""
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("SQLITE_PATH", str(OUT / "imports-unused.sqlite3"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def header():
    """Our export's header (customers.resources) with the two metadata columns."""
    from customers.resources import COLUMNS, CustomerResource

    columns = CustomerResource(metadata_keys=METADATA_KEYS).get_export_headers()
    assert columns[: len(COLUMNS)] == COLUMNS, columns
    return columns


def write_csv(path, count):
    """`count` valid new customers (empty id), written as our export writes them."""
    columns = header()
    at = {name: i for i, name in enumerate(columns)}
    rng = random.Random(7)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)  # \r\n line ends and quoting, as the export
        writer.writerow(columns)
        for n in range(count):
            country, currency, locales, region, cities, phone = MARKETS[n % len(MARKETS)]
            city, state, postal = cities[n // len(MARKETS) % len(cities)]
            word = WORDS[rng.randrange(len(WORDS))]
            row = [""] * len(columns)
            row[at["name"]] = f"{word.title()} {SUFFIXES[n % len(SUFFIXES)]} {n}"
            if n % 10 == 3:
                row[at["name"]] = f"{word.title()}, {SUFFIXES[n % len(SUFFIXES)]} {n}"  # quoted
            row[at["email"]] = f"billing+{n}@{word}-{n % 97}.example"
            row[at["description"]] = (
                "Enterprise plan, invoiced monthly"
                if n % 5 == 0
                else ("Reseller" if n % 7 == 0 else "")
            )
            row[at["phone"]] = phone
            row[at["address_line1"]] = f"{n % 999 + 1} {STREETS[n % len(STREETS)]}"
            row[at["address_line2"]] = "Suite 200" if n % 3 == 0 else ""
            row[at["address_city"]] = city
            row[at["address_state"]] = state
            row[at["address_postal_code"]] = postal
            row[at["address_country"]] = country
            if n % 4 == 0:  # a quarter ship elsewhere
                row[at["shipping_name"]] = f"Receiving dock {n}"
                row[at["shipping_phone"]] = phone
                row[at["shipping_line1"]] = f"{(n * 7) % 999 + 1} Industrial Park"
                row[at["shipping_city"]] = city
                row[at["shipping_state"]] = state
                row[at["shipping_postal_code"]] = postal
                row[at["shipping_country"]] = country
            row[at["preferred_locales"]] = locales
            row[at["default_currency"]] = currency
            row[at["tax_exempt"]] = "none"
            row[at["payment_terms_days"]] = "30"
            row[at["next_invoice_sequence"]] = "1"
            created = start + timedelta(seconds=n * 97 + rng.randrange(60))
            row[at["created"]] = created.isoformat(timespec="seconds")
            row[at["metadata[plan]"]] = rng.choice(["pro", "team", "starter"])
            row[at["metadata[region]"]] = region
            writer.writerow(row)


def _first_rows(data, count):
    """The header and first `count` rows of a CSV file, as CSV text."""
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, cells in enumerate(reader):
        if index > count:
            break
        writer.writerow(cells)
    return buffer.getvalue()


# The measured runs, each in a child process: one JSON line on stdout.


def run_ours(path, rows, preview, profile_to=None):
    """One pass (import_create + import_apply, as `manage.py import_customers` and as
    import-export's import_data: every row validated, then written) or, with `preview`,
    the Import page's two steps: import_check (the preview), then import_apply."""
    from bench.common import setup_django

    setup_django("", "imports")
    if not Path(path).exists():
        write_csv(path, rows)
    from activity.models import Entry
    from customers.imports.services import import_apply, import_check, import_create
    from customers.models import Customer

    data = Path(path).read_bytes()
    rss_before, _ = _peak_rss_mb()
    profiler = None
    if profile_to:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu_started = time.perf_counter(), time.process_time()
    record = import_create(data=data, file_name=Path(path).name)
    del data
    created_at, cpu_created = time.perf_counter(), time.process_time()
    if preview:
        import_check(record)
        assert record.status == "checked", (record.status, record.failure)
        assert record.invalid == 0 and record.to_create == rows, (record.invalid, record.errors[:5])
    checked_at, cpu_checked = time.perf_counter(), time.process_time()
    created, updated = import_apply(record)
    applied_at, cpu_applied = time.perf_counter(), time.process_time()
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile_to)
    count = Customer.objects.count()
    assert (created, updated) == (rows, 0), (created, updated)
    assert count == rows, count
    # The activity trail, written in the import's transaction: one entry a customer and
    # one for the import, part of the seconds measured.
    entries = Entry.objects.count()
    assert entries == rows + 1, entries
    peak, maxrss = _peak_rss_mb()
    return {
        "rows": rows,
        "entries": entries,
        "create_s": created_at - started,
        "check_s": checked_at - created_at,
        "apply_s": applied_at - checked_at,
        "total_s": applied_at - started,
        "create_cpu_s": cpu_created - cpu_started,
        "check_cpu_s": cpu_checked - cpu_created,
        "apply_cpu_s": cpu_applied - cpu_checked,
        "total_cpu_s": cpu_applied - cpu_started,
        "count": count,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak,
        "ru_maxrss_mb": maxrss,
    }


def baseline_resource():
    from import_export import fields, resources, widgets

    from customers.models import Customer, LegalEntity
    from customers.resources import COLUMNS
    from customers.services import PREFIX_ALPHABET

    entity = LegalEntity.objects.default()

    class BaselineCustomerResource(resources.ModelResource):
        preferred_locales = fields.Field(
            attribute="preferred_locales",
            column_name="preferred_locales",
            widget=widgets.SimpleArrayWidget(separator=","),
        )
        created = fields.Field(
            attribute="created",
            column_name="created",
            widget=widgets.DateTimeWidget(format="%Y-%m-%dT%H:%M:%S%z"),
        )

        class Meta:
            model = Customer
            fields = COLUMNS  # `id` is the primary key here

        def before_save_instance(self, instance, row, **kwargs):
            instance.legal_entity = entity
            if not instance.invoice_prefix:
                instance.invoice_prefix = "".join(
                    secrets.choice(PREFIX_ALPHABET) for _ in "12345678"
                )

    return BaselineCustomerResource()


def run_theirs(path, rows):
    from bench.common import setup_django

    setup_django("", "imports-baseline")
    import tablib

    from customers.models import Customer

    text = _first_rows(Path(path).read_bytes(), rows)
    rss_before, _ = _peak_rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    dataset = tablib.Dataset().load(text, format="csv")
    result = baseline_resource().import_data(dataset, dry_run=False)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if result.has_errors() or result.has_validation_errors():
        errors = [str(e.error) for _, row_errors in result.row_errors()[:3] for e in row_errors]
        invalid = [str(r.error_dict) for r in result.invalid_rows[:3]]
        raise SystemExit(f"baseline import failed: {errors or invalid}")
    count = Customer.objects.count()
    assert count == rows, count
    peak, maxrss = _peak_rss_mb()
    return {
        "rows": rows,
        "total_s": elapsed,
        "total_cpu_s": cpu,
        "count": count,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak,
        "ru_maxrss_mb": maxrss,
    }


def _child(run, path, rows):
    completed = subprocess.run(
        [sys.executable, __file__, "--run", run, "--file", str(path), "--rows", str(rows)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=_env_int("BENCH_IMPORT_ROWS", 100_000))
    parser.add_argument(
        "--baseline-rows", type=int, default=_env_int("BENCH_IMPORT_BASELINE_ROWS", 5_000)
    )
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--run", choices=["ours", "preview", "theirs"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--profile", help="with --run ours: write a cProfile dump here")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    path = Path(args.file) if args.file else OUT / f"import-{args.rows}.csv"
    if args.run:
        if args.run in ("ours", "preview"):
            figures = run_ours(path, args.rows, args.run == "preview", args.profile)
        else:
            figures = run_theirs(path, args.rows)
        print(json.dumps(figures))
        return

    started = time.perf_counter()
    _django_settings_only()
    write_csv(path, args.rows)
    size = path.stat().st_size
    print(
        f"wrote {args.rows:,} valid new customers ({size / 1e6:.1f} MB, our export's "
        f"columns, empty id) to {path.relative_to(ROOT)} in {time.perf_counter() - started:.1f} s"
    )

    load_before = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    ours = _child("ours", path, args.rows)
    ours_rate = ours["rows"] / ours["total_s"]
    preview = _child("preview", path, args.rows)
    theirs = None
    baseline_rows = min(args.baseline_rows, args.rows)
    if not args.no_baseline and baseline_rows > 0:
        theirs = _child("theirs", path, baseline_rows)
        theirs_rate = theirs["rows"] / theirs["total_s"]

    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(
        f"\nCustomer import on SQLite (fresh scratch database per run; {os.cpu_count()} CPUs, "
        f"load average before the runs {load_before}, after {load})"
    )
    print(f"{'':<46}{'rows':>9}{'seconds':>9}{'rows/s':>9}{'CPU s':>8}{'peak RSS MB':>13}")

    def line(label, figures, step="total", rss=""):
        rows, seconds, cpu = figures["rows"], figures[f"{step}_s"], figures[f"{step}_cpu_s"]
        print(f"{label:<46}{rows:>9,}{seconds:>9.2f}{rows / seconds:>9,.0f}{cpu:>8.2f}{rss:>13}")

    line("ours, one pass (import_create + import_apply)", ours, "total",
         f"{ours['peak_rss_mb']:,.0f}")  # fmt: skip
    line("  of which import_apply (validate, write)", ours, "apply")
    line("ours, Import page: preview (import_check)", preview, "check")
    line("ours, Import page: then import (import_apply)", preview, "apply")
    line("ours, Import page: total", preview, "total", f"{preview['peak_rss_mb']:,.0f}")
    if theirs:
        line(f"import-export import_data, first {theirs['rows']:,} rows", theirs, "total",
             f"{theirs['peak_rss_mb']:,.0f}")  # fmt: skip
    print(
        "(seconds are wall-clock and give rows/s; CPU s is the process's own CPU time: far "
        "below seconds means other work or the disk held it up)"
    )
    print(
        f"\nours: {ours['count']:,} customers in the database afterwards (expected "
        f"{args.rows:,}) and {ours['entries']:,} activity entries (one a customer, one for "
        f"the import: written in the same transaction, within the seconds); peak RSS "
        f"{ours['peak_rss_mb']:,.0f} MB (VmHWM; ru_maxrss "
        f"{ours['ru_maxrss_mb']:,.0f} MB; {ours['rss_before_mb']:,.0f} MB before the import)"
    )
    preview_rate = preview["rows"] / preview["total_s"]
    peak = max(ours["peak_rss_mb"], preview["peak_rss_mb"])
    print(
        f"target: >= {TARGET_ROWS_PER_S:,} rows/s -> one pass "
        f"{'met' if ours_rate >= TARGET_ROWS_PER_S else 'MISSED'} ({ours_rate:,.0f}); "
        f"preview then import {'met' if preview_rate >= TARGET_ROWS_PER_S else 'MISSED'} "
        f"({preview_rate:,.0f}); peak RSS <= {TARGET_RSS_MB} MB -> "
        f"{'met' if peak <= TARGET_RSS_MB else 'MISSED'} ({peak:,.0f})"
    )
    if theirs:
        print(
            f"baseline: BaselineCustomerResource (a plain ModelResource for Customer with our "
            f"columns; see this file's docstring) .import_data(dry_run=False) on the FIRST "
            f"{theirs['rows']:,} rows of the same file (not all {args.rows:,}), in its own "
            f"process and fresh database: {theirs_rate:,.0f} rows/s, peak RSS "
            f"{theirs['peak_rss_mb']:,.0f} MB"
        )
        print(
            f"ratio ours (one pass, like import_data) / theirs: {ours_rate / theirs_rate:,.1f}x "
            "(rows/s against rows/s)"
        )
    print(
        "The 1,000,000-customer CSV export (target >= 100,000 rows/s, <= 300 MB) is "
        "measured by bench/customers.py."
    )


if __name__ == "__main__":
    main()
