from django.db.models import Prefetch, QuerySet

from customers.models import Customer

from .models import CreditNote, Invoice, InvoiceItem

PENDING_SHOWN = 250


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
