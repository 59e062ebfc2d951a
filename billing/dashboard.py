"""The Home page's figures and the customer page's billing summary: reads only, summed
by the database (one GROUP BY currency query per figure, each month or age a filtered
SUM), so the cost does not grow with rows in Python.

Every figure comes with the Invoices page URL that lists the invoices behind it
(billing/filters.py: status, currency, customer and due/finalized/paid day ranges).

- Invoiced in a month: the totals of invoices finalized that month (drafts and void
  ones left out; the list it links to shows void ones too, marked Void).
- Collected in a month: what invoices paid that month received (amount_paid: money
  marked paid; credit balance applied is not money collected).
- Outstanding: open invoices' amount remaining, by days past their due date.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Aggregate, Case, Count, F, IntegerField, Q, Sum, Value, When, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import dateformat, timezone

from core.charts import BarChart, bar_chart
from core.filters import start_of_day
from core.money import compact_amount
from core.money_format import format_money
from customers.models import Customer

from .filters import INVOICED, NOT_INVOICED
from .models import Invoice, InvoiceStatus

MONTHS = 12
LARGEST = 5  # customers listed per currency under "Largest open balances"
# (key, label, fewest, most days past due); None: no bound.
AGES = [
    ("current", "Current", None, 0),
    ("1_30", "1–30 days", 1, 30),
    ("31_60", "31–60 days", 31, 60),
    ("61_90", "61–90 days", 61, 90),
    ("over_90", "Over 90 days", 91, None),
]


def invoices_url(**params: object) -> str:
    """The Invoices page filtered by `params` (dates as ISO days; empty ones left out)."""
    query = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in params.items()}
    return f"{reverse('billing:invoices')}?{urlencode({k: v for k, v in query.items() if v})}"


@dataclass
class Month:
    start: datetime.date
    end: datetime.date  # its last day
    invoiced: int = 0
    collected: int = 0
    invoiced_url: str = ""
    collected_url: str = ""

    @property
    def label(self) -> str:
        return dateformat.format(self.start, "F Y")

    @property
    def short_label(self) -> str:
        return dateformat.format(self.start, "M")


@dataclass
class Age:
    key: str
    label: str
    amount: int = 0
    count: int = 0
    url: str = ""


@dataclass
class OpenBalance:
    customer: Customer
    amount: int
    count: int
    url: str


@dataclass
class CurrencyOverview:
    currency: str
    months: list[Month]
    ages: list[Age] = field(default_factory=list)
    largest: list[OpenBalance] = field(default_factory=list)

    @property
    def outstanding(self) -> int:
        return sum(age.amount for age in self.ages)

    @property
    def outstanding_url(self) -> str:
        return invoices_url(status=InvoiceStatus.OPEN, currency=self.currency)

    @property
    def chart(self) -> BarChart:
        def fmt(value: int) -> str:
            return format_money(value, self.currency)

        return bar_chart(
            id=f"chart-{self.currency.lower()}",
            title=f"Invoiced and collected per month, {self.currency}",
            categories=[m.short_label for m in self.months],
            series=[
                ("Invoiced", [m.invoiced for m in self.months]),
                ("Collected", [m.collected for m in self.months]),
            ],
            hrefs=[[m.invoiced_url for m in self.months], [m.collected_url for m in self.months]],
            format_value=fmt,
            format_tick=lambda value: compact_amount(value, self.currency),
        )


def month_starts(today: datetime.date, count: int = MONTHS) -> list[datetime.date]:
    """The first days of the last `count` months, this one last."""
    year, month = today.year, today.month
    starts = []
    for _ in range(count):
        starts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def monthly_rows(queryset, moment: str, amount: str, starts: list[datetime.date], end):
    """One query grouped by currency and month, the month a CASE over the month
    boundaries (portable, and no per-row function call)."""
    bounds = [start_of_day(day) for day in starts] + [start_of_day(end)]
    month = Case(
        *(When(**{f"{moment}__lt": hi}, then=Value(n)) for n, hi in enumerate(bounds[1:])),
        output_field=IntegerField(),
    )
    return (
        queryset.filter(**{f"{moment}__gte": bounds[0], f"{moment}__lt": bounds[-1]})
        .order_by()
        .annotate(month=month)
        .values("currency", "month")
        .annotate(sum=Sum(amount))
    )


def _monthly_sums(queryset, moment: str, amount: str, starts: list[datetime.date], end):
    """{currency: [sum per month]}."""
    sums: dict[str, list[int]] = {}
    for row in monthly_rows(queryset, moment, amount, starts, end):
        sums.setdefault(row["currency"], [0] * len(starts))[row["month"]] = row["sum"] or 0
    return sums


def _age_days(
    today: datetime.date, fewest: int | None, most: int | None
) -> dict[str, datetime.date | None]:
    """The due-date range of an age: `fewest`..`most` days past due."""
    return {
        "due_after": today - datetime.timedelta(days=most) if most is not None else None,
        "due_before": today - datetime.timedelta(days=fewest) if fewest is not None else None,
    }


def _age_filter(days: dict[str, datetime.date | None]) -> Q:
    q = Q()
    if days["due_after"]:
        q &= Q(due_date__gte=days["due_after"])
    if days["due_before"]:
        q &= Q(due_date__lte=days["due_before"])
    return q


def overview(today: datetime.date | None = None) -> list[CurrencyOverview]:
    """The Home page: per currency (alphabetical), the last MONTHS months' invoiced and
    collected, outstanding by age, and the customers owing most."""
    today = today or timezone.localdate()
    starts = month_starts(today)
    end = (starts[-1] + datetime.timedelta(days=32)).replace(day=1)
    invoiced = _monthly_sums(
        Invoice.objects.exclude(status=InvoiceStatus.VOID), "finalized_at", "total", starts, end
    )
    collected = _monthly_sums(
        Invoice.objects.filter(status=InvoiceStatus.PAID), "paid_at", "amount_paid", starts, end
    )
    ranges = {key: _age_days(today, fewest, most) for key, _, fewest, most in AGES}
    age_sums: dict[str, Aggregate] = {}
    for key in ranges:
        age_sums[key] = Sum("amount_remaining", filter=_age_filter(ranges[key]))
        age_sums[f"{key}_count"] = Count("id", filter=_age_filter(ranges[key]))
    aged = {
        row["currency"]: row
        for row in Invoice.objects.filter(status=InvoiceStatus.OPEN)
        .order_by()
        .values("currency")
        .annotate(**age_sums)
    }
    largest = largest_open_balances() if aged else {}
    overviews = []
    for currency in sorted(set(invoiced) | set(collected) | set(aged)):
        months = []
        for n, start in enumerate(starts):
            last = (starts[n + 1] if n + 1 < len(starts) else end) - datetime.timedelta(days=1)
            months.append(
                Month(
                    start=start,
                    end=last,
                    invoiced=invoiced.get(currency, [0] * MONTHS)[n],
                    collected=collected.get(currency, [0] * MONTHS)[n],
                    invoiced_url=invoices_url(
                        currency=currency, finalized_after=start, finalized_before=last
                    ),
                    collected_url=invoices_url(
                        status=InvoiceStatus.PAID,
                        currency=currency,
                        paid_after=start,
                        paid_before=last,
                    ),
                )
            )
        item = CurrencyOverview(currency=currency, months=months)
        row = aged.get(currency, {})
        for key, label, _, _ in AGES:
            url = invoices_url(status=InvoiceStatus.OPEN, currency=currency, **ranges[key])
            item.ages.append(Age(key, label, row.get(key) or 0, row.get(f"{key}_count") or 0, url))
        item.largest = largest.get(currency, [])
        overviews.append(item)
    return overviews


def largest_open_balances(limit: int = LARGEST) -> dict[str, list[OpenBalance]]:
    """Per currency, the customers whose open invoices leave the most to pay: one
    query (a GROUP BY currency and customer, ranked within each currency)."""
    ranked = (
        Invoice.objects.filter(status=InvoiceStatus.OPEN)
        .order_by()
        .values("currency", "customer")
        .annotate(owed=Sum("amount_remaining"), count=Count("id"))
        .filter(owed__gt=0)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("currency"),
                order_by=[F("owed").desc(), F("customer").asc()],
            )
        )
        .filter(rank__lte=limit)
    )
    rows = sorted(ranked, key=lambda row: row["rank"])
    customers = Customer.objects.in_bulk([row["customer"] for row in rows])
    largest: dict[str, list[OpenBalance]] = {}
    for row in rows:
        customer = customers[row["customer"]]
        url = invoices_url(
            status=InvoiceStatus.OPEN, currency=row["currency"], customer=customer.public_id
        )
        largest.setdefault(row["currency"], []).append(
            OpenBalance(customer=customer, amount=row["owed"], count=row["count"], url=url)
        )
    return largest


@dataclass
class CustomerTotals:
    currency: str
    invoiced: int
    paid: int
    outstanding: int
    invoiced_url: str
    paid_url: str
    outstanding_url: str


def customer_summary(customer: Customer) -> list[CustomerTotals]:
    """Per currency: what the customer was invoiced (finalized, not void), paid, and
    still owes on open invoices."""
    rows = (
        Invoice.objects.filter(customer=customer)
        .exclude(status__in=NOT_INVOICED)
        .order_by()
        .values("currency")
        .annotate(
            invoiced=Sum("total"),
            paid=Sum("amount_paid"),
            outstanding=Sum("amount_remaining", filter=Q(status=InvoiceStatus.OPEN)),
        )
        .order_by("currency")
    )
    ref = customer.public_id
    return [
        CustomerTotals(
            currency=row["currency"],
            invoiced=row["invoiced"] or 0,
            paid=row["paid"] or 0,
            outstanding=row["outstanding"] or 0,
            invoiced_url=invoices_url(customer=ref, currency=row["currency"], status=INVOICED),
            paid_url=invoices_url(customer=ref, currency=row["currency"], status="paid"),
            outstanding_url=invoices_url(customer=ref, currency=row["currency"], status="open"),
        )
        for row in rows
    ]
