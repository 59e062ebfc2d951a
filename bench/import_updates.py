"""An import that updates every customer it names, with and without the row locks the
import takes on PostgreSQL (customers/imports/matching.py: the customers rows update
are locked, FOR NO KEY UPDATE, before their changes are planned), run in turn in the
same scratch database. On SQLite the locks are no-ops (writers take turns), so this
needs PostgreSQL:

    createdb bench_updates    # an empty database: the ledger's triggers refuse a flush
    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/bench_updates \\
        python bench/import_updates.py          # N=20,000 customers, 3 runs each
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROWS = int(os.environ.get("BENCH_IMPORT_UPDATE_ROWS", "20000"))
RUNS = 3


def main():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a scratch PostgreSQL database (see this file).")
    from bench.common import setup_django

    setup_django(url, "import_updates")
    from bench.imports import write_csv
    from customers.imports import matching, services
    from customers.imports.services import import_apply, import_create
    from customers.models import Customer

    if Customer.objects.exists():
        sys.exit("The database has customers: give this an empty one (see this file).")

    path = ROOT / "bench" / "out" / f"import-updates-{ROWS}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(path, ROWS)
    created, _ = import_apply(import_create(data=path.read_bytes(), file_name=path.name))
    ids = list(Customer.objects.order_by("pk").values_list("public_id", flat=True))
    assert created == len(ids) == ROWS, (created, len(ids))

    plan_rows = matching.plan_rows
    seconds: dict[bool, list[float]] = {True: [], False: []}
    for run in range(RUNS * 2):
        locked = run % 2 == 0
        # The import as it is (locks) and with them left out, in turn.
        services.plan_rows = lambda *a, _locked=locked, **k: plan_rows(*a, **{**k, "lock": _locked})
        text = "id,phone\n" + "".join(
            f"{public_id},+1 512 555 {run:02d}{n % 100:02d}\n" for n, public_id in enumerate(ids)
        )
        record = import_create(data=text.encode(), file_name="updates.csv")
        started = time.perf_counter()
        _, updated = import_apply(record)
        seconds[locked].append(time.perf_counter() - started)
        assert updated == ROWS, updated
    services.plan_rows = plan_rows

    print(f"\nImport updating {ROWS:,} customers (one column each) on PostgreSQL, {RUNS} runs each")
    print(f"{'':<34}{'median s':>10}{'rows/s':>10}{'runs (s)':>28}")
    for locked, label in ((True, "with the row locks (as shipped)"), (False, "without them")):
        median = statistics.median(seconds[locked])
        runs = ", ".join(f"{s:.2f}" for s in seconds[locked])
        print(f"{label:<34}{median:>10.2f}{ROWS / median:>10,.0f}{runs:>28}")


if __name__ == "__main__":
    main()
