"""Invoice reminders (billing.services.reminders and manage.py send_reminders): which open
invoices get which reminder on which day, each once however often and however many
machines run it, sent through a real SMTP server in the customer's language."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from billing import tasks
from billing.documents import Formatter
from billing.models import DocumentEmail, DocumentEmailKind, DocumentEmailStatus, Invoice
from billing.models.emails import DocumentEmailReminder
from billing.services import (
    credit_note_issue,
    email_resend,
    invoice_mark_paid,
    invoice_mark_uncollectible,
    invoice_void,
)
from billing.services import reminders as reminders_service
from billing.services.emails import NO_RECIPIENT
from billing.services.reminders import send_reminders
from customers.models import Customer, LegalEntity
from tests.billing.smtp import header_addresses, received
from tests.concurrency import at_once
from tests.factories import make_customer, make_invoice

BEFORE, AFTER = DocumentEmailReminder.BEFORE_DUE, DocumentEmailReminder.AFTER_DUE


def _remind(entity=None, *, before=3, after=7, email=""):
    entity = entity or LegalEntity.objects.default()
    LegalEntity.objects.filter(pk=entity.pk).update(
        reminder_days_before_due=before, reminder_days_after_due=after, email=email
    )
    return entity


def _open_invoice(**customer_fields):
    return make_invoice(make_customer(**customer_fields), 12345, finalize=True)


def _reminders(invoice=None):
    found = DocumentEmail.objects.filter(kind=DocumentEmailKind.REMINDER)
    if invoice is not None:
        found = found.filter(invoice=invoice)
    return sorted(found.values_list("reminder", flat=True))


def _run(invoice, days_from_due, capture):
    with capture(execute=True):
        return send_reminders(today=invoice.due_date + timedelta(days=days_from_due))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days_from_due", "expected"),
    [(-4, []), (-3, [BEFORE]), (-1, [BEFORE]), (0, []), (6, []), (7, [AFTER]), (90, [AFTER])],
)
def test_which_reminder_on_which_day(
    queue, django_capture_on_commit_callbacks, days_from_due, expected
):
    _remind(before=3, after=7)
    invoice = _open_invoice()
    assert _run(invoice, days_from_due, django_capture_on_commit_callbacks) == len(expected)
    assert _reminders(invoice) == expected
    assert [job.args for job in queue.results] == [
        [pk] for pk in DocumentEmail.objects.values_list("pk", flat=True)
    ]
    record = DocumentEmail.objects.filter(invoice=invoice).first()
    if record is not None:
        assert record.status == DocumentEmailStatus.QUEUED
        assert record.to == [invoice.customer.email] and record.resend_of is None


@pytest.mark.django_db
def test_each_reminder_goes_once_however_often_it_runs(queue, django_capture_on_commit_callbacks):
    _remind(before=3, after=7)
    invoice = _open_invoice()
    counts = [_run(invoice, day, django_capture_on_commit_callbacks) for day in
              (-3, -3, -2, -1, 0, 7, 7, 8, 30)]  # fmt: skip
    assert counts == [1, 0, 0, 0, 0, 1, 0, 0, 0]
    assert _reminders(invoice) == [AFTER, BEFORE]
    assert len(queue.results) == 2


@pytest.mark.django_db
def test_only_the_reminders_the_entity_sets(queue, django_capture_on_commit_callbacks):
    _remind(before=None, after=5)
    invoice = _open_invoice()
    assert _run(invoice, -1, django_capture_on_commit_callbacks) == 0
    assert _run(invoice, 5, django_capture_on_commit_callbacks) == 1
    assert _reminders(invoice) == [AFTER]


@pytest.mark.django_db
def test_an_entity_without_reminder_settings_sends_none(queue, django_capture_on_commit_callbacks):
    invoice = _open_invoice()
    for day in (-1, 30, 365):
        assert _run(invoice, day, django_capture_on_commit_callbacks) == 0
    assert _reminders() == []


@pytest.mark.django_db
def test_the_invoices_own_entity_decides_not_the_customers_current_one(
    queue, django_capture_on_commit_callbacks
):
    invoice = _open_invoice()  # billed by the default entity, which sends no reminders
    other = _remind(LegalEntity.objects.create(name="Other Ltd"), before=None, after=1)
    Customer.objects.filter(pk=invoice.customer_id).update(legal_entity=other)
    assert _run(invoice, 10, django_capture_on_commit_callbacks) == 0
    _remind(before=None, after=1)
    assert _run(invoice, 10, django_capture_on_commit_callbacks) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("settle", [invoice_mark_paid, invoice_void, invoice_mark_uncollectible])
def test_settled_and_uncollectible_invoices_get_none(
    queue, django_capture_on_commit_callbacks, settle
):
    _remind(before=3, after=7)
    invoice = _open_invoice()
    settle(invoice=invoice)
    assert _run(invoice, -1, django_capture_on_commit_callbacks) == 0
    assert _run(invoice, 30, django_capture_on_commit_callbacks) == 0
    assert _reminders() == []


@pytest.mark.django_db
def test_drafts_get_none(queue, django_capture_on_commit_callbacks):
    _remind(before=3, after=7)
    draft = make_invoice(make_customer(), 1000)
    Invoice.objects.filter(pk=draft.pk).update(due_date=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(today=timezone.localdate() + timedelta(days=30)) == 0
    assert _reminders() == []


@pytest.mark.django_db
def test_a_deleted_customers_invoices_get_none(queue, django_capture_on_commit_callbacks):
    _remind(before=3, after=7)
    invoice = _open_invoice()
    Customer.objects.filter(pk=invoice.customer_id).update(deleted_at=timezone.now())
    assert _run(invoice, 30, django_capture_on_commit_callbacks) == 0
    assert _reminders() == []


@pytest.mark.django_db
def test_invoices_not_sent_to_be_paid_get_none(queue, django_capture_on_commit_callbacks):
    _remind(before=3, after=7)
    invoice = _open_invoice()
    # Only send_invoice exists today (and charge_automatically would not fit the column):
    # another method stands in for the one that comes, charged without reminders.
    Invoice.objects.filter(pk=invoice.pk).update(collection_method="charge_auto")
    assert _run(invoice, 30, django_capture_on_commit_callbacks) == 0
    assert _reminders() == []


@pytest.mark.django_db
def test_a_customer_without_an_address_gets_a_failed_record_once(
    queue, django_capture_on_commit_callbacks
):
    _remind(before=3, after=7)
    invoice = _open_invoice(email="")
    assert _run(invoice, 7, django_capture_on_commit_callbacks) == 0
    [record] = DocumentEmail.objects.all()
    assert (record.status, record.last_error, record.to) == (
        DocumentEmailStatus.FAILED,
        NO_RECIPIENT,
        [],
    )
    assert _run(invoice, 8, django_capture_on_commit_callbacks) == 0
    assert DocumentEmail.objects.count() == 1 and queue.results == []


@pytest.mark.django_db
def test_batches_reach_every_invoice_once_with_equal_due_dates(
    queue, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(reminders_service, "BATCH_SIZE", 2)
    _remind(before=None, after=1)
    invoices = [_open_invoice() for _ in range(5)]
    # Two share a due date across a batch boundary, one is due later, two earlier.
    due = invoices[0].due_date
    for invoice, shift in zip(invoices, (0, 0, 0, 3, -2), strict=True):
        Invoice.objects.filter(pk=invoice.pk).update(due_date=due + timedelta(days=shift))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(today=due + timedelta(days=10)) == 5
    assert sorted(DocumentEmail.objects.values_list("invoice", flat=True)) == sorted(
        invoice.pk for invoice in invoices
    )


@pytest.mark.django_db
def test_the_reminder_arrives_in_the_customers_language_with_the_pdf_and_reply_to(
    smtp,  # noqa: F811
    queue,
    django_capture_on_commit_callbacks,
):
    _remind(before=3, after=7, email="accounts@seller.example")
    customer = make_customer(name="Ada", email="ada@example.com", preferred_locales=["fr"],
                             default_currency="EUR")  # fmt: skip
    invoice = make_invoice(customer, 123456, currency="EUR", finalize=True)
    credit_note_issue(invoice=invoice, amount=23456)
    invoice.refresh_from_db()
    assert _run(invoice, 10, django_capture_on_commit_callbacks) == 1
    [job] = queue.results
    assert tasks.send_document_email.call(*job.args) == DocumentEmailStatus.SENT

    message, envelope_to, _ = received(smtp)
    assert envelope_to == ["ada@example.com"]
    assert header_addresses(message, "Reply-To") == ["accounts@seller.example"]
    fmt = Formatter("fr", "EUR")
    with translation.override("fr"):
        subject = gettext("Reminder: invoice %(number)s from %(seller)s") % {
            "number": invoice.number,
            "seller": invoice.legal_entity.name,
        }
        line = gettext("This invoice was due on %(date)s.") % {"date": fmt.date(invoice.due_date)}
    assert subject.startswith("Rappel") and line.startswith("Cette facture")
    assert message["Subject"].strip() == subject
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert line in part.replace("&#x27;", "'")
        assert fmt.money(100000) in part  # what remains after the credit note
    assert '<html lang="fr" dir="ltr">' in html
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == f"{invoice.number}.pdf"
    assert attachment.get_content().startswith(b"%PDF")


@pytest.mark.django_db
def test_before_the_due_date_it_says_is_due(queue, django_capture_on_commit_callbacks):
    _remind(before=3, after=7)
    invoice = _open_invoice(preferred_locales=["de"])
    _run(invoice, -2, django_capture_on_commit_callbacks)
    tasks.send_document_email.call(queue.results[0].args[0])
    [sent] = mail.outbox
    date = Formatter("de", invoice.currency).date(invoice.due_date)
    assert f"Diese Rechnung ist am {date} fällig." in sent.body
    assert sent.subject.startswith("Zahlungserinnerung: Rechnung ")


@pytest.mark.django_db
def test_an_invoice_paid_before_the_send_is_not_reminded(queue, django_capture_on_commit_callbacks):
    _remind(before=3, after=7)
    invoice = _open_invoice()
    _run(invoice, 7, django_capture_on_commit_callbacks)
    invoice_mark_paid(invoice=invoice)
    assert tasks.send_document_email.call(queue.results[0].args[0]) == DocumentEmailStatus.FAILED
    record = DocumentEmail.objects.get()
    assert "only open invoices get reminders" in record.last_error
    assert mail.outbox == []


@pytest.mark.django_db
def test_resending_a_reminder_sends_it_again_as_a_reminder(
    queue, django_capture_on_commit_callbacks
):
    _remind(before=3, after=7)
    invoice = _open_invoice()
    _run(invoice, 7, django_capture_on_commit_callbacks)
    first = DocumentEmail.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        again = email_resend(email=first)
        twice = email_resend(email=first)
    for resent in (again, twice):
        assert (resent.kind, resent.reminder, resent.resend_of) == ("reminder", AFTER, first)
    assert len(queue.results) == 3
    tasks.send_document_email.call(again.pk)
    assert mail.outbox[0].subject.startswith("Reminder: invoice ")
    # The resends do not count as the reminder: the next run still sends nothing new.
    assert _run(invoice, 8, django_capture_on_commit_callbacks) == 0


@pytest.mark.django_db
def test_the_invoice_page_says_which_reminder_was_sent(
    queue, django_capture_on_commit_callbacks, billing_client
):
    _remind(before=3, after=7)
    invoice = _open_invoice()
    _run(invoice, -3, django_capture_on_commit_callbacks)
    _run(invoice, 7, django_capture_on_commit_callbacks)
    page = billing_client.get(reverse("billing:invoice", args=[invoice.public_id]))
    content = page.content.decode()
    assert "Reminder before the due date" in content
    assert "Reminder after the due date" in content


def test_the_command_says_how_many_it_queued(db, queue):
    _remind(before=None, after=7)
    invoice = _open_invoice()
    Invoice.objects.filter(pk=invoice.pk).update(due_date=timezone.localdate() - timedelta(days=7))
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue() == "Queued 1 reminder.\n"
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue() == "Queued 0 reminders.\n"


@pytest.mark.django_db
@pytest.mark.parametrize("days", [0, 366])
def test_reminder_days_are_1_to_365(days):
    entity = LegalEntity.objects.default()
    for field in ("reminder_days_before_due", "reminder_days_after_due"):
        setattr(entity, field, days)
        with pytest.raises(ValidationError) as refused:
            entity.full_clean()
        assert field in refused.value.message_dict
        with pytest.raises(IntegrityError), transaction.atomic():
            LegalEntity.objects.filter(pk=entity.pk).update(**{field: days})
        setattr(entity, field, None)


@pytest.mark.django_db
def test_a_reminder_names_which_and_only_a_reminder_does():
    invoice = _open_invoice()
    for fields in ({"kind": "reminder"}, {"kind": "invoice", "reminder": BEFORE},
                   {"kind": "reminder", "reminder": "someday"}):  # fmt: skip
        with pytest.raises(IntegrityError), transaction.atomic():
            DocumentEmail.objects.create(invoice=invoice, **fields)
    DocumentEmail.objects.create(invoice=invoice, kind="reminder", reminder=BEFORE)
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentEmail.objects.create(invoice=invoice, kind="reminder", reminder=BEFORE)
    DocumentEmail.objects.create(invoice=invoice, kind="reminder", reminder=AFTER)


@pytest.mark.django_db
def test_the_admin_sets_the_reply_to_and_the_reminders(admin_client):
    entity = LegalEntity.objects.default()
    change = reverse("admin:customers_legalentity_change", args=[entity.pk])
    data = {"name": entity.name, "default_currency": entity.default_currency, "is_default": "on",
            "email": "accounts@seller.example", "reminder_days_before_due": "3",
            "reminder_days_after_due": "14"}  # fmt: skip
    assert admin_client.post(change, data).status_code == 302
    entity.refresh_from_db()
    assert (entity.email, entity.reminder_days_before_due, entity.reminder_days_after_due) == (
        "accounts@seller.example",
        3,
        14,
    )
    bad_inputs = [
        ("reminder_days_after_due", "0"),
        ("reminder_days_before_due", "366"),
        ("email", "accounts@"),
        ("email", "a@b.example\nBcc: x@evil.example"),
    ]
    for field, bad in bad_inputs:
        page = admin_client.post(change, {**data, field: bad})
        assert page.status_code == 200
        assert page.context["adminform"].form.errors[field]
    entity.refresh_from_db()
    assert entity.email == "accounts@seller.example"


def test_the_reminder_strings_are_in_every_catalog():
    """With test_pdf_languages' completeness test, every language translates them."""
    from tests.billing.test_pdf_languages import _catalog, _messages

    english = _messages(_catalog("en"))
    french = _messages(_catalog("fr"))
    subject = "Reminder: invoice %(number)s from %(seller)s"
    for msgid in (subject, "This invoice is due on %(date)s.", "This invoice was due on %(date)s."):
        assert msgid in english and french[msgid] not in ("", msgid)


def _two_machines_at_once(monkeypatch, threads):
    _remind(before=None, after=1)
    invoices = [_open_invoice() for _ in range(12)]
    enqueued = []
    monkeypatch.setattr(tasks, "enqueue_send", lambda email, **kwargs: enqueued.append(email.pk))
    monkeypatch.setattr(reminders_service, "BATCH_SIZE", 5)
    today = invoices[0].due_date + timedelta(days=5)
    counts = at_once(threads, lambda: send_reminders(today=today))
    assert sum(counts) == len(invoices)
    records = DocumentEmail.objects.filter(kind=DocumentEmailKind.REMINDER)
    assert sorted(records.values_list("invoice", flat=True)) == sorted(i.pk for i in invoices)
    assert sorted(enqueued) == sorted(records.values_list("pk", flat=True))


@pytest.mark.usefixtures("flushable_db")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
def test_machines_running_it_at_once_on_postgresql_queue_each_reminder_once(monkeypatch):
    _two_machines_at_once(monkeypatch, 3)


@pytest.mark.usefixtures("flushable_db")
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite variant")
def test_machines_running_it_at_once_on_sqlite_queue_each_reminder_once(monkeypatch):
    _two_machines_at_once(monkeypatch, 2)
