"""The customer page's credit balance over time: one step chart per currency
(core/charts.py draws, templates/_chart_steps.html shows)."""

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.utils import dateformat, timezone

from core.charts import StepChart, step_chart
from core.money import compact_amount
from core.money_format import format_money
from customers.models import Customer

from . import selectors


@dataclass(frozen=True)
class BalanceChart:
    currency: str
    chart: StepChart
    points: list[tuple[datetime, int]]  # for the table under the chart, oldest first


def balance_charts(customer: Customer) -> list[BalanceChart]:
    charts = []
    for currency, points in sorted(selectors.balance_history(customer).items()):

        def fmt(value: int, currency: str = currency) -> str:
            return format_money(value, currency)

        chart = step_chart(
            id=f"balance-chart-{currency.lower()}",
            title=f"Credit balance over time, {currency} (below zero: credit; above: owed)",
            points=points,
            format_value=fmt,
            format_time=_when,
            format_tick=partial(compact_amount, currency=currency),
        )
        charts.append(BalanceChart(currency=currency, chart=chart, points=points))
    return charts


def _when(moment: datetime) -> str:
    return dateformat.format(timezone.localtime(moment), "M j, Y, H:i")
