from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef
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
