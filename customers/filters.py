import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import TextField, Value
from django.db.models.functions import Cast
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Lower
from django.utils import timezone

from . import reference
from .models import TaxExempt
from .search import search_customers

SORTS = {
    "-created": ("-created", "-id"),
    "created": ("created", "id"),
    "name": (Lower("name"), "id"),
    "-name": (Lower("name").desc(), "-id"),
    "email": (Lower("email"), "id"),
    "-email": (Lower("email").desc(), "-id"),
}


class MetadataFilterField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        key, sep, item = value.partition("=")
        if not sep or not key.strip():
            raise ValidationError("Filter metadata as key=value, like internal_id=4242.")
        return key.strip(), item.strip()


class MetadataFilter(django_filters.Filter):
    field_class = MetadataFilterField

    def filter(self, qs, value):
        if not value:
            return qs
        key, item = value
        # KeyTextTransform keeps a key like "a__b" a single key, not a path.
        # Cast so the value compares as text, not as JSON.
        value = Cast(KeyTextTransform(key, "metadata"), TextField())
        return qs.alias(metadata_match=value).filter(metadata_match=item)


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_search")
    email = django_filters.CharFilter(label="Email", method="filter_email")
    name = django_filters.CharFilter(label="Name", method="filter_name")
    created_after = django_filters.DateFilter(label="Created from", method="filter_created_after")
    created_before = django_filters.DateFilter(label="Created to", method="filter_created_before")
    currency = django_filters.ChoiceFilter(
        label="Currency", field_name="default_currency", choices=reference.currency_choices
    )
    country = django_filters.ChoiceFilter(
        label="Country", field_name="address_country", choices=reference.country_choices
    )
    tax_exempt = django_filters.ChoiceFilter(label="Tax status", choices=TaxExempt.choices)
    metadata = MetadataFilter(label="Metadata")
    sort = django_filters.ChoiceFilter(
        label="Sort", choices=[(k, k) for k in SORTS], method="filter_sort", empty_label=None
    )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*SORTS["-created"])
        return queryset

    def filter_search(self, queryset, name, value):
        return search_customers(queryset, value)

    def filter_email(self, queryset, name, value):
        return queryset.alias(email_lower=Lower("email")).filter(
            email_lower=Lower(Value(value.strip()))
        )

    def filter_name(self, queryset, name, value):
        return queryset.filter(name__icontains=value.strip())

    def filter_created_after(self, queryset, name, value):
        return queryset.filter(created__gte=_start_of_day(value))

    def filter_created_before(self, queryset, name, value):
        return queryset.filter(created__lt=_start_of_day(value + datetime.timedelta(days=1)))

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS[value])

    @property
    def is_filtered(self):
        return any(v for k, v in self.form.cleaned_data.items() if k != "sort")


def _start_of_day(day):
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())
