"""Load test: simulated staff users against the production server (gunicorn and the worker,
as `make run` serves) on a database of 100,000 customers, over HTTP with the stdlib.

    make loadtest                                   # 16 users, 60 s, SQLite in bench/out/
    python bench/loadtest.py --users 4 --seconds 10
    python bench/loadtest.py --server runserver     # Django's development server, to compare
    python bench/loadtest.py --saturate --drafts 1000   # no pauses, 4..64 users, 20 s a step
    python bench/loadtest.py --database-url postgres://...   # a scratch PostgreSQL database
    python bench/loadtest.py --fault kill-web --no-pause     # faults: see bench/faults.py

Each user signs in through the login form (a session of its own), then, pausing 0.5–1.5 s
between requests (unless --no-pause): the Customers page with filters, search, a sort or the
next page; customer pages; invoice PDFs; balance adjustments (the Adjust balance form, htmx,
with the key its dialog gave: "adjust" times the dialog's GET and the POST); finalizations
of drafts (each draft once; `--drafts 1000` for --saturate). Prints requests/s,
p50/p95/p99 per kind and errors (an exception, a 4xx/5xx, or a POST not answered 204), then
`manage.py verify_ledger` on the database.
"""

import argparse
import http.client
import logging
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict, deque
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import faults

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
VENV = ROOT / ".venv" / "bin"
USERNAME, PASSWORD = "loadtest", "loadtest-password-2026"
# Share of each kind of request in the mix.
MIX = {"customers": 40, "customer": 25, "pdf": 10, "adjust": 15, "finalize": 10}
SAMPLE = 2_000  # customers the users pick from


def database_env(args):
    if args.database_url:
        return {"DATABASE_URL": args.database_url}
    return {"SQLITE_PATH": str(args.sqlite_path or OUT / f"loadtest-{args.customers}.sqlite3")}


def seed(args, env):
    """Customers (bench/customers.py's bulk insert) on first use, the sign-in, enough drafts
    for this run (each with a credit balance to take), a few issued invoices for the PDFs.
    Returns what the users pick from."""
    os.environ.update(env, DJANGO_SECRET_KEY="bench-only", DJANGO_DEBUG="0")
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    logging.disable(logging.INFO)  # not the money log line of every seeded transaction
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection

    from bench.customers import seed as seed_customers
    from billing.models import Invoice
    from billing.services import invoice_create, invoice_finalize, item_add
    from customers.models import Customer
    from ledger.services import balance_adjust

    call_command("migrate", verbosity=0)
    if not Customer.objects.exists():
        seed_customers(args.customers)
    user, _ = User.objects.get_or_create(username=USERNAME, defaults={"is_staff": True})
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name="Billing staff"))

    rng = random.Random(14)
    total = Customer.objects.live().count()
    ids = sorted(rng.sample(range(total), min(SAMPLE, total)))
    live = Customer.objects.live().order_by("id").values_list("id", flat=True)
    sample = list(Customer.objects.filter(id__in=[live[i] for i in ids]))
    drafts = Invoice.objects.filter(status="draft")
    missing = args.drafts + 20 - drafts.count()
    started = time.perf_counter()
    for n in range(max(0, missing)):
        customer = sample[n % len(sample)]
        currency = customer.default_currency
        for line in range(3):
            item_add(customer=customer, description=f"Load {n}.{line}",
                     unit_amount=rng.randint(1_000, 90_000), currency=currency)  # fmt: skip
        invoice_create(customer=customer)
        balance_adjust(customer=customer, amount=-rng.randint(1_000, 50_000),
                       currency=currency, description="Load test credit")  # fmt: skip
    issued = Invoice.objects.exclude(status="draft")
    for invoice in list(drafts.order_by("-id")[: max(0, 20 - issued.count())]):
        invoice_finalize(invoice=invoice)
    if missing > 0:
        print(f"made {missing} drafts in {time.perf_counter() - started:.1f} s")
    pick = {
        "customers": [(c.public_id, c.email) for c in sample],
        "drafts": deque(drafts.values_list("public_id", flat=True)),
        "pdfs": list(issued.values_list("public_id", flat=True)[:200]),
        # Each adjustment key and draft posted, with the last answer (for faults.audit).
        "sent": {"adjust": {}, "finalize": {}},
    }
    connection.close()
    return pick


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(args, env, port):
    """gunicorn (config/gunicorn.py) or runserver, and `run_worker`, each in its own process
    group, output in bench/out/loadtest-<server>.log; returns once /healthz says 200."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(database_env(args), HOST="127.0.0.1", PORT=str(port))
    env.pop("TASKS_BACKEND", None)
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    python = [str(VENV / "python"), "manage.py"]
    if args.server == "gunicorn":
        env["DJANGO_DEBUG"] = "0"
        subprocess.run([*python, "collectstatic", "--no-input", "-v0"], env=env, check=True)
        web = [str(VENV / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"]
    else:
        env["DJANGO_DEBUG"] = "1"
        web = [*python, "runserver", "--noreload", f"127.0.0.1:{port}"]
    log = (OUT / f"loadtest-{args.server}.log").open("wb")
    processes = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        for command in (web, [*python, "run_worker"])
    ]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            break
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return processes
        except OSError:
            pass
        time.sleep(0.5)
    stop(processes)
    sys.exit(f"server not healthy; see {log.name}")


def stop(processes):
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, 15)
    for process in processes:
        process.wait(timeout=30)


class User:
    """One signed-in staff member: a connection, its cookies, its own session."""

    def __init__(self, port, retry=False):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies = {}
        self.retry = retry
        self.failed = []  # (when, kind, answer) of each attempt that was sent again

    def request(self, method, path, form=None, htmx=False):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        if htmx:
            headers["HX-Request"] = "true"
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # a fresh connection for the next request
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, content

    def post(self, kind, path, form):
        """An htmx POST; when retrying (fault runs), one that got no answer or a 5xx is sent
        again a second later with the same form (and key), until answered."""
        while True:
            try:
                status = self.request("POST", path, form, htmx=True)[0]
            except (OSError, http.client.HTTPException) as error:
                if not self.retry:
                    raise
                status = type(error).__name__
            if not self.retry or (isinstance(status, int) and status < 500):
                return status
            self.failed.append((time.monotonic(), kind, status))
            time.sleep(1)

    def sign_in(self):
        self.request("GET", "/login/")
        form = {"username": USERNAME, "password": PASSWORD,
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}  # fmt: skip
        status, body = self.request("POST", "/login/", form)
        if status != 302:
            raise RuntimeError(f"sign-in answered {status}: {body[:300]!r}")


def one_request(user, pick, rng):
    """One request of the mix: returns (kind, status), or None when nothing is left to do."""
    kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    public_id, email = rng.choice(pick["customers"])
    if kind == "customers":
        query = rng.choice([{}, {"email": email}, {"currency": rng.choice(["EUR", "JPY", "USD"])},
                            {"q": rng.choice(["wonka", "stark", public_id])}, {"sort": "name"},
                            {"after": public_id}])  # fmt: skip
        return kind, user.request("GET", f"/customers/?{urlencode(query)}", htmx=bool(query))[0]
    if kind == "customer":
        return kind, user.request("GET", f"/customers/{public_id}/")[0]
    if kind == "pdf" and pick["pdfs"]:
        return kind, user.request("GET", f"/invoices/{rng.choice(pick['pdfs'])}/pdf/")[0]
    if kind == "adjust":
        path = f"/customers/{public_id}/balance/adjust/"
        status, dialog = user.request("GET", path, htmx=True)  # as a click opens it: its key
        if status != 200:  # no dialog, nothing to send
            return kind, status
        key = re.search(rb'name="idempotency_key" value="([\w-]+)"', dialog)
        form = {"adjustment_type": rng.choice(["credit", "debit"]), "amount": "3",
                "idempotency_key": key.group(1).decode() if key else ""}  # fmt: skip
        currency = re.search(rb'<option value="(\w{3})" selected', dialog)
        if currency:  # offered only for a customer without a default currency
            form["currency"] = currency.group(1).decode()
        pick["sent"]["adjust"][form["idempotency_key"]] = None
        status = user.post(kind, path, form)
        pick["sent"]["adjust"][form["idempotency_key"]] = status
        return kind, status
    try:
        draft = pick["drafts"].popleft()
    except IndexError:
        return None
    pick["sent"]["finalize"][draft] = None
    status = user.post("finalize", f"/invoices/{draft}/finalize/", {})
    pick["sent"]["finalize"][draft] = status
    return "finalize", status


def run(port, pick, users, seconds, pause, fault=None):
    """`users` threads for `seconds`, and `fault` (bench/faults.py) once they are signed in;
    returns ({kind: [ms]}, errors, requests/s, [(seconds in, kind, answer)])."""
    times, errors, timeline, lock = defaultdict(list), [], [], threading.Lock()
    signed_in = [User(port, retry=fault is not None) for _ in range(users)]
    for user in signed_in:
        user.sign_in()
    started = time.monotonic()
    deadline = started + seconds

    def simulate(user, seed):
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            at = time.monotonic() - started
            began = time.perf_counter()
            try:
                done = one_request(user, pick, rng)
            except Exception as error:  # noqa: BLE001 (counted and reported)
                done = ("exception", repr(error))
            if done is None:
                continue
            kind, status = done
            elapsed = (time.perf_counter() - began) * 1000
            post = kind in ("adjust", "finalize")
            with lock:
                times[kind].append(elapsed)
                timeline.append((at, kind, status))
                if kind == "exception" or status >= 400 or (post and status != 204):
                    errors.append((kind, status))
            if pause:
                time.sleep(rng.uniform(0.5, 1.5))

    if fault:
        fault.started = started
        fault.start()
    threads = [threading.Thread(target=simulate, args=(u, n)) for n, u in enumerate(signed_in)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for user in signed_in:  # the attempts sent again
        timeline += [(when - started, kind, answer) for when, kind, answer in user.failed]
        errors += [(kind, answer) for _, kind, answer in user.failed]
    total = sum(len(samples) for samples in times.values())
    return times, errors, total / (time.monotonic() - started), timeline


def percentile(samples, share):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def report(times, errors, rate):
    print(f"\n{'kind':<12}{'requests':>10}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for kind, samples in sorted(times.items()):
        print(f"{kind:<12}{len(samples):>10}{statistics.median(samples):>10.0f}"
              f"{percentile(samples, 0.95):>10.0f}{percentile(samples, 0.99):>10.0f}")  # fmt: skip
    print(f"requests/s: {rate:.1f}   errors: {len(errors)}")
    for (kind, status), count in sorted(Counter(errors).items(), key=str)[:10]:
        print(f"  {count} × {kind}: {status}")


def verify_ledger(args):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    env.update(database_env(args))
    result = subprocess.run([str(VENV / "python"), "manage.py", "verify_ledger"], cwd=ROOT,
                            env=env, capture_output=True, text=True)  # fmt: skip
    print(f"\nverify_ledger (exit {result.returncode}):\n{(result.stdout + result.stderr).strip()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--no-pause", action="store_true")
    parser.add_argument("--saturate", action="store_true", help="no pauses, 4..64 users")
    parser.add_argument("--steps", default="4,8,16,32,64")
    parser.add_argument("--step-seconds", type=int, default=20)
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (else SQLite)")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--drafts", type=int, default=400, help="drafts ready to finalize")
    parser.add_argument("--fault", choices=["kill-web", "restart-postgres", "disk-full"])
    parser.add_argument("--outage", type=int, default=5, help="seconds a fault lasts")
    args = parser.parse_args()
    args.sqlite_path = None  # on the small disk during a disk-full run

    OUT.mkdir(parents=True, exist_ok=True)
    pick = seed(args, database_env(args))
    if args.fault == "disk-full":
        database = Path(database_env(args)["SQLITE_PATH"])
        with faults.small_disk(database, OUT / "small-disk") as args.sqlite_path:
            load(args, pick)
        args.sqlite_path = None
    else:
        load(args, pick)
    verify_ledger(args)
    if args.fault and not faults.audit(pick["sent"]):
        sys.exit("something was lost or posted twice")


def load(args, pick):
    """Starts the server, runs the users (and the fault), prints the figures, stops it."""
    port = free_port()
    processes = start_server(args, database_env(args), port)
    print(f"{args.server} on 127.0.0.1:{port}; {len(pick['drafts'])} drafts; "
          f"load average before: {os.getloadavg()[0]:.2f}")  # fmt: skip
    try:
        if not args.saturate:
            fault = args.fault and faults.Faults(
                args.fault, processes[0].pid, args.seconds, args.outage, OUT / "small-disk"
            )
            times, errors, rate, timeline = run(
                port, pick, args.users, args.seconds, pause=not args.no_pause, fault=fault
            )
            report(times, errors, rate)
            if fault:
                fault.stop()
                faults.report(fault, timeline)
                print(f"/healthz after the run: {User(port).request('GET', '/healthz')}")
        else:
            saturate(args, port, pick)
        print(f"load average after: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    finally:
        stop(processes)


def saturate(args, port, pick):
    best = 0.0
    print(f"\n{'users':>6}{'requests/s':>12}{'p95 ms':>10}{'errors':>8}")
    for users in [int(n) for n in args.steps.split(",")]:
        times, errors, rate, _ = run(port, pick, users, args.step_seconds, pause=False)
        p95 = percentile([ms for samples in times.values() for ms in samples], 0.95)
        print(f"{users:>6}{rate:>12.1f}{p95:>10.0f}{len(errors):>8}")
        if errors or p95 > 1000:
            break
        best = max(best, rate)
    print(f"highest sustained: {best:.1f} requests/s (no errors, p95 ≤ 1 s)")


if __name__ == "__main__":
    main()
