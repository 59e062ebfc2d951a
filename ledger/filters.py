import django_filters
from django.core.validators import RegexValidator

from core.filters import CreatedRangeFilterSet

from .models import BalanceTransaction, TransactionType


class TransactionFilter(CreatedRangeFilterSet):
    """A customer's balance transactions by currency, type and created date (the
    export's query string)."""

    # Any ISO 4217 code, not just today's: a ledger keeps retired currencies (HRK).
    currency = django_filters.CharFilter(
        method="filter_currency",
        validators=[RegexValidator(r"^[A-Za-z]{3}\Z", "Enter a currency code, like EUR.")],
    )
    type = django_filters.ChoiceFilter(choices=TransactionType.choices)

    class Meta:
        model = BalanceTransaction
        fields: list[str] = []

    def filter_currency(self, queryset, name, value):
        return queryset.filter(currency=value.upper())
