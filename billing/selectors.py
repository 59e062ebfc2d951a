"""Reads shared by the billing pages, their exports and the customer page's section."""

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch, QuerySet

from core.pagination import Page, paginate
from customers.models import Customer

from .filters import InvoiceFilter
from .models import CreditNote, CustomerCoupon, Invoice, InvoiceItem

PENDING_SHOWN = 250
PAGE_SIZE = 50  # invoices on a page of the Invoices page


def pending_items(customer: Customer) -> list[InvoiceItem]:
    """The customer's items not on an invoice yet, oldest first (the order invoices
    take them in), at most PENDING_SHOWN of them."""
    return list(
        InvoiceItem.objects.filter(customer=customer, invoice__isnull=True)
        .prefetch_related("tax_rates")
        .order_by("created", "id")[:PENDING_SHOWN]
    )


def pending_count(customer: Customer) -> int:
    return InvoiceItem.objects.filter(customer=customer, invoice__isnull=True).count()


def customer_invoices(customer: Customer, limit: int = 20) -> list[Invoice]:
    return list(Invoice.objects.filter(customer=customer).order_by("-created", "-id")[:limit])


def invoice_detail(queryset: QuerySet[Invoice], public_id: str) -> Invoice:
    """One invoice with what its page shows, or Invoice.DoesNotExist."""
    return (
        queryset.select_related("customer", "legal_entity", "coupon")
        .prefetch_related(
            Prefetch("lines", InvoiceItem.objects.prefetch_related("tax_rates")),
            Prefetch("credit_notes", CreditNote.objects.order_by("created", "id")),
        )
        .get(public_id=public_id)
    )


def customer_coupon(customer: Customer) -> CustomerCoupon | None:
    """The coupon the customer holds (with it), or None."""
    return CustomerCoupon.objects.filter(customer=customer).select_related("coupon").first()


def invoice_list(*, params: Mapping[str, Any]) -> InvoiceFilter:
    """The FilterSet for the Invoices page and its export, newest first; `.qs` is the
    filtered queryset."""
    invoices = Invoice.objects.select_related("customer").order_by("-created", "-id")
    return InvoiceFilter(params, queryset=invoices)


def invoice_page(filterset: InvoiceFilter) -> Page:
    """The page of invoices after/before asks for; none when a filter is invalid."""
    if not filterset.is_valid():
        return Page(items=[], next_after=None, previous_before=None)
    data = filterset.form.cleaned_data
    return paginate(
        filterset.qs, after=data.get("after"), before=data.get("before"), size=PAGE_SIZE
    )
