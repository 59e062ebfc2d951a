"""Money through the API from racing threads (PostgreSQL: real row locks): adjustments for
one customer, each Idempotency-Key sent twice at once, add up exactly and post once;
drafts finalized twice at once are numbered once without gaps; credit notes racing on one
invoice never credit more than it owes."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from billing.models import CreditNote, Invoice
from ledger.models import BalanceTransaction, CustomerBalance
from tests.api.conftest import make_key
from tests.factories import make_customer, make_invoice

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


def test_finalizing_racing_drafts_numbers_each_once_without_gaps(flushable_db, roles):
    """Every draft of one customer finalized through the API from racing threads, each
    twice at once: each is numbered once, the numbers run 1..n."""
    _, secret = make_key()
    customer = make_customer(invoice_prefix="RACE")
    drafts = [make_invoice(customer, 1000 + n) for n in range(KEYS)]

    def finalize(client, n):
        return client.post(
            f"/v1/invoices/{drafts[n // 2].public_id}/finalize",
            "",
            content_type="application/x-www-form-urlencoded",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )

    answers = _race(finalize)
    done = [answer for _, answer in answers if answer.status_code == 200]
    refused = [answer.json()["error"] for _, answer in answers if answer.status_code != 200]
    # One of each pair finalizes; the other finds it finalized already (a clear 400).
    assert len(done) == KEYS and len(refused) == KEYS
    assert {error["type"] for error in refused} == {"invalid_request_error"}
    numbers = sorted(Invoice.objects.filter(customer=customer).values_list("number", flat=True))
    assert numbers == [f"RACE-{n:04d}" for n in range(1, KEYS + 1)]


def test_credit_notes_racing_on_one_invoice_never_credit_more_than_it_owes(flushable_db, roles):
    _, secret = make_key()
    invoice = make_invoice(make_customer(), 10_000, finalize=True)

    def credit(client, n):
        return client.post(
            "/v1/credit_notes",
            f"invoice={invoice.public_id}&amount=1000",
            content_type="application/x-www-form-urlencoded",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )

    answers = _race(credit)  # 48 notes of 10.00 asked against 100.00 owed
    assert sum(answer.status_code == 200 for _, answer in answers) == 10
    notes = CreditNote.objects.filter(invoice=invoice)
    assert notes.count() == 10 and sum(note.amount for note in notes) == 10_000
    assert sorted(note.number for note in notes) == sorted(
        f"{invoice.number}-CN-{n:02d}" for n in range(1, 11)
    )
    call_command("verify_ledger")
