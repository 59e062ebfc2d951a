"""Reads shared by the Customers page, its export, the duplicate check and invoices."""

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from core.pagination import Page, paginate

from . import sql
from .filters import SORT_KEYS, CustomerFilter
from .models import Customer


def live_customer_or_404(public_id: str) -> Customer:
    """The customer a page's URL names; a deleted one is a 404 for every page but the
    admin's."""
    return get_object_or_404(Customer.objects.live(), public_id=public_id)


def deleted_customer(public_id: str) -> Customer | None:
    """The deleted customer with this ID, and who deleted it; None if there is none."""
    return (
        Customer.objects.deleted().select_related("deleted_by").filter(public_id=public_id).first()
    )


def customer_list(*, params: Mapping[str, Any], counting: bool = False) -> CustomerFilter:
    """The FilterSet for the Customers page; `.qs` is the filtered queryset."""
    return CustomerFilter(params, queryset=Customer.objects.live(), counting=counting)


def customer_page(filterset: CustomerFilter) -> Page:
    """The page of customers the filterset's sort and after/before ask for."""
    queryset = filterset.qs  # validates the form: invalid filters are left out
    data = filterset.form.cleaned_data
    return paginate(
        queryset,
        order=SORT_KEYS[filterset.sort_order],
        after=data.get("after"),
        before=data.get("before"),
    )


def customers_sorted(filterset: CustomerFilter) -> QuerySet[Customer]:
    """All the filterset's customers in its sort order (for exports)."""
    expression, descending = SORT_KEYS[filterset.sort_order]
    if descending:
        return filterset.qs.order_by(expression.desc(), "-pk")
    return filterset.qs.order_by(expression.asc(), "pk")


def customer_duplicates(
    *, name: str, email: str, exclude: Customer | None = None, limit: int = 5
) -> list[Customer]:
    """Live customers that look like the one being added: same email or same name,
    ignoring case."""
    match = Q()
    if email:
        match |= Q(email_key=email.casefold())
    if name:
        match |= Q(name_key=name.casefold())
    if not match:
        return []
    customers = Customer.objects.live()
    if exclude is not None:
        customers = customers.exclude(pk=exclude.pk)
    return list(customers.filter(match)[:limit])


def tax_id_rows(customer: Customer) -> list[tuple[str, str]]:
    """The customer's tax IDs as (type, value) pairs, oldest first. Plain SQL: invoice
    finalization reads them for every invoice, and the ORM's query building cost ten
    times the query."""
    return sql.tax_id_rows(customer.pk)


def customers_by_reference(
    reference: str, queryset: QuerySet[Customer] | None = None
) -> QuerySet[Customer]:
    """The customers staff name by ID (cus_…) or account email, as the Invoices page's
    customer filter and Create invoice take them. At most one kind matches: an ID has no
    @. Two index lookups (public_id, email_key); `queryset` narrows, e.g. to live ones."""
    reference = reference.strip()
    queryset = Customer.objects.all() if queryset is None else queryset
    return queryset.filter(Q(public_id=reference) | Q(email_key=reference.casefold()))
