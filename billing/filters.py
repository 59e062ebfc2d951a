import datetime

import django_filters
from django.db.models import Q
from django.utils import timezone

from core.filters import CreatedRangeFilterSet, start_of_day
from core.reference import currency_choices

from .customer_lookup import CustomerMatch, match_customers
from .models import Invoice, InvoiceStatus

PAST_DUE = "past_due"
# The Invoices page's tabs, in Stripe's order: a status, or past due (open and due
# before today), or all ("").
STATUS_TABS = [
    ("", "All"),
    (InvoiceStatus.DRAFT, "Draft"),
    (InvoiceStatus.OPEN, "Open"),
    (PAST_DUE, "Past due"),
    (InvoiceStatus.PAID, "Paid"),
    (InvoiceStatus.VOID, "Void"),
    (InvoiceStatus.UNCOLLECTIBLE, "Uncollectible"),
]

# Not a tab: the invoices a customer was invoiced for (Billing summary's "Total
# invoiced"), every status but these.
INVOICED = "invoiced"
NOT_INVOICED = (InvoiceStatus.DRAFT, InvoiceStatus.VOID)


def past_due(today: datetime.date | None = None) -> Q:
    """Open invoices whose due date has gone by: due yesterday is past due today."""
    return Q(status=InvoiceStatus.OPEN, due_date__lt=today or timezone.localdate())


class InvoiceFilter(CreatedRangeFilterSet):
    status = django_filters.ChoiceFilter(
        choices=[(value, label) for value, label in STATUS_TABS if value]
        + [(INVOICED, "Invoiced (not draft or void)")],
        method="filter_status",
    )
    currency = django_filters.ChoiceFilter(choices=currency_choices)
    customer = django_filters.CharFilter(label="Customer", method="filter_customer")
    number = django_filters.CharFilter(label="Number", method="filter_number")
    # The Home page's figures link here with these ranges (whole days, like created).
    due_after = django_filters.DateFilter(
        label="Due from", field_name="due_date", lookup_expr="gte"
    )
    due_before = django_filters.DateFilter(label="Due to", field_name="due_date", lookup_expr="lte")
    finalized_after = django_filters.DateFilter(label="Finalized from", method="filter_from")
    finalized_before = django_filters.DateFilter(label="Finalized to", method="filter_to")
    paid_after = django_filters.DateFilter(label="Paid from", method="filter_from")
    paid_before = django_filters.DateFilter(label="Paid to", method="filter_to")
    RANGE_FIELDS = ("due_after", "due_before", "finalized_after", "finalized_before",
                    "paid_after", "paid_before")  # fmt: skip
    # Applied by the keyset paginator.
    after = django_filters.CharFilter(method="keep")
    before = django_filters.CharFilter(method="keep")

    class Meta:
        model = Invoice
        fields: list[str] = []

    # What the Customer filter matched, for the page to say (None: not filtered by it).
    customer_match: CustomerMatch | None = None

    def filter_status(self, queryset, name, value):
        if value == PAST_DUE:
            return queryset.filter(past_due())
        if value == INVOICED:
            return queryset.exclude(status__in=NOT_INVOICED)
        return queryset.filter(status=value)

    def filter_customer(self, queryset, name, value):
        """A customer ID (cus_…), an account email, or a name (any part, any case)."""
        # The customers first (index lookups, or the name search, at most NAME_MATCHES
        # of them), then their invoices by the (customer, created) index, rather than
        # a join. Deleted customers' invoices are found too: they stay on this page.
        self.customer_match = match_customers(value)
        return queryset.filter(customer__in=[c.pk for c in self.customer_match.customers])

    def pill_value(self, name, value):
        """The Customer pill names the customer an ID or email found, not "cus_…"."""
        match = self.customer_match
        if name == "customer" and match and match.one and not match.by_name:
            return match.one.name
        return None

    def filter_number(self, queryset, name, value):
        """An invoice number, or its beginning (a customer's prefix lists its invoices)."""
        return queryset.filter(number__startswith=value.strip().upper())

    def filter_from(self, queryset, name, value):
        """finalized_after, paid_after: from the start of the day (site's time zone)."""
        field = name.removesuffix("_after") + "_at"
        return queryset.filter(**{f"{field}__gte": start_of_day(value)})

    def filter_to(self, queryset, name, value):
        if value == datetime.date.max:  # no day after it
            return queryset
        field = name.removesuffix("_before") + "_at"
        return queryset.filter(**{f"{field}__lt": start_of_day(value + datetime.timedelta(days=1))})

    def keep(self, queryset, name, value):
        return queryset

    @property
    def is_filtered(self):
        return any(v for k, v in self.form.cleaned_data.items() if k not in {"after", "before"})
