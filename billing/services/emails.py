"""Emailing invoices and credit notes: each send is checked here (the message is built
once, so a refusal reaches the user and nothing is recorded), recorded as a queued
DocumentEmail and sent by billing.tasks once the transaction commits."""

from collections.abc import Sequence
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import documents, emails, tasks
from ..models import (
    CollectionMethod,
    CreditNote,
    CreditNoteStatus,
    DocumentEmail,
    DocumentEmailKind,
    DocumentEmailStatus,
    Invoice,
    InvoiceStatus,
)

# An invoice can be emailed once it is issued and until it is voided; paid and
# uncollectible ones too (a copy for the customer's records).
SENDABLE_INVOICE_STATUSES = {
    InvoiceStatus.OPEN,
    InvoiceStatus.PAID,
    InvoiceStatus.UNCOLLECTIBLE,
}
NO_RECIPIENT = "Not sent: the customer has no email address to send invoices to."
# A worker sends one message in seconds (EMAIL_TIMEOUT is 30 s a try); one still sending
# after this was taken by a worker that stopped.
STALLED_AFTER = timedelta(minutes=15)
STALLED = (
    "The worker stopped while sending this email, so it may or may not have been "
    "delivered. Resend it if the customer did not get it."
)


def invoice_can_be_emailed(invoice: Invoice) -> bool:
    return invoice.status in SENDABLE_INVOICE_STATUSES


def credit_note_can_be_emailed(note: CreditNote) -> bool:
    return note.status == CreditNoteStatus.ISSUED


def email_invoice(*, invoice: Invoice, cc: Sequence[str] = (), user=None) -> DocumentEmail:
    """Queue the invoice's email to the customer's recipients (and `cc`). Raises
    emails.EmailRefused, saying why, when it cannot be sent."""
    if not invoice_can_be_emailed(invoice):
        raise emails.EmailRefused(
            f"A {invoice.get_status_display().lower()} invoice cannot be emailed."
        )
    message = emails.invoice_email(invoice, cc=cc)
    return _queue(kind=DocumentEmailKind.INVOICE, invoice=invoice, message=message, user=user)


def email_credit_note(*, note: CreditNote, cc: Sequence[str] = (), user=None) -> DocumentEmail:
    """Queue the credit note's email, as email_invoice does the invoice's."""
    if not credit_note_can_be_emailed(note):
        raise emails.EmailRefused("A void credit note cannot be emailed.")
    message = emails.credit_note_email(note, cc=cc)
    return _queue(
        kind=DocumentEmailKind.CREDIT_NOTE,
        invoice=note.invoice,
        credit_note=note,
        message=message,
        user=user,
    )


def email_resend(*, email: DocumentEmail, user=None) -> DocumentEmail:
    """Send the document of `email` again, to the customer's recipients as they are now
    and to the same CC; the new record points to the one it repeats."""
    if email.credit_note is not None:  # set exactly for a credit note's (a constraint)
        new = email_credit_note(note=email.credit_note, cc=email.cc, user=user)
    elif email.reminder:  # set exactly for a reminder (a constraint)
        # Made with resend_of already set: the one-reminder-each constraint counts
        # only the first of each reminder.
        message = emails.reminder_email(email.invoice, email.reminder, cc=email.cc)
        return _queue(
            kind=DocumentEmailKind.REMINDER,
            invoice=email.invoice,
            message=message,
            user=user,
            reminder=email.reminder,
            resend_of=email,
        )
    else:
        new = email_invoice(invoice=email.invoice, cc=email.cc, user=user)
    new.resend_of = email
    new.save(update_fields=["resend_of"])
    return new


def email_on_finalize(invoice: Invoice) -> DocumentEmail | None:
    """With BILLING_EMAIL_ON_FINALIZE on, an invoice finalized to be sent (collection
    method send_invoice) is queued for emailing when the finalizing commits. Called
    inside invoice_finalize's transaction: it never refuses the finalizing. A customer
    without a recipient gets a failed record saying so, shown on the invoice page."""
    if not settings.BILLING_EMAIL_ON_FINALIZE:
        return None
    if invoice.collection_method != CollectionMethod.SEND_INVOICE:
        return None
    to = emails.recipients(invoice.customer)
    record = DocumentEmail.objects.create(
        kind=DocumentEmailKind.INVOICE,
        invoice=invoice,
        to=to,
        language=_language(invoice),
        status=DocumentEmailStatus.QUEUED if to else DocumentEmailStatus.FAILED,
        last_error="" if to else NO_RECIPIENT,
    )
    if to:
        tasks.record_email("email.queued", record)
        transaction.on_commit(partial(tasks.enqueue_send, record))
    else:
        tasks.record_email("email.failed", record, error=NO_RECIPIENT)
    return record


def _queue(*, kind, invoice, message, user, credit_note=None, **fields) -> DocumentEmail:
    with transaction.atomic():
        record = DocumentEmail.objects.create(
            kind=kind,
            invoice=invoice,
            credit_note=credit_note,
            to=list(message.to),
            cc=list(message.cc),
            language=_language(invoice),
            created_by=user,
            **fields,
        )
        tasks.record_email("email.queued", record)
        transaction.on_commit(partial(tasks.enqueue_send, record))
    return record


def _language(invoice: Invoice) -> str:
    snapshot = invoice.customer_snapshot or {}
    locales = snapshot.get("preferred_locales") or invoice.customer.preferred_locales
    return documents.document_language(locales)


def emails_fail_stalled() -> int:
    """Mark Failed the emails a worker took to send more than STALLED_AFTER ago and never
    finished (it was killed, or its machine restarted): not sent again, as they may have
    gone out. Returns how many; safe to run on several machines at once."""
    cutoff = timezone.now() - STALLED_AFTER
    with transaction.atomic():
        stalled = list(
            DocumentEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("invoice__customer", "credit_note")
            .filter(status=DocumentEmailStatus.SENDING, sending_since__lt=cutoff)
        )
        for email in stalled:
            email.status, email.last_error, email.sending_since = (
                DocumentEmailStatus.FAILED, STALLED, None
            )  # fmt: skip
            email.save(update_fields=["status", "last_error", "sending_since"])
            tasks.record_email("email.failed", email, error=STALLED)
    return len(stalled)
