"""send_reminders queues a batch in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.services.reminders import send_reminders
from customers.models import LegalEntity
from tests.factories import make_customer, make_invoice

pytestmark = pytest.mark.django_db


def _queries_to_remind(count, capture):
    """Queries of a run reminding `count` new invoices (those reminded before are skipped)."""
    LegalEntity.objects.update(reminder_days_before_due=None, reminder_days_after_due=7)
    invoices = [make_invoice(make_customer(), 1000, finalize=True) for _ in range(count)]
    today = max(invoice.due_date for invoice in invoices) + timedelta(days=7)
    with CaptureQueriesContext(connection) as queries, capture(execute=True):
        assert send_reminders(today=today) == count
    return len(queries)


def test_a_batch_of_reminders_costs_no_query_per_invoice(queue, django_capture_on_commit_callbacks):
    one = _queries_to_remind(1, django_capture_on_commit_callbacks)
    ten = _queries_to_remind(10, django_capture_on_commit_callbacks)
    assert ten == one
