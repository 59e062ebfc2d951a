from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Sum
from django.http import QueryDict

from customers.models import Customer

from .filters import TransactionFilter
from .models import BalanceTransaction, CustomerBalance

HISTORY_PAGE_SIZE = 20


def customer_balances(customer: Customer) -> list[CustomerBalance]:
    """Balances in every currency the customer has used, zero ones included."""
    return list(CustomerBalance.objects.filter(customer=customer))


def transaction_list(*, customer: Customer, params: QueryDict | None) -> TransactionFilter:
    """The FilterSet over the customer's balance transactions (the history's and the
    export's); `.qs` is the filtered queryset. Without params it is unbound."""
    return TransactionFilter(params, queryset=BalanceTransaction.objects.filter(customer=customer))


def customer_history(
    customer: Customer, params: QueryDict | None = None, page: int | str | None = 1
) -> tuple[TransactionFilter, "Page[BalanceTransaction]"]:
    """(the filters, a page of the customer's balance transactions, newest first),
    filtered as the export is; if a filter is invalid none applies and its error shows."""
    filters = transaction_list(customer=customer, params=params or None)
    transactions = filters.queryset
    if filters.is_bound and filters.is_valid():
        transactions = filters.qs
    transactions = (
        transactions.select_related("created_by", "reverses")
        .annotate(is_reversed=Exists(BalanceTransaction.objects.filter(reverses=OuterRef("pk"))))
        .order_by("-id")
    )
    return filters, Paginator(transactions, HISTORY_PAGE_SIZE).get_page(page)


def nonzero_balance_totals(customers: list[Customer]) -> list[dict[str, Any]]:
    """The customers' credit (negative) and owed (positive) balances summed per
    currency, with how many customers hold each; zero balances left out."""
    totals = []
    for sign, condition in (("credit", {"amount__lt": 0}), ("owed", {"amount__gt": 0})):
        rows = (
            CustomerBalance.objects.filter(customer__in=customers, **condition)
            .values("currency")
            .annotate(amount=Sum("amount"), customers=Count("customer"))
            .order_by("currency")
        )
        totals += [{**row, "kind": sign, "amount": abs(row["amount"])} for row in rows]
    return totals


HISTORY_POINTS = 60  # balance changes drawn per currency on the customer page


def balance_history(
    customer: Customer, limit: int = HISTORY_POINTS
) -> dict[str, list[tuple[datetime, int]]]:
    """Per currency the customer has a balance in, (moment, balance) at each of its
    last `limit` transactions, oldest first, led by the balance before the first of
    them: one index range read (customer, currency, id) per currency."""
    history = {}
    for currency in CustomerBalance.objects.filter(customer=customer).values_list(
        "currency", flat=True
    ):
        rows = list(
            BalanceTransaction.objects.filter(customer=customer, currency=currency)
            .order_by("-id")
            .values_list("created", "amount", "ending_balance")[:limit]
        )[::-1]
        if rows:
            created, amount, ending = rows[0]
            points = [(created, ending - amount)]
            points += [(created, ending) for created, _amount, ending in rows]
            history[currency] = points
    return history
