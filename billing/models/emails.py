"""The record of each invoice or credit-note email: whom it went to, how it went and
who asked. Written by billing.services.emails (queued) and billing.tasks (sent or
failed); the invoice and credit-note pages list them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.ids import new_public_id

from .credit_notes import CreditNote
from .invoices import Invoice


def new_document_email_id():
    return new_public_id("em_")


class DocumentEmailKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"
    REMINDER = "reminder", "Reminder"


class DocumentEmailReminder(models.TextChoices):
    BEFORE_DUE = "before_due", "Before the due date"
    AFTER_DUE = "after_due", "After the due date"


class DocumentEmailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    # Taken by a worker; left so if it died mid-send (it may or may not have gone out)
    # until send_reminders fails it (billing.services.emails.emails_fail_stalled).
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class DocumentEmail(models.Model):
    public_id = models.CharField(
        "ID", max_length=40, unique=True, default=new_document_email_id, editable=False
    )
    kind = models.CharField(max_length=16, choices=DocumentEmailKind.choices)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="emails")
    # Set for a credit note's email; its invoice is the note's, so both pages list it.
    credit_note = models.ForeignKey(
        CreditNote, null=True, blank=True, on_delete=models.PROTECT, related_name="emails"
    )
    # Which reminder a reminder email is (blank for the other kinds): each is sent once
    # per invoice, resends aside (a constraint).
    reminder = models.CharField(max_length=16, choices=DocumentEmailReminder.choices, blank=True)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=16, blank=True)
    status = models.CharField(
        max_length=8, choices=DocumentEmailStatus.choices, default=DocumentEmailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # When a worker took it to send; cleared when it is sent, failed or queued again.
    sending_since = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    resend_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="resends"
    )

    class Meta:
        ordering = ["-created", "-id"]
        permissions = [("send_invoice", "Can email invoices and credit notes")]
        indexes = [
            models.Index(fields=["invoice", "-created"], name="documentemail_invoice"),
            models.Index(
                fields=["credit_note", "-created"],
                name="documentemail_credit_note",
                condition=Q(credit_note__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DocumentEmailStatus.values),
                name="documentemail_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DocumentEmailKind.values),
                name="documentemail_kind_valid",
            ),
            # A credit note's email names the note; the others name none.
            models.CheckConstraint(
                condition=Q(kind="credit_note", credit_note__isnull=False)
                | (~Q(kind="credit_note") & Q(credit_note__isnull=True)),
                name="documentemail_credit_note_set",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="documentemail_sent_at",
            ),
            # A reminder says which one it is; the others say none.
            models.CheckConstraint(
                condition=Q(kind="reminder", reminder__in=DocumentEmailReminder.values)
                | (~Q(kind="reminder") & Q(reminder="")),
                name="documentemail_reminder_set",
            ),
            # What lets send_reminders run on several machines at once: the second
            # insert of a reminder fails here instead of emailing the customer twice.
            models.UniqueConstraint(
                fields=["invoice", "reminder"],
                condition=Q(kind="reminder", resend_of__isnull=True),
                name="documentemail_one_reminder_each",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} email {self.public_id}"

    @property
    def kind_shown(self) -> str:
        """ "Invoice", "Credit note", "Reminder after the due date"."""
        if self.reminder:
            return f"{self.get_kind_display()} {self.get_reminder_display().lower()}"
        return self.get_kind_display()

    @property
    def document(self) -> Invoice | CreditNote:
        return self.credit_note or self.invoice
