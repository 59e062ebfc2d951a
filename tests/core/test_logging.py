"""Logs: a line per request, a line per money action once it commits, JSON on request."""

import json
import logging
import sys

import pytest
from django.db import transaction
from django.urls import reverse

from billing.services import (
    credit_note_issue,
    credit_note_void,
    invoice_mark_paid,
    invoice_mark_uncollectible,
    invoice_void,
)
from config.logging import JsonFormatter, logging_config
from tests.factories import adjust, make_customer, make_invoice

pytestmark = pytest.mark.django_db


def _lines(caplog, logger):
    return [record for record in caplog.records if record.name == logger]


def test_a_request_logs_one_line_with_its_method_path_status_duration_and_user(
    caplog, billing_client, billing_user
):
    caplog.set_level(logging.INFO, logger="access")
    billing_client.get(reverse("customers:list"), {"q": "someone@example.com"})
    [line] = _lines(caplog, "access")
    assert (line.method, line.path, line.status, line.user_id) == (
        "GET", "/customers/", 200, billing_user.pk
    )  # fmt: skip
    assert isinstance(line.duration_ms, float) and line.duration_ms >= 0
    message = line.getMessage()
    assert "GET" in message and "/customers/" in message and "status=200" in message
    assert "someone@example.com" not in message  # the query string stays out


def test_an_anonymous_request_logs_no_user(caplog, client):
    caplog.set_level(logging.INFO, logger="access")
    client.get("/no-such-page/")
    [line] = _lines(caplog, "access")
    assert (line.status, line.user_id) == (404, None)


def test_an_adjustment_logs_who_moved_what_only_after_it_commits(
    caplog, billing_user, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO, logger="money")
    customer = make_customer()
    with django_capture_on_commit_callbacks() as callbacks:
        posted = adjust(customer, -2500, "EUR", created_by=billing_user)
        assert _lines(caplog, "money") == []  # not committed yet
    for callback in callbacks:
        callback()
    [line] = _lines(caplog, "money")
    assert (line.action, line.user_id, line.customer, line.object) == (
        "transaction.adjustment", billing_user.pk, customer.public_id, posted.public_id
    )  # fmt: skip
    assert (line.amount, line.currency) == (-2500, "EUR")


def test_a_rolled_back_action_logs_nothing(caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.INFO, logger="money")
    customer = make_customer()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        adjust(customer, 1000)
        raise RuntimeError("rolled back")
    assert _lines(caplog, "money") == []


def test_finalizing_on_the_page_logs_the_signed_in_user(
    caplog, billing_client, billing_user, htmx, django_capture_on_commit_callbacks
):
    customer = make_customer()
    adjust(customer, -1000)  # a credit the invoice takes
    invoice = make_invoice(customer, 5000)
    caplog.set_level(logging.INFO, logger="money")
    url = reverse("billing:invoice_finalize", args=[invoice.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        assert billing_client.post(url, **htmx).status_code == 204
    lines = {line.action: line for line in _lines(caplog, "money")}
    assert set(lines) == {"invoice.finalize", "transaction.applied_to_invoice"}
    finalize = lines["invoice.finalize"]
    assert (finalize.user_id, finalize.customer, finalize.object) == (
        billing_user.pk, customer.public_id, invoice.public_id
    )  # fmt: skip
    assert (finalize.amount, finalize.currency) == (5000, "USD")
    assert lines["transaction.applied_to_invoice"].user_id == billing_user.pk


def test_credit_notes_and_invoice_actions_each_log_a_line(
    caplog, billing_user, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO, logger="money")
    with django_capture_on_commit_callbacks(execute=True):
        invoice = make_invoice(None, 5000, finalize=True)
        note = credit_note_issue(invoice=invoice, amount=1000, created_by=billing_user)
        credit_note_void(credit_note=note, created_by=billing_user)
        invoice_void(invoice=invoice)
        invoice_mark_paid(invoice=make_invoice(None, 3000, finalize=True))
        invoice_mark_uncollectible(invoice=make_invoice(None, 2000, finalize=True))
    logged = [(line.action, line.amount) for line in _lines(caplog, "money")]
    assert logged == [
        ("invoice.finalize", 5000),
        ("credit_note.issue", 1000),
        ("credit_note.void", 1000),
        ("invoice.void", 5000),
        ("invoice.finalize", 3000),
        ("invoice.mark_paid", 3000),
        ("invoice.finalize", 2000),
        ("invoice.mark_uncollectible", 2000),
    ]
    notes = [line for line in _lines(caplog, "money") if line.action.startswith("credit_note")]
    assert {line.user_id for line in notes} == {billing_user.pk}
    assert {line.object for line in notes} == {note.public_id}


def test_the_json_formatter_writes_one_object_a_line_with_the_fields():
    record = logging.makeLogRecord(
        {"name": "money", "levelname": "INFO", "msg": "action=%s", "args": ("x",),
         "action": "invoice.finalize", "amount": 5000, "user_id": None}
    )  # fmt: skip
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "action=x" and line["logger"] == "money"
    assert (line["level"], line["action"], line["amount"], line["user_id"]) == (
        "INFO", "invoice.finalize", 5000, None
    )  # fmt: skip
    assert "time" in line and "args" not in line and "msg" not in line


def test_the_json_formatter_keeps_an_errors_traceback_on_one_line():
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.makeLogRecord({"msg": "failed", "exc_info": sys.exc_info()})
    text = JsonFormatter().format(record)
    assert "\n" not in text and "ValueError: broken" in json.loads(text)["exc_info"]


def test_log_format_json_chooses_the_json_formatter_and_stdout():
    assert logging_config("json")["formatters"]["default"] == {"()": JsonFormatter}
    assert "format" in logging_config("text")["formatters"]["default"]
    assert logging_config("text")["handlers"]["stdout"]["stream"] == "ext://sys.stdout"


def test_the_settings_use_the_logging_config(settings):
    assert settings.LOGGING["loggers"]["money"]["level"] == "INFO"
    assert settings.LOGGING["loggers"]["access"]["level"] == "INFO"
