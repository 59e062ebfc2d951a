"""Reads shared by the billing pages, their exports and the customer page's section."""

from collections.abc import Mapping
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from core.pagination import Page, paginate
from customers.models import Customer

from .filters import INVOICED, NOT_INVOICED, PAST_DUE, STATUS_TABS, InvoiceFilter, past_due
from .models import CreditNote, CustomerCoupon, DocumentEmail, Invoice, InvoiceItem, InvoiceStatus

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
    invoices = Invoice.objects.filter(customer=customer).annotate(is_past_due=_is_past_due())
    return list(invoices.order_by("-created", "-id")[:limit])


def _is_past_due() -> ExpressionWrapper:
    """The Past due badge on a row, by the Past due tab's own rule."""
    return ExpressionWrapper(past_due(), BooleanField())


def invoice_detail(queryset: QuerySet[Invoice], public_id: str) -> Invoice:
    """One invoice with what its page shows, or Invoice.DoesNotExist."""
    return (
        queryset.select_related("customer", "legal_entity", "coupon")
        .prefetch_related(
            Prefetch("lines", InvoiceItem.objects.prefetch_related("tax_rates")),
            Prefetch("credit_notes", CreditNote.objects.order_by("created", "id")),
            Prefetch("emails", DocumentEmail.objects.select_related("credit_note", "created_by")),
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
    rows = filterset.qs.annotate(is_past_due=_is_past_due())
    return paginate(rows, after=data.get("after"), before=data.get("before"), size=PAGE_SIZE)


def _other_filters(params: Mapping[str, Any]) -> InvoiceFilter | None:
    """The Invoices page's filters but its status tab (and page), or None if invalid."""
    others = {k: params.get(k) for k in params if k not in {"status", "after", "before"}}
    filterset = invoice_list(params=others)
    return filterset if filterset.is_valid() else None


def invoice_tab_counts(params: Mapping[str, Any]) -> dict[str, int]:
    """How many invoices each status tab lists under the page's other filters, keyed
    like the tabs ("all", a status, "past_due"): one query, however many tabs."""
    filterset = _other_filters(params)
    if filterset is None:
        return {str(value) or "all": 0 for value, _label in STATUS_TABS}
    # Two queries that read indexes alone (invoice_status, invoice_outstanding: no
    # table rows), rather than one that reads every row for its due date.
    invoices = filterset.qs.order_by()
    by_status = dict(invoices.values_list("status").annotate(count=Count("pk")))
    counts = {str(value) or "all": by_status.get(value, 0) for value, _label in STATUS_TABS}
    counts["all"] = sum(by_status.values())
    counts[PAST_DUE] = invoices.filter(past_due()).count()
    return counts


def invoice_count_for(counts: dict[str, int], status: str) -> int:
    """The invoices a status filter lists, from the tabs' counts."""
    if status == INVOICED:
        return counts["all"] - sum(counts[value] for value in NOT_INVOICED)
    return counts.get(status or "all", 0)


def invoice_offset(filterset: InvoiceFilter, first: str) -> int:
    """How many of the filtered invoices come before the one with public ID `first`
    (newest first): the page showing it starts at this offset + 1."""
    if not first or not filterset.is_valid():
        return 0
    anchor = Invoice.objects.filter(public_id=first).values("created", "pk").first()
    if anchor is None:
        return 0
    created, pk = anchor["created"], anchor["pk"]
    newer = Q(created__gt=created) | Q(created=created, pk__gt=pk)
    return filterset.qs.filter(newer).order_by().count()


def invoice_outstanding(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per currency, what open invoices under the page's other filters still ask for
    (`outstanding`) and how much of it is past due (`past_due`), in minor units."""
    filterset = _other_filters(params)
    if filterset is None:
        return []
    today = timezone.localdate()
    return list(
        filterset.qs.filter(status=InvoiceStatus.OPEN)
        .order_by("currency")
        .values("currency")
        .annotate(
            outstanding=Sum("amount_remaining"),
            past_due=Sum("amount_remaining", filter=past_due(today), default=0),
        )
    )


def open_invoice_totals(customers: list[Customer]) -> list[dict[str, Any]]:
    """What the customers' open invoices leave to pay, per currency: the number of
    invoices and of customers, and the amount remaining (for the Delete warning)."""
    return list(
        Invoice.objects.filter(customer__in=customers, status=InvoiceStatus.OPEN)
        .values("currency")
        .annotate(
            invoices=Count("id"),
            customers=Count("customer", distinct=True),
            amount=Sum("amount_remaining"),
        )
        .order_by("currency")
    )
