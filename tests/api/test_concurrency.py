"""Money through the API from racing threads (PostgreSQL: real row locks): adjustments for
one customer, each Idempotency-Key sent twice at once, add up exactly and post once."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from ledger.models import BalanceTransaction, CustomerBalance
from tests.api.conftest import make_key
from tests.factories import make_customer

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks under real concurrency: PostgreSQL"
)

THREADS = 8
KEYS = 24


def _race(work):
    """Each of THREADS threads runs work(n) for its share of 0..KEYS*2-1, all released at
    once; every thread closes its own database connection."""
    start = threading.Barrier(THREADS)
    answers, lock = [], threading.Lock()

    def run(thread):
        try:
            client = Client()
            start.wait()
            for n in range(thread, KEYS * 2, THREADS):
                answer = work(client, n)
                with lock:
                    answers.append((n, answer))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_adjustments_race_to_the_exact_balance_each_key_once(flushable_db, roles):
    _, secret = make_key()
    customer = make_customer(default_currency="EUR")
    path = f"/v1/customers/{customer.public_id}/balance_transactions"

    def adjust(client, n):
        key = n // 2  # n and n + 1 share a key: a retry racing the first send
        return client.post(
            path,
            f"amount={-(key + 1) * 100}&currency=eur",
            content_type="application/x-www-form-urlencoded",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
            HTTP_IDEMPOTENCY_KEY=f"adjust-{key}",
        )

    answers = _race(adjust)
    assert sorted(answer.status_code for _, answer in answers) == [200] * (KEYS * 2)
    ids = {}
    for n, answer in answers:
        ids.setdefault(n // 2, set()).add(answer.json()["id"])
    assert all(len(same) == 1 for same in ids.values())  # both sends: one transaction
    assert BalanceTransaction.objects.filter(customer=customer).count() == KEYS
    expected = -sum((key + 1) * 100 for key in range(KEYS))
    assert CustomerBalance.objects.get(customer=customer, currency="EUR").amount == expected
    call_command("verify_ledger")
