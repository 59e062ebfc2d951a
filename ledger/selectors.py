from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef

from .models import BalanceTransaction, CustomerBalance

HISTORY_PAGE_SIZE = 20


def customer_balances(customer):
    """Balances in every currency the customer has used, zero ones included."""
    return list(CustomerBalance.objects.filter(customer=customer))


def customer_history(customer, page=1):
    """The customer's balance transactions, newest first, a page at a time."""
    transactions = (
        BalanceTransaction.objects.filter(customer=customer)
        .select_related("created_by", "reverses")
        .annotate(is_reversed=Exists(BalanceTransaction.objects.filter(reverses=OuterRef("pk"))))
        .order_by("-id")
    )
    return Paginator(transactions, HISTORY_PAGE_SIZE).get_page(page)
