"""What every app's list filters share."""

import datetime
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone


class CreatedRangeFilterSet(django_filters.FilterSet):
    """Created from / to, whole days in the site's time zone (customers, balance
    transactions, invoices)."""

    created_after = django_filters.DateFilter(label="Created from", method="filter_created_after")
    created_before = django_filters.DateFilter(label="Created to", method="filter_created_before")

    def filter_created_after(
        self, queryset: QuerySet[Any], name: str, value: datetime.date
    ) -> QuerySet[Any]:
        return queryset.filter(created__gte=start_of_day(value))

    def filter_created_before(
        self, queryset: QuerySet[Any], name: str, value: datetime.date
    ) -> QuerySet[Any]:
        if value == datetime.date.max:
            return queryset
        return queryset.filter(created__lt=start_of_day(value + datetime.timedelta(days=1)))


def start_of_day(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())
