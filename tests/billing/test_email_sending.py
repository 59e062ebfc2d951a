"""Emailing invoices and credit notes: queued on commit, sent by the task, retried with
backoff on a temporary failure, failed at once on a permanent one, never sent twice."""

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from billing import tasks
from billing.emails import EmailRefused
from billing.models import DocumentEmail, DocumentEmailKind, DocumentEmailStatus
from billing.services import credit_note_issue, email_credit_note, email_invoice, email_resend
from billing.services.emails import NO_RECIPIENT
from tests.factories import make_customer, make_invoice

pytestmark = pytest.mark.django_db

SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"


def _queued(capture, **kwargs):
    with capture(execute=True):
        return email_invoice(**kwargs)


def _run(record):
    tasks.send_document_email.call(record.pk)
    record.refresh_from_db()
    return record


def test_an_invoice_email_is_queued_on_commit_and_the_task_sends_it(
    queue, django_capture_on_commit_callbacks
):
    invoice = make_invoice(make_customer(email="ada@example.com"), 1000, finalize=True)
    with django_capture_on_commit_callbacks() as callbacks:
        record = email_invoice(invoice=invoice, cc=["boss@example.com"])
        assert queue.results == []  # nothing is enqueued before the commit
    for callback in callbacks:
        callback()
    assert record.status == DocumentEmailStatus.QUEUED
    assert (record.to, record.cc, record.kind) == (
        ["ada@example.com"],
        ["boss@example.com"],
        DocumentEmailKind.INVOICE,
    )
    [job] = queue.results
    assert job.args == [record.pk] and job.task.run_after is None
    assert mail.outbox == []
    _run(record)
    assert record.status == DocumentEmailStatus.SENT and record.sent_at is not None
    assert record.attempts == 1
    [sent] = mail.outbox
    assert sent.to == ["ada@example.com"] and sent.cc == ["boss@example.com"]


@pytest.mark.parametrize("cc", [["not an address"], ["ok@example.com", "also@bad@example.com"]])
def test_a_refused_email_records_nothing(queue, cc, django_capture_on_commit_callbacks):
    invoice = make_invoice(None, 1000, finalize=True)
    with pytest.raises(EmailRefused):
        _queued(django_capture_on_commit_callbacks, invoice=invoice, cc=cc)
    assert not DocumentEmail.objects.exists() and queue.results == []


def test_a_draft_or_void_invoice_is_not_emailed(queue):
    draft = make_invoice(None, 1000)
    with pytest.raises(EmailRefused):
        email_invoice(invoice=draft)
    from billing.services import invoice_void

    void = invoice_void(invoice=make_invoice(None, 1000, finalize=True))
    with pytest.raises(EmailRefused, match="void invoice"):
        email_invoice(invoice=void)
    assert not DocumentEmail.objects.exists()


def test_a_customer_without_an_address_is_refused(queue):
    invoice = make_invoice(make_customer(email=""), 1000, finalize=True)
    with pytest.raises(EmailRefused, match="no email address"):
        email_invoice(invoice=invoice)
    assert not DocumentEmail.objects.exists()


def test_a_temporary_failure_is_retried_after_1_5_and_25_minutes_then_fails(
    queue, django_capture_on_commit_callbacks
):
    invoice = make_invoice(None, 1000, finalize=True)
    record = _queued(django_capture_on_commit_callbacks, invoice=invoice)
    queue.clear()
    with mock.patch(SEND, side_effect=smtplib.SMTPServerDisconnected("gone")) as send:
        for attempt, minutes in enumerate([1, 5, 25], start=1):
            before = timezone.now()
            _run(record)
            assert record.status == DocumentEmailStatus.QUEUED
            assert record.attempts == attempt and "gone" in record.last_error
            run_after = queue.results[-1].task.run_after
            assert before + timedelta(minutes=minutes) <= run_after
            assert run_after <= timezone.now() + timedelta(minutes=minutes)
        _run(record)
    assert send.call_count == 4
    assert record.status == DocumentEmailStatus.FAILED and record.attempts == 4
    assert record.last_error == "SMTPServerDisconnected: gone"
    assert len(queue.results) == 3  # no fifth try
    assert mail.outbox == []


def test_a_retry_that_succeeds_clears_the_error(queue, django_capture_on_commit_callbacks):
    record = _queued(
        django_capture_on_commit_callbacks, invoice=make_invoice(None, 1000, finalize=True)
    )
    with mock.patch(SEND, side_effect=TimeoutError("timed out")):
        _run(record)
    assert record.status == DocumentEmailStatus.QUEUED
    _run(record)
    assert record.status == DocumentEmailStatus.SENT and record.last_error == ""
    assert record.attempts == 2 and len(mail.outbox) == 1


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPResponseException(550, b"Mailbox unavailable"),
        smtplib.SMTPRecipientsRefused({"ada@example.com": (550, b"No such user")}),
        smtplib.SMTPAuthenticationError(535, b"Bad credentials"),
    ],
)
def test_a_permanent_failure_fails_at_once(queue, error, django_capture_on_commit_callbacks):
    record = _queued(
        django_capture_on_commit_callbacks, invoice=make_invoice(None, 1000, finalize=True)
    )
    queue.clear()
    with mock.patch(SEND, side_effect=error):
        _run(record)
    assert record.status == DocumentEmailStatus.FAILED and record.attempts == 1
    assert record.last_error and queue.results == []


def test_a_permanent_failure_says_what_the_server_answered(
    queue, django_capture_on_commit_callbacks
):
    record = _queued(
        django_capture_on_commit_callbacks, invoice=make_invoice(None, 1000, finalize=True)
    )
    with mock.patch(SEND, side_effect=smtplib.SMTPResponseException(550, b"Mailbox unavailable")):
        _run(record)
    assert record.last_error == "The mail server answered 550: Mailbox unavailable"


@pytest.mark.parametrize(
    ("error", "temporary"),
    [
        (smtplib.SMTPServerDisconnected(), True),
        (smtplib.SMTPConnectError(554, b"No service"), True),
        (smtplib.SMTPResponseException(421, b"Try later"), True),
        (smtplib.SMTPResponseException(451, b"Greylisted"), True),
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (OSError("Network unreachable"), True),
        (smtplib.SMTPResponseException(552, b"Too big"), False),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (450, b"Busy")}), False),
        (smtplib.SMTPNotSupportedError(), False),
        (EmailRefused("No address"), False),
        (ValueError(), False),
    ],
)
def test_which_failures_are_worth_another_try(error, temporary):
    assert tasks.is_temporary(error) is temporary


def test_a_task_run_twice_sends_once(queue, django_capture_on_commit_callbacks):
    record = _queued(
        django_capture_on_commit_callbacks, invoice=make_invoice(None, 1000, finalize=True)
    )
    _run(record)
    _run(record)
    assert len(mail.outbox) == 1 and record.attempts == 1


def test_a_failed_email_is_not_sent_by_a_late_task(queue, django_capture_on_commit_callbacks):
    record = _queued(
        django_capture_on_commit_callbacks, invoice=make_invoice(None, 1000, finalize=True)
    )
    DocumentEmail.objects.filter(pk=record.pk).update(status=DocumentEmailStatus.FAILED)
    _run(record)
    assert mail.outbox == [] and record.attempts == 0


def test_the_immediate_backend_sends_at_once_and_retries_without_waiting(
    settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    invoice = make_invoice(None, 1000, finalize=True)
    record = _queued(django_capture_on_commit_callbacks, invoice=invoice)
    record.refresh_from_db()
    assert record.status == DocumentEmailStatus.SENT and len(mail.outbox) == 1
    with mock.patch(SEND, side_effect=smtplib.SMTPServerDisconnected()):
        record = _queued(django_capture_on_commit_callbacks, invoice=invoice)
    record.refresh_from_db()
    assert record.status == DocumentEmailStatus.FAILED and record.attempts == tasks.MAX_ATTEMPTS


def test_a_credit_note_email_is_sent_with_its_invoice_recorded(
    queue, django_capture_on_commit_callbacks
):
    invoice = make_invoice(make_customer(email="ada@example.com"), 1000, finalize=True)
    note = credit_note_issue(invoice=invoice, amount=500)
    with django_capture_on_commit_callbacks(execute=True):
        record = email_credit_note(note=note)
    assert (record.kind, record.invoice, record.credit_note) == (
        DocumentEmailKind.CREDIT_NOTE,
        invoice,
        note,
    )
    _run(record)
    assert record.status == DocumentEmailStatus.SENT and mail.outbox[0].to == ["ada@example.com"]


def test_resend_queues_a_new_email_to_the_same_cc(queue, django_capture_on_commit_callbacks):
    first = _queued(
        django_capture_on_commit_callbacks,
        invoice=make_invoice(None, 1000, finalize=True),
        cc=["boss@example.com"],
    )
    _run(first)
    with django_capture_on_commit_callbacks(execute=True):
        again = email_resend(email=first)
    assert again.pk != first.pk and again.resend_of == first
    assert again.cc == ["boss@example.com"] and again.status == DocumentEmailStatus.QUEUED
    assert queue.results[-1].args == [again.pk]


def test_finalizing_queues_the_email_when_the_setting_is_on(
    queue, settings, django_capture_on_commit_callbacks
):
    settings.BILLING_EMAIL_ON_FINALIZE = True
    customer = make_customer(email="ada@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        invoice = make_invoice(customer, 1000, finalize=True)
    [record] = invoice.emails.all()
    assert record.status == DocumentEmailStatus.QUEUED and record.to == ["ada@example.com"]
    assert queue.results[-1].args == [record.pk]
    _run(record)
    assert record.status == DocumentEmailStatus.SENT


def test_finalizing_sends_nothing_when_the_setting_is_off(
    queue, settings, django_capture_on_commit_callbacks
):
    settings.BILLING_EMAIL_ON_FINALIZE = False
    with django_capture_on_commit_callbacks(execute=True):
        invoice = make_invoice(None, 1000, finalize=True)
    assert not invoice.emails.exists() and queue.results == []


def test_finalizing_for_a_customer_without_an_address_records_why_it_was_not_sent(
    queue, settings, django_capture_on_commit_callbacks
):
    settings.BILLING_EMAIL_ON_FINALIZE = True
    with django_capture_on_commit_callbacks(execute=True):
        invoice = make_invoice(make_customer(email=""), 1000, finalize=True)
    assert invoice.status == "open"
    [record] = invoice.emails.all()
    assert (record.status, record.last_error, record.to) == (
        DocumentEmailStatus.FAILED,
        NO_RECIPIENT,
        [],
    )
    assert queue.results == []


def test_an_email_that_can_no_longer_be_built_fails_at_once_saying_why(
    queue, django_capture_on_commit_callbacks
):
    customer = make_customer(email="ada@example.com")
    record = _queued(
        django_capture_on_commit_callbacks, invoice=make_invoice(customer, 1000, finalize=True)
    )
    customer.email = ""
    customer.save(update_fields=["email"])
    _run(record)
    assert record.status == DocumentEmailStatus.FAILED and "no email address" in record.last_error
    assert mail.outbox == []


def test_the_message_is_sent_outside_any_transaction_once_taken(queue, flushable_db, roles):
    """SQLite has one writer: a transaction held through SMTP would stall every page.
    The email is taken (sending) and committed first, then sent."""
    from django.db import connection

    invoice = make_invoice(make_customer(email="ada@example.com"), 1000, finalize=True)
    record = email_invoice(invoice=invoice)
    seen = []

    def send(backend, messages):
        seen.append((connection.in_atomic_block, DocumentEmail.objects.get(pk=record.pk).status))
        return len(messages)

    with mock.patch(SEND, autospec=True, side_effect=send):
        assert _run(record).status == DocumentEmailStatus.SENT
    assert seen == [(False, DocumentEmailStatus.SENDING)]
    assert record.attempts == 1
