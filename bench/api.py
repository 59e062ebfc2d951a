"""The /v1/ API under load, beside localstripe: N clients POST /v1/customers (address,
metadata, two EU VAT numbers) for a fixed time, then GET /v1/customers?limit=100 and a
search by email one request at a time, on a scratch SQLite database of 1,000,000 customers
served as `make run` serves it (bin/serve: gunicorn with config/gunicorn.py, DEBUG off).
The same requests then go to localstripe (in memory, no validation, no search) in a venv
of its own, and the ratios are printed.

    make bench                                    # part of it
    python bench/api.py --clients 4 --seconds 10 --customers 100000

The database is bench/out/api-<N>.sqlite3: a copy of bench/customers.py's seeded file when
that one's schema is current, else seeded here; later runs reuse it (and remove the
previous run's customers first). One API key (Billing staff) is made each run. The rate
limit (100 requests a second per key) is raised for the server: it is counted as always,
but the throughput is what is measured.
"""

import argparse
import http.client
import json
import os
import secrets
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from loadtest import free_port, percentile, stop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
VENV = ROOT / ".venv" / "bin"
UV = ROOT / ".tools" / "bin" / "uv"
LOCALSTRIPE = "localstripe==1.15.10"
LOCALSTRIPE_VENV = OUT / "localstripe-venv"
# Valid EU VAT numbers (their check digits pass), as the API tests use.
VAT_NUMBERS = ("DE136695976", "FR40303265045")
EMAIL_DOMAIN = "api-bench.example"  # the customers this bench makes


def database(count: int) -> Path:
    """bench/out/api-<count>.sqlite3, copied from bench/customers.py's seeded file the
    first time if no migration is missing there (else prepare() seeds it)."""
    ours, shared = OUT / f"api-{count}.sqlite3", OUT / f"customers-{count}.sqlite3"
    if not ours.exists() and shared.exists():
        env = {**os.environ, "SQLITE_PATH": str(shared), "DJANGO_SECRET_KEY": "bench-only",
               "DJANGO_DEBUG": "0"}  # fmt: skip
        env.pop("DATABASE_URL", None)
        check = [str(VENV / "python"), "manage.py", "migrate", "--check"]
        if subprocess.run(check, cwd=ROOT, env=env, capture_output=True).returncode == 0:
            with sqlite3.connect(shared) as source, sqlite3.connect(ours) as copy:
                source.backup(copy)
            print(f"copied {shared.name} (schema current) to {ours.name}")
    return ours


def prepare(db_path: Path, count: int) -> tuple[str, str, int]:
    """Migrates and (first time) seeds the database, removes the last run's customers,
    makes a Billing staff key; returns (secret, an existing customer's email, customers)."""
    os.environ.update(SQLITE_PATH=str(db_path), DJANGO_SECRET_KEY="bench-only", DJANGO_DEBUG="0")
    os.environ.pop("DATABASE_URL", None)
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection

    from api.keys import api_key_create
    from bench.customers import seed
    from customers.models import Customer

    call_command("migrate", verbosity=0)
    if not Customer.objects.exists():
        seed(count)
    Customer.objects.filter(email_key__endswith=f"@{EMAIL_DOMAIN}").delete()
    _key, secret = api_key_create(name="bench", role=Group.objects.get(name="Billing staff"))
    total = Customer.objects.live().count()
    email = Customer.objects.live().order_by("id").values_list("email", flat=True)[total // 2]
    connection.close()
    return secret, email, total


def wait_until_answering(port: int, process: subprocess.Popen, path: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path, headers={"Authorization": "Bearer sk_test_x"})
            if connection.getresponse().status in (200, 401):
                return
        except OSError:
            pass
        time.sleep(0.5)
    stop([process])
    sys.exit(f"server on port {port} not answering; see {log}")


def start_ours(db_path: Path, port: int) -> subprocess.Popen:
    """bin/serve (gunicorn and the worker, as `make run`), after collectstatic."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.pop("TASKS_BACKEND", None)
    env.update(SQLITE_PATH=str(db_path), HOST="127.0.0.1", PORT=str(port), DJANGO_DEBUG="0",
               DJANGO_SECRET_KEY=secrets.token_urlsafe(50))  # fmt: skip
    env["DJANGO_API_RATE_LIMIT"] = "1000000"  # counted, never reached
    python = [str(VENV / "python"), "manage.py"]
    subprocess.run([*python, "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    log = OUT / "api-gunicorn.log"
    process = subprocess.Popen(["bin/serve"], cwd=ROOT, env=env, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    wait_until_answering(port, process, "/healthz", log)
    return process


def start_localstripe(port: int) -> subprocess.Popen:
    """localstripe in a venv of its own (not a dependency of the project), from scratch."""
    if not (LOCALSTRIPE_VENV / "bin" / "python").exists():
        subprocess.run([str(UV), "venv", "--quiet", str(LOCALSTRIPE_VENV)], check=True)
    subprocess.run([str(UV), "pip", "install", "--quiet", "--python",
                    str(LOCALSTRIPE_VENV / "bin" / "python"), LOCALSTRIPE], check=True)  # fmt: skip
    log = OUT / "api-localstripe.log"
    command = [str(LOCALSTRIPE_VENV / "bin" / "localstripe"), "--port", str(port), "--from-scratch"]
    process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                               start_new_session=True)  # fmt: skip
    wait_until_answering(port, process, "/v1/customers", log)
    return process


def create_form(tag: str) -> list[tuple[str, str]]:
    return [
        ("name", f"Bench {tag} GmbH"), ("email", f"api-{tag}@{EMAIL_DOMAIN}"),
        ("address[line1]", "Unter den Linden 1"), ("address[city]", "Berlin"),
        ("address[postal_code]", "10117"), ("address[country]", "DE"),
        ("metadata[bench_run]", tag.split("-")[0]), ("metadata[plan]", "team"),
        ("tax_id_data[0][type]", "eu_vat"), ("tax_id_data[0][value]", VAT_NUMBERS[0]),
        ("tax_id_data[1][type]", "eu_vat"), ("tax_id_data[1][value]", VAT_NUMBERS[1]),
    ]  # fmt: skip


def send(connection: http.client.HTTPConnection, method: str, path: str, secret: str,
         form: list[tuple[str, str]] | None = None) -> tuple[int, bytes]:  # fmt: skip
    headers = {"Authorization": f"Bearer {secret}"}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException):
        connection.close()  # a fresh connection for the next request
        raise


def create_load(port: int, secret: str, clients: int, seconds: int):
    """`clients` threads POSTing customers for `seconds`, each waiting for its answer;
    returns (created per second, [ms of each 200], Counter of other answers)."""
    times, errors, lock = [], Counter(), threading.Lock()
    run = secrets.token_hex(3)
    started = time.monotonic()
    deadline = started + seconds

    def client(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        sent = 0
        while time.monotonic() < deadline:
            sent += 1
            began = time.perf_counter()
            try:
                status, _ = send(connection, "POST", "/v1/customers", secret,
                                 create_form(f"{run}-{n}-{sent}"))  # fmt: skip
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
            with lock:
                if status == 200:
                    times.append((time.perf_counter() - began) * 1000)
                else:
                    errors[status] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(times) / (time.monotonic() - started), times, errors


def sequential(port: int, secret: str, path: str, runs: int) -> tuple[float, float, int]:
    """p50 and p95 ms of `runs` GETs one at a time after 5 to warm up, and how many
    objects the answer held."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for _ in range(5):
        status, body = send(connection, "GET", path, secret)
        if status != 200:
            sys.exit(f"GET {path} answered {status}: {body[:300]!r}")
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        send(connection, "GET", path, secret)
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), percentile(samples, 0.95), len(json.loads(body)["data"])


def measure(name: str, port: int, secret: str, args, search: str) -> dict:
    print(f"\n{name}: {args.clients} clients for {args.seconds} s; "
          f"load average before: {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip
    rate, times, errors = create_load(port, secret, args.clients, args.seconds)
    print(f"  created {len(times):,}; other answers: {dict(errors) or 'none'}")
    figures = {"create/s": rate, "create p50": statistics.median(times),
               "create p95": percentile(times, 0.95)}  # fmt: skip
    path = "/v1/customers?limit=100"
    figures["list p50"], figures["list p95"], shown = sequential(port, secret, path, args.runs)
    print(f"  list answered {shown} customers")
    if search:
        figures["search p50"], figures["search p95"], found = sequential(
            port, secret, search, args.runs
        )
        print(f"  search answered {found} customer(s)")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--runs", type=int, default=200, help="sequential GETs of each kind")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    db_path = database(args.customers)
    secret, email, total = prepare(db_path, args.customers)
    search = "/v1/customers/search?" + urlencode({"query": f'email:"{email}"'})

    port = free_port()
    server = start_ours(db_path, port)
    try:
        ours = measure(f"ours (gunicorn, SQLite, {total:,} customers)", port, secret, args, search)
    finally:
        stop([server])

    port = free_port()
    server = start_localstripe(port)
    try:
        theirs = measure(LOCALSTRIPE, port, "sk_test_bench", args, search="")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        status, _ = send(connection, "GET", search, "sk_test_bench")
        print(f"  localstripe's answer to the search: {status} (it has no /v1/customers/search)")
    finally:
        stop([server])
        Path("/tmp/localstripe.pickle").unlink(missing_ok=True)  # it saves its store there

    print(f"\n{'':<22}{'ours':>10}{'localstripe':>14}")
    for figure in ours:
        value = f"{theirs[figure]:>14.1f}" if figure in theirs else f"{'—':>14}"
        print(f"{figure + ('' if figure == 'create/s' else ' ms'):<22}{ours[figure]:>10.1f}{value}")
    ratio = ours["create/s"] / theirs["create/s"]
    print(f"create throughput ours/localstripe: {ratio:.2f}× (target ≥ 0.5×); "
          f"our list p50: {ours['list p50']:.1f} ms (target ≤ 50 ms)")  # fmt: skip
    print(f"load average after: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
