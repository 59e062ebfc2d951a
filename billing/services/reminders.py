"""Invoice reminders: an email before an open invoice is due and another after it was due,
as each legal entity's reminder settings say. `send_reminders` is run every few minutes
(manage.py send_reminders); it records each reminder as a queued DocumentEmail that
billing.tasks sends once the batch commits, as the other invoice emails.

Each reminder goes once per invoice whoever runs this and however often: the insert
leans on the documentemail_one_reminder_each constraint (a second insert of the same
reminder is ignored), so two machines running it at once queue each reminder once.
"""

from collections.abc import Iterator
from datetime import date, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from activity import services as activity
from customers.models import LegalEntity

from .. import emails, tasks
from ..models import (
    CollectionMethod,
    DocumentEmail,
    DocumentEmailKind,
    DocumentEmailStatus,
    Invoice,
    InvoiceStatus,
)
from ..models.emails import DocumentEmailReminder
from .emails import NO_RECIPIENT, _language

BATCH_SIZE = 500


def send_reminders(today: date | None = None) -> int:
    """Queue every reminder due by `today` (the local date by default) and not yet
    made; return how many were queued to be sent (a customer without an email address
    gets a failed record saying so instead, not counted)."""
    today = today or timezone.localdate()
    queued = 0
    entities = LegalEntity.objects.filter(
        Q(reminder_days_before_due__isnull=False) | Q(reminder_days_after_due__isnull=False)
    )
    for entity in entities:
        for reminder, window in _windows(entity, today):
            for batch in _candidates(entity, reminder, window):
                queued += _queue_batch(batch, reminder)
    return queued


def _windows(entity: LegalEntity, today: date) -> Iterator[tuple[str, Q]]:
    """The due dates that call for each of the entity's reminders today."""
    if before := entity.reminder_days_before_due:
        # Due within `before` days, and not yet due.
        yield (
            DocumentEmailReminder.BEFORE_DUE,
            Q(due_date__gt=today, due_date__lte=today + timedelta(days=before)),
        )
    if after := entity.reminder_days_after_due:
        yield DocumentEmailReminder.AFTER_DUE, Q(due_date__lte=today - timedelta(days=after))


def _candidates(entity: LegalEntity, reminder: str, window: Q) -> Iterator[list[Invoice]]:
    """The entity's open invoices in `window` of live customers still without this
    reminder, BATCH_SIZE at a time in (due_date, id) order: each batch continues the
    range scan of the invoice_reminder_due index where the last one stopped, so a run
    reads each open invoice of the window once (those already reminded are skipped by a
    look-up in the documentemail_one_reminder_each index), however many there are."""
    already = DocumentEmail.objects.filter(
        invoice=OuterRef("pk"),
        kind=DocumentEmailKind.REMINDER,
        reminder=reminder,
        resend_of__isnull=True,
    )
    invoices = (
        Invoice.objects.filter(
            window,
            legal_entity=entity,
            status=InvoiceStatus.OPEN,
            collection_method=CollectionMethod.SEND_INVOICE,
            due_date__isnull=False,
            customer__deleted_at__isnull=True,
        )
        .filter(~Exists(already))
        .select_related("customer")
        .order_by("due_date", "id")
    )
    after: tuple[date | None, int] | None = None  # due_date is set: the filter
    while True:
        page = invoices
        if after is not None:
            due, pk = after
            # due_date >= due bounds the index scan; the OR then skips what was read.
            page = page.filter(Q(due_date__gt=due) | Q(due_date=due, id__gt=pk), due_date__gte=due)
        batch = list(page[:BATCH_SIZE])
        if not batch:
            return
        yield batch
        if len(batch) < BATCH_SIZE:
            return
        last = batch[-1]
        after = (last.due_date, last.pk)


def _queue_batch(batch: list[Invoice], reminder: str) -> int:
    """Record the batch's reminders and queue those with recipients; a reminder made
    meanwhile by another run is skipped by the insert, and only the rows this call
    inserted (found by the public IDs it chose) are queued."""
    records = []
    addresses = emails.recipients_by_customer(invoice.customer for invoice in batch)
    for invoice in batch:
        to = addresses[invoice.customer_id]
        records.append(
            DocumentEmail(
                kind=DocumentEmailKind.REMINDER,
                reminder=reminder,
                invoice=invoice,
                to=to,
                language=_language(invoice),
                status=DocumentEmailStatus.QUEUED if to else DocumentEmailStatus.FAILED,
                last_error="" if to else NO_RECIPIENT,
            )
        )
    with transaction.atomic():
        DocumentEmail.objects.bulk_create(records, ignore_conflicts=True)
        created = DocumentEmail.objects.filter(
            public_id__in=[record.public_id for record in records]
        ).select_related("invoice__customer")
        queued = 0
        entries = []
        for record in created.order_by("id"):
            if record.status == DocumentEmailStatus.QUEUED:
                entries.append(tasks.email_entry("email.queued", record, reminder=reminder))
                transaction.on_commit(partial(tasks.enqueue_send, record))
                queued += 1
            else:
                entries.append(
                    tasks.email_entry("email.failed", record, reminder=reminder, error=NO_RECIPIENT)
                )
        activity.record_all(entries)
    return queued
