"""Past one machine: two app servers (gunicorn, two workers each) and two background workers
(`manage.py run_worker`) against one PostgreSQL database, as README's "Running in production"
lays them out. Money actions for the same customers go through both servers at once, each
idempotent form posted twice (once to each server, concurrently), over HTTP with one
signed-in session; afterwards invoice and credit-note numbers are unique and gap-free, every
keyed request posted once, `verify_ledger` is clean and both workers reported alive.

PostgreSQL only: several processes writing one SQLite file on one machine is not the layout
this proves, and the test database must be one the servers can open."""

import http.cookiejar
import itertools
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from billing.models import CreditNote, Invoice
from core.models import WorkerHeartbeat
from customers.models import Customer
from ledger.models import BalanceTransaction, TransactionType
from tests.factories import make_customer, make_invoice, make_user

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="several servers and workers share one PostgreSQL database (DATABASE_URL=postgres://…)",
)

PASSWORD = "two-servers-test-password"
SECRET_KEY = "one-key-for-every-server-of-this-test-" + "k3Zp8" * 10
CUSTOMERS = 3
INVOICES_PER_CUSTOMER = 4
ADJUSTMENTS_PER_CUSTOMER = 4
THREADS = 6
START_SECONDS = 40
# As bin/serve starts it, with two workers each: sized for a 2-core machine.
GUNICORN = ("-c", "config/gunicorn.py", "config.wsgi", "--workers", "2")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url() -> str:
    """The URL of the test database pytest-django created (not the one DATABASE_URL names)."""
    db = connection.settings_dict
    quote = urllib.parse.quote
    credentials = f"{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@"
    return f"postgres://{credentials}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _environment() -> dict[str, str]:
    """Production settings (no DJANGO_DEBUG) on the test database, one secret key for all.
    PYTEST_VERSION stays: static files are then served from static/ without collectstatic."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    return {**env, "DATABASE_URL": _database_url(), "DJANGO_SECRET_KEY": SECRET_KEY}


class Processes:
    """The servers and workers this test started, each in its own process group, with its
    output in a file shown when something goes wrong."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, *args: str) -> None:
        log = (self.directory / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, *args],
            cwd=settings.BASE_DIR,
            env=_environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append((name, process))

    def check_running(self) -> None:
        for name, process in self.started:
            assert process.poll() is None, f"{name} exited early:\n{self.logs()}"

    def logs(self) -> str:
        return "\n".join(
            f"--- {name} ---\n{(self.directory / f'{name}.log').read_text()[-3000:]}"
            for name, _ in self.started
        )

    def stop(self) -> None:
        """SIGTERM each process group (gunicorn and db_worker stop cleanly on it), then
        SIGKILL whatever is left after a few seconds."""
        for _, process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _, process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None  # a redirect is an answer to look at, not to follow


class Browser:
    """One signed-in staff member's cookies (session and CSRF), used against every server:
    the session lives in the database, so any server knows it."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects()
        )

    def request(self, url: str, data: dict[str, str] | None = None, htmx: bool = True):
        headers = {"HX-Request": "true"} if htmx else {}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["X-CSRFToken"] = self.cookie("csrftoken")
        request = urllib.request.Request(url, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def cookie(self, name: str) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == name) or ""

    def sign_in(self, server: str, username: str) -> None:
        login = server + reverse("login")
        assert self.request(login, htmx=False)[0] == 200
        form = {"username": username, "password": PASSWORD}
        form["csrfmiddlewaretoken"] = self.cookie("csrftoken")
        status, body = self.request(login, form, htmx=False)
        assert status == 302, body[:2000]


def _wait_until_healthy(servers: list[str], processes: Processes) -> None:
    """/healthz answers 200 once the server is up and a worker has reported."""
    deadline = time.monotonic() + START_SECONDS
    pending = list(servers)
    while pending:
        processes.check_running()
        assert time.monotonic() < deadline, f"not healthy: {pending}\n{processes.logs()}"
        try:
            with urllib.request.urlopen(pending[0] + "/healthz", timeout=5) as response:
                if response.status == 200:
                    pending.pop(0)
                    continue
        except OSError:  # not listening yet, or its workers still loading
            pass
        time.sleep(0.3)


def _setup() -> tuple[list[Customer], list[Invoice]]:
    user = make_user("Billing staff", is_staff=True, username="multi")
    # The servers know only the production hashers (the tests' fast MD5 is this process's).
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    customers = [
        make_customer(invoice_prefix=f"TWOSRV{n}", default_currency="USD") for n in range(CUSTOMERS)
    ]
    drafts = [
        make_invoice(customer, 5000) for customer in customers for _ in range(INVOICES_PER_CUSTOMER)
    ]
    return customers, drafts


def _jobs(
    browser: Browser, servers: list[str], customers: list[Customer], drafts: list[Invoice]
) -> Iterator[tuple[Any, ...]]:
    """The work, as (function, *arguments) for the thread pool; each function returns the
    (what, server, (status, body)) of its requests.
    Each adjustment key is two jobs, one per server, so the copies race each other; each
    invoice is finalized through one server, then credited twice with one key, through
    both servers in turn."""

    def adjust(customer: Customer, key: str, server: str):
        url = server + reverse("ledger:adjust", args=[customer.public_id])
        form = {"adjustment_type": "credit", "amount": "3.00", "idempotency_key": key}
        return [("adjust", server, browser.request(url, form))]

    def finalize_and_credit(invoice: Invoice, first: str, second: str):
        done = []
        url = first + reverse("billing:invoice_finalize", args=[invoice.public_id])
        done.append(("finalize", first, browser.request(url, {})))
        form = {"credit": "amount", "amount": "1.00", "reason": "duplicate",
                "idempotency_key": str(uuid.uuid4())}  # fmt: skip
        for server in (second, first):
            url = server + reverse("billing:credit_note_new", args=[invoice.public_id])
            done.append(("credit note", server, browser.request(url, form)))
        return done

    a, b = servers
    for customer in customers:
        for _ in range(ADJUSTMENTS_PER_CUSTOMER):
            key = f"adjust-{uuid.uuid4()}"
            yield (adjust, customer, key, a)
            yield (adjust, customer, key, b)
    for invoice, (first, second) in zip(drafts, itertools.cycle([(a, b), (b, a)]), strict=False):
        yield (finalize_and_credit, invoice, first, second)


def test_database_url_connections_are_checked_before_reuse():
    """A connection kept between requests is checked first, so one the database closed (a
    restart, a failover) is replaced instead of failing the request; a host that doesn't
    answer fails a connection in 5 s."""
    code = (
        "import config.settings as s; db = s.DATABASES['default'];"
        "print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'], db['OPTIONS']['connect_timeout'])"
    )
    env = {**_environment(), "DATABASE_URL": "postgres://u:p@db.example.com:5432/billing"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["60", "True", "5"]


@postgresql_only
@pytest.mark.usefixtures("flushable_db", "roles")
def test_two_servers_and_two_workers_share_one_database(tmp_path):
    customers, drafts = _setup()
    ports = [_free_port(), _free_port()]
    servers = [f"http://127.0.0.1:{port}" for port in ports]
    workers = [f"two-servers-{n}" for n in range(2)]
    processes = Processes(tmp_path)
    browser = Browser()
    jobs = list(_jobs(browser, servers, customers, drafts))
    random.Random(14).shuffle(jobs)
    try:
        for n, port in enumerate(ports):
            bind = f"127.0.0.1:{port}"
            processes.start(f"web{n}", "-m", "gunicorn", *GUNICORN, "--bind", bind)
        for worker_id in workers:
            processes.start(worker_id, "manage.py", "run_worker", "--worker-id", worker_id)
        _wait_until_healthy(servers, processes)

        # Signed in through one server's login form, the session works on the other.
        browser.sign_in(servers[0], "multi")
        page = servers[1] + reverse("customers:list")
        assert browser.request(page, htmx=False)[0] == 200

        with ThreadPoolExecutor(THREADS) as pool:
            futures = [pool.submit(job[0], *job[1:]) for job in jobs]
            answers = [answer for future in futures for answer in future.result()]
        failed = [(what, server, status, body[:500]) for what, server, (status, body) in answers
                  if status != 204]  # fmt: skip
        assert failed == [], processes.logs()
        assert {server for _, server, _ in answers} == set(servers)

        # Both workers reported alive (their rows go when they stop cleanly: look now).
        assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == set(workers)
    finally:
        processes.stop()

    for n, customer in enumerate(customers):
        numbers = sorted(Invoice.objects.filter(customer=customer).values_list("number", flat=True))
        assert numbers == [f"TWOSRV{n}-{i:04d}" for i in range(1, INVOICES_PER_CUSTOMER + 1)]
        customer.refresh_from_db()
        assert customer.next_invoice_sequence == INVOICES_PER_CUSTOMER + 1
    # Each invoice's key was posted twice, through both servers: one credit note each.
    notes = CreditNote.objects.select_related("invoice")
    assert sorted(note.number for note in notes) == sorted(
        f"{invoice.number}-CN-01" for invoice in Invoice.objects.all()
    )
    # Each adjustment key was posted twice at once, through both servers: posted once.
    keys = [job[2] for job in jobs if job[0].__name__ == "adjust"]
    assert len(keys) == 2 * len(set(keys)) == 2 * CUSTOMERS * ADJUSTMENTS_PER_CUSTOMER
    adjustments = BalanceTransaction.objects.filter(type=TransactionType.ADJUSTMENT)
    assert sorted(adjustments.values_list("idempotency_key", flat=True)) == sorted(set(keys))
    call_command("verify_ledger")  # raises CommandError on any mismatch
