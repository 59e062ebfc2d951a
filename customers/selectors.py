"""Reads shared by the Customers page, its export and the duplicate check."""

from django.db.models import Q, Value
from django.db.models.functions import Lower

from .filters import CustomerFilter
from .models import Customer


def customer_list(*, params):
    """The FilterSet for the Customers page; `.qs` is the filtered, sorted queryset."""
    return CustomerFilter(params, queryset=Customer.objects.live())


def customer_duplicates(*, name, email, exclude=None, limit=5):
    """Live customers that look like the one being added: same email or same name,
    ignoring case."""
    match = Q()
    if email:
        match |= Q(email_lower=Lower(Value(email)))
    if name:
        match |= Q(name_lower=Lower(Value(name)))
    if not match:
        return []
    customers = Customer.objects.live().alias(email_lower=Lower("email"), name_lower=Lower("name"))
    if exclude is not None:
        customers = customers.exclude(pk=exclude.pk)
    return list(customers.filter(match)[:limit])
