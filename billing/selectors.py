from django.db.models import Prefetch

from .models import CreditNote, Invoice, InvoiceItem


def pending_items(customer):
    """The customer's items not on an invoice yet, oldest first (the order invoices
    take them in)."""
    return (
        InvoiceItem.objects.filter(customer=customer, invoice__isnull=True)
        .prefetch_related("tax_rates")
        .order_by("created", "id")
    )


def pending_currencies(customer):
    return list(
        InvoiceItem.objects.filter(customer=customer, invoice__isnull=True)
        .order_by("currency")
        .values_list("currency", flat=True)
        .distinct()
    )


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
