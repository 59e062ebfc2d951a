"""The Home page (billing/dashboard.py, billing/views/home.py) and the customer page's
billing summary: the figures, the lists they link to, and who sees them."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from billing import dashboard
from billing.models import Invoice
from billing.services import invoice_finalize, invoice_mark_paid, invoice_void
from tests.factories import make_customer, make_invoice, make_user

pytestmark = pytest.mark.django_db


def _finalized(customer, amount, currency="USD", days_ago=0, **fields):
    """An open invoice finalized `days_ago` days ago (due 30 days after that)."""
    draft = make_invoice(customer, amount, currency=currency, **fields)
    return invoice_finalize(invoice=draft, now=timezone.now() - datetime.timedelta(days=days_ago))


def _by_currency(today=None):
    return {item.currency: item for item in dashboard.overview(today)}


def _listed_numbers(client, url):
    """The invoice numbers on the Invoices page at `url`."""
    body = client.get(url).content.decode()
    return set(re.findall(r">([A-Z0-9]+-\d{4})</a>", body))


def test_month_starts_are_the_last_twelve_months_this_one_last():
    starts = dashboard.month_starts(datetime.date(2026, 2, 17))
    assert starts[0] == datetime.date(2025, 3, 1)
    assert starts[-1] == datetime.date(2026, 2, 1)
    assert len(starts) == 12


def test_invoiced_and_collected_are_summed_per_month_and_currency():
    customer = make_customer()
    paid = _finalized(customer, 5000)
    invoice_mark_paid(invoice=paid)
    _finalized(customer, 1200)
    _finalized(customer, 700, currency="EUR")
    make_invoice(customer, 9900)  # a draft: not invoiced
    invoice_void(invoice=_finalized(customer, 3000))  # void: not invoiced
    # Seen two months on, this month is the tenth of the twelve.
    today = timezone.localdate()
    later = (today.replace(day=1) + datetime.timedelta(days=62)).replace(day=today.day % 28 or 1)
    overview = _by_currency(later)
    usd = overview["USD"]
    assert [m.invoiced for m in usd.months] == [0] * 9 + [6200, 0, 0]
    assert [m.collected for m in usd.months] == [0] * 9 + [5000, 0, 0]
    assert usd.months[9].start == today.replace(day=1)
    assert [m.invoiced for m in overview["EUR"].months][9] == 700
    assert sum(m.collected for m in overview["EUR"].months) == 0


def test_invoices_older_than_twelve_months_are_left_out():
    _finalized(make_customer(), 4000, days_ago=400)
    usd = _by_currency()["USD"]
    assert sum(m.invoiced for m in usd.months) == 0
    assert usd.outstanding == 4000  # still owed, so still counted there


@pytest.mark.parametrize(
    ("days_ago", "age"),
    [
        (0, "current"),  # due in 30 days
        (30, "current"),  # due today
        (31, "1_30"),
        (60, "1_30"),
        (61, "31_60"),
        (91, "61_90"),
        (121, "over_90"),
        (500, "over_90"),
    ],
)
def test_outstanding_is_aged_by_days_past_due(days_ago, age):
    _finalized(make_customer(), 2500, days_ago=days_ago)
    ages = {a.key: (a.amount, a.count) for a in _by_currency()["USD"].ages}
    assert ages.pop(age) == (2500, 1)
    assert set(ages.values()) == {(0, 0)}


def test_paid_void_and_uncollectible_invoices_are_not_outstanding():
    customer = make_customer()
    invoice_mark_paid(invoice=_finalized(customer, 1000))
    invoice_void(invoice=_finalized(customer, 2000))
    _finalized(customer, 300)
    assert _by_currency()["USD"].outstanding == 300


def test_largest_open_balances_are_the_customers_owing_most_per_currency():
    small, large, euro = make_customer(name="Small"), make_customer(name="Large"), make_customer()
    _finalized(small, 1000)
    _finalized(large, 1500)
    _finalized(large, 2500)
    _finalized(euro, 99_000, currency="EUR")
    usd = _by_currency()["USD"].largest
    assert [(b.customer.name, b.amount, b.count) for b in usd] == [
        ("Large", 4000, 2),
        ("Small", 1000, 1),
    ]
    assert [len(balances) for balances in dashboard.largest_open_balances(limit=1).values()] == [
        1,
        1,
    ]


def test_each_figure_links_to_the_invoices_behind_it(billing_client):
    customer, other = make_customer(), make_customer()
    paid = _finalized(customer, 5000)
    invoice_mark_paid(invoice=paid)
    current = _finalized(customer, 1200)
    overdue = _finalized(other, 800, days_ago=45)
    euro = _finalized(customer, 700, currency="EUR")
    usd = _by_currency()["USD"]
    this_month = usd.months[-1]
    # 45 days ago is always an earlier month.
    assert _listed_numbers(billing_client, this_month.invoiced_url) == {paid.number, current.number}
    assert _listed_numbers(billing_client, this_month.collected_url) == {paid.number}
    ages = {a.key: a for a in usd.ages}
    assert _listed_numbers(billing_client, ages["current"].url) == {current.number}
    assert _listed_numbers(billing_client, ages["1_30"].url) == {overdue.number}
    assert _listed_numbers(billing_client, ages["31_60"].url) == set()
    assert _listed_numbers(billing_client, usd.outstanding_url) == {current.number, overdue.number}
    top = usd.largest[0]
    assert top.customer == customer
    assert _listed_numbers(billing_client, top.url) == {current.number}
    assert euro.number not in _listed_numbers(billing_client, usd.outstanding_url)


def test_home_page_shows_the_figures_and_their_numbers(billing_client):
    customer = make_customer(name="Globex & Sons")
    invoice_mark_paid(invoice=_finalized(customer, 5000))
    _finalized(customer, 1234, days_ago=45)
    response = billing_client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<svg viewBox="0 0 640 220" role="group"' in body
    assert "Invoiced and collected per month, USD" in body
    assert "$50.00" in body  # invoiced and collected this month
    assert "$12.34" in body  # outstanding, 1–30 days past due
    assert "Globex &amp; Sons" in body and "Globex & Sons" not in body
    assert 'aria-current="page">Home</a>' in body


def test_home_page_without_invoices_says_so(billing_client):
    body = billing_client.get("/").content.decode()
    assert "No invoices have been issued yet." in body


def test_someone_who_may_not_see_invoices_starts_on_customers(client):
    user = make_user()
    user.user_permissions.add(Permission.objects.get(codename="view_customer"))
    client.force_login(user)
    _finalized(make_customer(), 5000)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("customers:list")


def test_signing_in_lands_on_home(client, billing_user):
    response = client.post(
        reverse("login"), {"username": billing_user.username, "password": "pw-for-tests-only"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("billing:home")


def test_home_page_asks_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_home_page_queries_do_not_grow_with_invoices(billing_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert billing_client.get("/").status_code == 200
        return len(captured)

    for currency in ("USD", "EUR"):
        _finalized(make_customer(), 1000, currency=currency)
    few = queries()
    for n in range(8):
        _finalized(make_customer(), 1000 + n, currency=["USD", "EUR"][n % 2], days_ago=n * 20)
    assert queries() == few


def test_invoices_filter_by_due_finalized_and_paid_days(billing_client):
    customer = make_customer()
    old = _finalized(customer, 1000, days_ago=40)
    new = _finalized(customer, 2000)
    today = timezone.localdate()
    url = reverse("billing:invoices")
    assert _listed_numbers(billing_client, f"{url}?due_before={today}") == {old.number}
    assert _listed_numbers(billing_client, f"{url}?due_after={today}") == {new.number}
    assert _listed_numbers(billing_client, f"{url}?finalized_after={today}") == {new.number}
    assert _listed_numbers(billing_client, f"{url}?finalized_before={today}") == {
        old.number,
        new.number,
    }
    assert _listed_numbers(billing_client, f"{url}?paid_after={today}") == set()
    # The last day there is: no day after it to stop before.
    assert billing_client.get(f"{url}?paid_before=9999-12-31").status_code == 200
    page = billing_client.get(f"{url}?due_before={today}").content.decode()
    assert f'name="due_before" value="{today}"' in page  # the filter shows it is applied


def test_customer_page_summary_per_currency(billing_client):
    customer = make_customer()
    invoice_mark_paid(invoice=_finalized(customer, 5000))
    open_invoice = _finalized(customer, 1200)
    _finalized(customer, 700, currency="EUR")
    make_invoice(customer, 9900)  # draft
    rows = {row.currency: row for row in dashboard.customer_summary(customer)}
    assert (rows["USD"].invoiced, rows["USD"].paid, rows["USD"].outstanding) == (6200, 5000, 1200)
    assert (rows["EUR"].invoiced, rows["EUR"].paid, rows["EUR"].outstanding) == (700, 0, 700)
    assert _listed_numbers(billing_client, rows["USD"].outstanding_url) == {open_invoice.number}
    body = billing_client.get(customer.get_absolute_url()).content.decode()
    assert "Billing summary" in body and "$62.00" in body and "€7.00" in body


def test_customer_without_invoices_has_no_summary(billing_client):
    customer = make_customer()
    body = billing_client.get(customer.get_absolute_url()).content.decode()
    assert "Billing summary" not in body


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
@pytest.mark.parametrize(
    ("queryset", "moment", "amount", "index"),
    [
        (Invoice.objects.exclude(status="void"), "finalized_at", "total", "invoice_invoiced"),
        (Invoice.objects.filter(status="paid"), "paid_at", "amount_paid", "invoice_collected"),
    ],
)
def test_monthly_sums_read_only_the_months_shown(queryset, moment, amount, index):
    """The month range leads the index: the sums read 12 months of invoices, not every
    invoice ever (with the currency first, they read the whole index)."""
    starts = dashboard.month_starts(datetime.date(2026, 12, 3))
    plan = dashboard.monthly_rows(queryset, moment, amount, starts, datetime.date(2027, 1, 1))
    assert f"COVERING INDEX {index} (" in plan.explain()
    assert f"{moment}>? AND {moment}<?" in plan.explain()
