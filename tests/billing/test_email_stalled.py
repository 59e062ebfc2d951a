"""An email whose worker stopped while sending it (killed, the machine restarted) is
left Sending: it may or may not have gone out. send_reminders, run every few minutes,
marks those taken long ago Failed saying so, so staff can see it and Resend."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from activity.context import acting
from activity.kinds import Source
from activity.models import Entry
from billing import tasks
from billing.models import DocumentEmail, DocumentEmailStatus
from billing.services import email_invoice
from billing.services.emails import STALLED, STALLED_AFTER, emails_fail_stalled
from tests.factories import make_customer, make_invoice

pytestmark = pytest.mark.django_db


def _taken(minutes_ago):
    """An invoice email a worker took `minutes_ago` minutes ago and never finished."""
    invoice = make_invoice(make_customer(email="ada@example.com"), 1000, finalize=True)
    email = email_invoice(invoice=invoice)
    DocumentEmail.objects.filter(pk=email.pk).update(
        status=DocumentEmailStatus.SENDING,
        attempts=1,
        sending_since=timezone.now() - timedelta(minutes=minutes_ago),
    )
    return email


def test_a_worker_takes_an_email_with_the_time_and_clears_it_once_sent(queue):
    invoice = make_invoice(make_customer(email="ada@example.com"), 1000, finalize=True)
    email = email_invoice(invoice=invoice)
    seen = []
    build = tasks._message

    def message(taken):
        seen.append(DocumentEmail.objects.get(pk=taken.pk).sending_since)
        return build(taken)

    tasks._message = message
    try:
        tasks.send_document_email.call(email.pk)
    finally:
        tasks._message = build
    email.refresh_from_db()
    assert seen[0] is not None and seen[0] <= timezone.now()
    assert (email.status, email.sending_since) == (DocumentEmailStatus.SENT, None)


def test_an_email_left_sending_too_long_is_failed_saying_it_may_have_gone_out():
    stalled, recent = _taken(STALLED_AFTER.total_seconds() / 60 + 1), _taken(2)
    assert emails_fail_stalled() == 1
    assert emails_fail_stalled() == 0  # once
    stalled.refresh_from_db()
    recent.refresh_from_db()
    assert (stalled.status, stalled.last_error, stalled.sending_since) == (
        DocumentEmailStatus.FAILED,
        STALLED,
        None,
    )
    assert recent.status == DocumentEmailStatus.SENDING
    (entry,) = Entry.objects.filter(kind="email.failed")
    assert (entry.object_id, entry.data["error"]) == (stalled.public_id, STALLED)


def test_queued_and_finished_emails_are_left_alone():
    email = _taken(60)
    DocumentEmail.objects.filter(pk=email.pk).update(status=DocumentEmailStatus.QUEUED)
    assert emails_fail_stalled() == 0
    email.refresh_from_db()
    assert email.status == DocumentEmailStatus.QUEUED


def test_send_reminders_fails_stalled_emails_and_says_so():
    email = _taken(60)
    out = io.StringIO()
    with acting(Source.COMMAND, name="manage.py send_reminders"):  # as manage.py does
        call_command("send_reminders", stdout=out)
    assert "Marked 1 email failed: its worker stopped while sending it." in out.getvalue()
    email.refresh_from_db()
    assert email.status == DocumentEmailStatus.FAILED
    (entry,) = Entry.objects.filter(kind="email.failed")
    assert (entry.source, entry.actor) == ("command", "manage.py send_reminders")
