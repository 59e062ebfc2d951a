from django.db.models import Prefetch

from .models import CreditNote, Invoice, InvoiceItem

PENDING_SHOWN = 250


def pending_items(customer):
    """The customer's items not on an invoice yet, oldest first (the order invoices
    take them in), at most PENDING_SHOWN of them."""
    return list(
        InvoiceItem.objects.filter(customer=customer, invoice__isnull=True)
        .prefetch_related("tax_rates")
        .order_by("created", "id")[:PENDING_SHOWN]
    )


def pending_count(customer):
    return InvoiceItem.objects.filter(customer=customer, invoice__isnull=True).count()


def customer_invoices(customer, limit=20):
    return list(Invoice.objects.filter(customer=customer).order_by("-created", "-id")[:limit])


def invoice_detail(queryset, public_id):
    """One invoice with what its page shows, or Invoice.DoesNotExist."""
    return (
        queryset.select_related("customer", "legal_entity", "coupon")
        .prefetch_related(
            Prefetch("lines", InvoiceItem.objects.prefetch_related("tax_rates")),
            Prefetch("credit_notes", CreditNote.objects.order_by("created", "id")),
        )
        .get(public_id=public_id)
    )
