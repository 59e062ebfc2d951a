import django_filters

from core.filters import CreatedRangeFilterSet
from core.reference import currency_choices
from customers.selectors import customers_by_reference

from .models import Invoice, InvoiceStatus


class InvoiceFilter(CreatedRangeFilterSet):
    status = django_filters.ChoiceFilter(choices=InvoiceStatus.choices)
    currency = django_filters.ChoiceFilter(choices=currency_choices)
    customer = django_filters.CharFilter(label="Customer", method="filter_customer")
    number = django_filters.CharFilter(label="Number", method="filter_number")
    # Applied by the keyset paginator.
    after = django_filters.CharFilter(method="keep")
    before = django_filters.CharFilter(method="keep")

    class Meta:
        model = Invoice
        fields: list[str] = []

    def filter_customer(self, queryset, name, value):
        """A customer ID (cus_…) or an account email."""
        # The customers first (two index lookups), then their invoices by the
        # (customer, created) index, rather than an OR across the join. Deleted
        # customers' invoices are found too: they stay on the Invoices page.
        customers = customers_by_reference(value)
        return queryset.filter(customer__in=customers.values("pk"))

    def filter_number(self, queryset, name, value):
        """An invoice number, or its beginning (a customer's prefix lists its invoices)."""
        return queryset.filter(number__startswith=value.strip().upper())

    def keep(self, queryset, name, value):
        return queryset

    @property
    def is_filtered(self):
        return any(v for k, v in self.form.cleaned_data.items() if k not in {"after", "before"})
