"""Locking an invoice before a write. Every service that changes an invoice, its lines or
its credit notes takes the invoice's lock here first, so all of them lock in the same
order (docs/decisions.md, "Lock order")."""

from django.core.exceptions import ValidationError

from ..models import Invoice, InvoiceStatus


def invoice_lock(invoice: Invoice) -> Invoice:
    """The invoice read again under its lock and its customer's."""
    # Locks the invoice and customer rows; the customer's seller comes in the same
    # read (finalization snapshots it), unlocked. FOR NO KEY UPDATE, not FOR UPDATE:
    # an adjustment holding the balance row this transaction waits for share-locks
    # the customer's key at COMMIT (the ledger row's foreign key check), which FOR
    # UPDATE blocks (a deadlock on PostgreSQL) and FOR NO KEY UPDATE lets through.
    return (
        Invoice.objects.select_for_update(of=("self", "customer"), no_key=True)
        .select_related("customer__legal_entity")
        .get(pk=invoice.pk)
    )


def invoice_lock_draft(invoice: Invoice) -> Invoice:
    """The invoice locked, refused unless it is still a draft of a live customer (the
    customer's row is locked with it, so a deletion can't slip in between)."""
    invoice = invoice_lock(invoice)
    if not invoice.is_draft:
        raise ValidationError("Only a draft invoice can be changed; this one is finalized.")
    if invoice.customer.deleted_at is not None:
        raise ValidationError("This customer is deleted. Restore it first.")
    return invoice


def invoice_lock_for(invoice: Invoice, status: InvoiceStatus) -> Invoice:
    """The invoice locked, refused unless it may move to `status`."""
    invoice = invoice_lock(invoice)
    if not invoice.can_become(status):
        raise ValidationError(
            f"A {invoice.get_status_display().lower()} invoice cannot become "
            f"{InvoiceStatus(status).label.lower()}."
        )
    return invoice
