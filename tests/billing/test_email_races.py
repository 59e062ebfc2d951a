"""Workers racing for one email: a task enqueued twice (a retry and a late duplicate, two
worker machines) sends the message once. On PostgreSQL the row lock of the take decides;
on SQLite the write lock does."""

import pytest
from django.core import mail
from django.db import connection

from billing import tasks
from billing.models import DocumentEmail, DocumentEmailStatus
from billing.services import email_invoice
from tests.concurrency import at_once
from tests.factories import make_customer, make_invoice


def _race_for_one_email(threads, django_capture_on_commit_callbacks):
    invoice = make_invoice(make_customer(email="ada@example.com"), 1000, finalize=True)
    with django_capture_on_commit_callbacks():  # not run: the threads send it
        record = email_invoice(invoice=invoice)
    outcomes = at_once(threads, lambda: tasks.send_document_email.call(record.pk))
    record.refresh_from_db()
    assert len(mail.outbox) == 1
    assert (record.status, record.attempts) == (DocumentEmailStatus.SENT, 1)
    # One worker sent it; every other one found it taken (sending) or sent, and left it.
    assert len(outcomes) == threads
    assert set(outcomes) <= {DocumentEmailStatus.SENDING, DocumentEmailStatus.SENT}
    assert DocumentEmail.objects.count() == 1


@pytest.mark.usefixtures("flushable_db")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_workers_racing_for_an_email_on_postgresql_send_it_once(
    django_capture_on_commit_callbacks,
):
    _race_for_one_email(6, django_capture_on_commit_callbacks)


@pytest.mark.usefixtures("flushable_db")
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite variant")
def test_workers_racing_for_an_email_on_sqlite_send_it_once(django_capture_on_commit_callbacks):
    _race_for_one_email(3, django_capture_on_commit_callbacks)
