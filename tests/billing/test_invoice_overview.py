"""The Invoices page's overview: status tabs with counts, the range shown, outstanding
and past due per currency, the Past due badge, drafts without a due date, and the
Customer filter by name."""

import datetime
import re

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing import selectors
from billing.models import Invoice
from billing.services import invoice_mark_paid, invoice_void
from tests.factories import make_customer, make_invoice

pytestmark = pytest.mark.django_db


def _due(invoice, days_from_today):
    """Move an open invoice's due date (finalize sets it from its terms)."""
    due = timezone.localdate() + datetime.timedelta(days=days_from_today)
    Invoice.objects.filter(pk=invoice.pk).update(due_date=due)
    invoice.refresh_from_db()
    return invoice


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def mixed_invoices():
    customer = make_customer(name="Globex Corporation")
    draft = make_invoice(customer, 1000)
    current = _due(make_invoice(customer, 2000, finalize=True), 3)
    late = _due(make_invoice(customer, 3000, finalize=True), -1)
    late_eur = _due(make_invoice(customer, 4000, currency="EUR", finalize=True), -10)
    paid = invoice_mark_paid(invoice=make_invoice(customer, 5000, finalize=True))
    void = invoice_void(invoice=make_invoice(customer, 6000, finalize=True))
    return {"draft": draft, "current": current, "late": late, "late_eur": late_eur,
            "paid": paid, "void": void}  # fmt: skip


def test_tab_counts_count_each_status_and_past_due_in_two_queries(mixed_invoices):
    with CaptureQueriesContext(connection) as queries:
        counts = selectors.invoice_tab_counts({})
    assert len(queries) == 2  # by status, then past due: however many tabs
    assert counts == {"all": 6, "draft": 1, "open": 3, "past_due": 2, "paid": 1, "void": 1,
                      "uncollectible": 0}  # fmt: skip


def test_tab_counts_keep_the_other_filters_but_not_the_tab(mixed_invoices):
    counts = selectors.invoice_tab_counts({"currency": "USD", "status": "paid"})
    assert (counts["all"], counts["open"], counts["past_due"]) == (5, 2, 1)


def test_past_due_tab_lists_open_invoices_due_before_today(billing_client, mixed_invoices):
    _due(mixed_invoices["current"], 0)  # due today: not past due yet
    body = billing_client.get(reverse("billing:invoices"), {"status": "past_due"}).content
    body = body.decode()
    assert mixed_invoices["late"].number in body and mixed_invoices["late_eur"].number in body
    assert mixed_invoices["current"].number not in body
    assert mixed_invoices["paid"].number not in body


def test_open_rows_past_their_due_date_carry_a_past_due_badge(billing_client, mixed_invoices):
    body = billing_client.get(reverse("billing:invoices"), {"status": "open"}).content.decode()
    rows = {
        number: row
        for row in re.findall(r"<tr>.*?</tr>", body, re.S)
        for number in [mixed_invoices[key].number for key in ("current", "late")]
        if number in row
    }
    assert "Past due" in rows[mixed_invoices["late"].number]
    assert "Past due" not in rows[mixed_invoices["current"].number]


def test_the_page_shows_tabs_with_the_other_filters_kept(billing_client, mixed_invoices):
    params = {"currency": "USD", "status": "open"}
    body = billing_client.get(reverse("billing:invoices"), params).content.decode()
    tabs = re.search(r'<nav class="status-tabs".*?</nav>', body, re.S).group(0)
    assert re.findall(r">(\w[\w ]*) <span", tabs) == [
        "All", "Draft", "Open", "Past due", "Paid", "Void", "Uncollectible"]  # fmt: skip
    assert 'href="/invoices/?currency=USD&amp;status=past_due"' in tabs
    assert 'href="/invoices/?currency=USD"' in tabs  # All
    assert re.search(r'status=open" aria-current="page">Open', tabs)


def test_overview_says_the_range_counts_and_totals(billing_client, mixed_invoices, htmx):
    url = reverse("billing:invoice_overview")
    first = selectors.invoice_page(selectors.invoice_list(params={})).items[0]
    body = billing_client.get(url, {"first": first.public_id, "shown": "6"}, **htmx).content
    text = _text(body.decode())
    assert "1–6 of 6 invoices" in text
    assert "Outstanding EUR €40.00 Past due EUR €40.00" in text
    assert "Outstanding USD $50.00 Past due USD $30.00" in text
    assert 'id="tab-count-past_due" hx-swap-oob="true">2<' in body.decode()


def test_overview_range_of_a_later_page_and_a_large_count(billing_client, monkeypatch):
    monkeypatch.setattr("billing.selectors.PAGE_SIZE", 2)
    customer = make_customer()
    invoices = [make_invoice(customer, 1000) for _ in range(5)]  # newest last
    page = selectors.invoice_page(selectors.invoice_list(params={"after": invoices[3].public_id}))
    assert [i.public_id for i in page] == [invoices[2].public_id, invoices[1].public_id]
    url = reverse("billing:invoice_overview")
    body = billing_client.get(url, {"first": invoices[2].public_id, "shown": "2"}).content
    assert "3–4 of 5 invoices" in body.decode()
    monkeypatch.setattr(
        "billing.selectors.invoice_tab_counts", lambda params: {"all": 7214, "draft": 7214}
    )
    body = billing_client.get(url, {"first": invoices[4].public_id, "shown": "2"}).content
    assert "1–2 of 7,214 invoices" in body.decode()


def test_the_page_loads_its_overview_lazily_with_its_filters(billing_client, mixed_invoices):
    body = billing_client.get(reverse("billing:invoices"), {"currency": "EUR"}).content.decode()
    assert "Counting invoices…" in body
    first = mixed_invoices["late_eur"].public_id
    assert f'/invoices/overview/?currency=EUR&amp;first={first}&amp;shown=1"' in body


def test_the_table_fragment_brings_the_tabs_out_of_band(billing_client, mixed_invoices, htmx):
    body = billing_client.get(reverse("billing:invoices"), {"currency": "EUR"}, **htmx).content
    body = body.decode()
    assert "<html" not in body
    assert 'id="status-tabs" aria-label="Invoice views" hx-swap-oob="true"' in body
    assert 'href="/invoices/?currency=EUR&amp;status=draft"' in body


def test_drafts_show_no_due_date_and_amounts_are_right_aligned(billing_client, mixed_invoices):
    draft = mixed_invoices["draft"]
    assert draft.due_date is not None  # a forecast the list does not show
    body = billing_client.get(reverse("billing:invoices"), {"status": "draft"}).content.decode()
    row = re.search(r"<tr>\s*<td><a[^>]*>Draft</a>.*?</tr>", body, re.S).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[6].strip() == "—"
    assert draft.due_date.strftime("%b") not in cells[6]
    assert row.count('<td class="num">') == 2
    assert '<th class="num">Total</th><th class="num">Amount remaining</th>' in body


def test_page_and_overview_queries_do_not_grow_with_the_rows(billing_client):
    customer = make_customer(name="Acme Widgets")
    for _ in range(2):
        make_invoice(customer, 1000, finalize=True)
    first = Invoice.objects.first().public_id
    overview = (reverse("billing:invoice_overview"),
                {"first": first, "shown": "2", "customer": "acme"})  # fmt: skip
    page = (reverse("billing:invoices"), {"customer": "acme"})

    def queries(url, params):
        with CaptureQueriesContext(connection) as captured:
            assert billing_client.get(url, params).status_code == 200
        return len(captured)

    before = [queries(*overview), queries(*page)]
    for number in range(6):
        make_invoice(make_customer(name=f"Acme {number}"), 1000, finalize=True)
    assert [queries(*overview), queries(*page)] == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_outstanding_and_past_due_read_the_covering_index():
    """Without it, the totals read every open invoice's row (0.5 s at 100,000 invoices)."""
    filterset = selectors.invoice_list(params={})
    open_invoices = filterset.qs.filter(status="open").order_by("currency").values("currency")
    plan = open_invoices.annotate(total=Sum("amount_remaining")).explain()
    assert "COVERING INDEX invoice_outstanding" in plan


def test_filters_summary_counts_the_status_tab_and_other_filters(billing_client):
    page = billing_client.get(reverse("billing:invoices"), {"status": "open", "currency": "USD"})
    assert '<summary>Filters<span id="filter-count"> (2)</span></summary>' in page.text


@pytest.mark.parametrize("shown", ["²", "١٢", "9" * 5000, "-3", "1e3"])
def test_overview_takes_only_short_ascii_counts_as_the_number_shown(billing_client, shown):
    make_invoice(make_customer(), 1000)
    response = billing_client.get(reverse("billing:invoice_overview"), {"shown": shown})
    assert response.status_code == 200
    assert "of 1 invoice" in response.text
