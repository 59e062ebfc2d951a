import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Q

from core.filters import CreatedRangeFilterSet
from core.reference import country_choices, currency_choices
from core.validators import CONTROL_CHARACTERS_RE

from .models import Customer, TaxExempt
from .search import filter_metadata, filter_name, search_customers

CURSOR_PARAMS = {"sort", "after", "before"}

# The list's sorts: name -> (key expression, descending), for core.pagination.
SORT_KEYS = {
    "-created": (F("created"), True),
    "created": (F("created"), False),
    "name": (F("name_key"), False),
    "-name": (F("name_key"), True),
    "email": (F("email_key"), False),
    "-email": (F("email_key"), True),
}
DEFAULT_SORT = "-created"


class MetadataFilterField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        key, sep, item = value.partition("=")
        if not sep or not key.strip():
            raise ValidationError("Filter metadata as key=value, like internal_id=4242.")
        if CONTROL_CHARACTERS_RE.search(value):
            raise ValidationError("Remove the invisible control characters.")
        return key.strip(), item.strip()


class MetadataFilter(django_filters.Filter):
    field_class = MetadataFilterField

    def filter(self, qs, value):
        if not value:
            return qs
        key, item = value
        return filter_metadata(qs, key, item, counting=self.parent.counting)


class CustomerFilter(CreatedRangeFilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_search")
    email = django_filters.CharFilter(label="Email", method="filter_email")
    name = django_filters.CharFilter(label="Name", method="filter_name")
    currency = django_filters.ChoiceFilter(
        label="Currency", field_name="default_currency", choices=currency_choices
    )
    country = django_filters.ChoiceFilter(
        label="Country", field_name="address_country", choices=country_choices
    )
    tax_exempt = django_filters.ChoiceFilter(label="Tax status", choices=TaxExempt.choices)
    metadata = MetadataFilter(label="Metadata")
    balance = django_filters.ChoiceFilter(
        label="Balance",
        choices=[("credit", "Has credit balance"), ("owes", "Owes")],
        method="filter_balance",
    )
    # Sorting is applied by the paginator (keyset pagination needs the sort key).
    sort = django_filters.ChoiceFilter(
        label="Sort", choices=[(k, k) for k in SORT_KEYS], method="keep", empty_label=None
    )
    after = django_filters.CharFilter(method="keep")
    before = django_filters.CharFilter(method="keep")

    def __init__(self, *args, counting=False, **kwargs):
        super().__init__(*args, **kwargs)
        # Counting matches takes another plan than finding a page of them.
        self.counting = counting

    def filter_search(self, queryset, name, value):
        return search_customers(queryset, value, counting=self.counting)

    def filter_email(self, queryset, name, value):
        return queryset.filter(email_key=value.strip().casefold())

    def filter_name(self, queryset, name, value):
        return filter_name(queryset, value, counting=self.counting)

    def filter_balance(self, queryset, name, value):
        # `balances` is the ledger's reverse relation: named here, never imported.
        condition = Q(balances__amount__lt=0) if value == "credit" else Q(balances__amount__gt=0)
        return queryset.filter(pk__in=Customer.objects.filter(condition).values("pk"))

    def keep(self, queryset, name, value):
        return queryset

    @property
    def sort_order(self):
        return self.form.cleaned_data.get("sort") or DEFAULT_SORT

    @property
    def is_filtered(self):
        return any(v for k, v in self.form.cleaned_data.items() if k not in CURSOR_PARAMS)
