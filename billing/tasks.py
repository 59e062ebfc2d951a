"""Background jobs (django-tasks; `make run` starts the worker): sending the invoice and
credit-note emails billing.services.emails queued, with retries on a temporary failure."""

import smtplib
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from activity import services as activity
from activity.context import acting
from activity.kinds import Source

from . import emails
from .models import DocumentEmail, DocumentEmailStatus

# The waits before the second, third and fourth tries: a try more than there are waits
# is the last, and its failure is final.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=25))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


@task()
def send_document_email(email_id: int) -> str:
    """Send one queued email. A worker takes it (queued → sending) in a short transaction
    first, so a task run twice never sends twice; the message is built and sent outside
    any transaction (SQLite has one writer: holding it through SMTP would stall the app)."""
    with acting(Source.WORKER):
        return _send(email_id)


def _send(email_id: int) -> str:
    with transaction.atomic():
        email = DocumentEmail.objects.select_for_update().get(pk=email_id)
        if email.status != DocumentEmailStatus.QUEUED:
            return email.status
        email.status = DocumentEmailStatus.SENDING
        email.sending_since = timezone.now()
        email.attempts += 1
        email.save(update_fields=["status", "sending_since", "attempts"])
    retry_at = None
    try:
        message = _message(email)
        email.to = list(message.to)
        message.send()
    except Exception as error:
        email.last_error = _describe(error)
        if is_temporary(error) and email.attempts < MAX_ATTEMPTS:
            retry_at = timezone.now() + RETRY_DELAYS[email.attempts - 1]
            email.status = DocumentEmailStatus.QUEUED
        else:
            email.status = DocumentEmailStatus.FAILED
    else:
        email.status = DocumentEmailStatus.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
    email.sending_since = None
    with transaction.atomic():
        email.save(update_fields=["to", "status", "sending_since", "sent_at", "last_error"])
        if email.status == DocumentEmailStatus.SENT:
            record_email("email.sent", email)
        elif email.status == DocumentEmailStatus.FAILED:
            record_email("email.failed", email, error=email.last_error)
    if retry_at is not None:
        enqueue_send(email, run_after=retry_at)
    return email.status


def enqueue_send(email: DocumentEmail, *, run_after=None) -> None:
    """Queue the sending of `email`, later if `run_after` is given and the tasks backend
    can wait (the immediate backend used by tests and benchmarks cannot: it retries at
    once)."""
    job = send_document_email
    if run_after is not None and job.get_backend().supports_defer:
        job = job.using(run_after=run_after)
    job.enqueue(email.pk)


def record_email(kind: str, email: DocumentEmail, **data: Any) -> None:
    """The activity entry saying `kind` happened to the email (queued, sent, failed), in
    the current transaction; `data` adds to whom, which kind and the document's number."""
    activity.record(kind, **_email_entry_fields(email, data))


def email_entry(kind: str, email: DocumentEmail, **data: Any) -> dict[str, Any]:
    """record_email's entry, for activity.record_all (a batch of reminders)."""
    return activity.entry(kind, **_email_entry_fields(email, data))


def _email_entry_fields(email: DocumentEmail, data: dict[str, Any]) -> dict[str, Any]:
    document = email.credit_note or email.invoice
    copies = {"cc": list(email.cc)} if email.cc else {}
    return {
        "customer": email.invoice.customer.public_id,
        "invoice": email.invoice.public_id,
        "object_id": email.public_id,
        "data": {
            "to": list(email.to),
            **copies,
            "kind": email.kind,
            "number": document.number,
            **data,
        },
    }


def is_temporary(error: BaseException) -> bool:
    """Worth another try: the server was unreachable, hung up or answered 4xx. A 5xx
    answer or refused recipients will be refused again. (smtplib's errors are OSErrors,
    so they are told apart first.)"""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return False
    if isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPException):
        return False
    return isinstance(error, (OSError, TimeoutError))


def _message(email: DocumentEmail):
    if email.credit_note is not None:  # set exactly for a credit note's (a constraint)
        return emails.credit_note_email(email.credit_note, cc=email.cc)
    if email.reminder:  # set exactly for a reminder (a constraint)
        return emails.reminder_email(email.invoice, email.reminder, cc=email.cc)
    return emails.invoice_email(email.invoice, cc=email.cc)


def _describe(error: BaseException) -> str:
    if isinstance(error, emails.EmailRefused):
        return str(error)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(sorted(error.recipients))
        return f"The mail server refused the recipients: {refused}."
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        return f"The mail server answered {error.smtp_code}: {text}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
