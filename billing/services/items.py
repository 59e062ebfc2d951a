"""Invoice items: pending items (billed by the customer's next invoice in their
currency) and the lines of a draft."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from activity import services as activity
from core.money import MAX_MAJOR_UNITS, MoneyError, check_currency, max_typed_amount
from customers.models import Customer

from ..models import Invoice, InvoiceItem, TaxRate
from .invoices import MAX_INVOICE_LINES, check_live, check_total, recompute, record_invoice
from .locks import invoice_lock_draft


def item_add(
    *, customer: Customer, description: str, unit_amount: int, currency: str,
    quantity: int = 1, tax_rates: Iterable[TaxRate] = (), discountable: bool = True,
    invoice: Invoice | None = None,
) -> InvoiceItem:  # fmt: skip
    """A pending invoice item, or a line added to a draft invoice."""
    check_live(customer)
    rates = list(tax_rates)
    _check_item(unit_amount=unit_amount, quantity=quantity, currency=currency, tax_rates=rates)
    with transaction.atomic():
        if invoice is not None:
            invoice = invoice_lock_draft(invoice)
            if invoice.customer_id != customer.pk or invoice.currency != currency:
                raise ValidationError("A line must be for the invoice's customer and currency.")
            if invoice.lines.count() >= MAX_INVOICE_LINES:
                raise ValidationError(f"An invoice has at most {MAX_INVOICE_LINES} lines.")
        item = InvoiceItem(
            customer=customer,
            invoice=invoice,
            description=description,
            quantity=quantity,
            unit_amount=unit_amount,
            amount=quantity * unit_amount,
            currency=currency,
            discountable=discountable,
        )
        item.full_clean(exclude=["customer", "invoice"])
        item.save()
        item.tax_rates.set(rates)
        if invoice is None:
            _record_item("invoiceitem.created", item, {"item": _line(item, rates)})
        else:
            recompute(invoice)
            check_total(invoice)
            invoice.save()
            record_invoice(
                "invoice.updated",
                invoice,
                {"line_added": _line(item, rates), "currency": invoice.currency},
            )
    return item


def _check_item(
    *, unit_amount: int, quantity: int, currency: str, tax_rates: Sequence[TaxRate]
) -> None:
    try:
        check_currency(currency)
    except MoneyError as error:
        raise ValidationError({"currency": str(error)}) from None
    limit = max_typed_amount(currency)
    if not isinstance(unit_amount, int) or not 0 <= unit_amount * quantity <= limit:
        raise ValidationError(
            {"unit_amount": f"The amount must be between 0 and {MAX_MAJOR_UNITS:,} {currency}."}
        )
    if len({rate.inclusive for rate in tax_rates}) > 1:
        raise ValidationError(
            {"tax_rates": "A line's tax rates must be all inclusive or all exclusive."}
        )
    if any(not rate.active for rate in tax_rates):
        raise ValidationError({"tax_rates": "Inactive tax rates cannot be added."})


def item_delete(*, item: InvoiceItem) -> None:
    """Delete a pending item or a line of a draft invoice, of a live customer."""
    check_live(item.customer)
    with transaction.atomic():
        # The invoice first, as every other change of a draft locks it.
        invoice = invoice_lock_draft(item.invoice) if item.invoice is not None else None
        locked = InvoiceItem.objects.select_for_update().filter(pk=item.pk).first()
        if locked is None:
            raise ValidationError("This item was already deleted.")
        if locked.invoice_id != (invoice.pk if invoice else None):
            raise ValidationError("This item was moved to an invoice meanwhile. Reload the page.")
        removed = _line(locked, locked.tax_rates.all())
        locked.tax_rates.clear()
        locked.delete()
        if invoice is None:
            _record_item("invoiceitem.deleted", item, {"item": removed})
        else:
            recompute(invoice)
            invoice.save()
            record_invoice(
                "invoice.updated",
                invoice,
                {"line_removed": removed, "currency": invoice.currency},
            )


def item_update(
    *, item: InvoiceItem, description: str | None = None, unit_amount: int | None = None,
    quantity: int | None = None, tax_rates: Iterable[TaxRate] | None = None,
    discountable: bool | None = None,
) -> InvoiceItem:  # fmt: skip
    """Change a pending item or a line of a draft; None leaves a field as it is."""
    check_live(item.customer)
    with transaction.atomic():
        # The invoice first, as every other change of a draft locks it.
        invoice = invoice_lock_draft(item.invoice) if item.invoice is not None else None
        locked = InvoiceItem.objects.select_for_update().filter(pk=item.pk).first()
        if locked is None:
            raise ValidationError("This item was deleted.")
        if locked.invoice_id != (invoice.pk if invoice else None):
            raise ValidationError("This item was moved to an invoice meanwhile. Reload the page.")
        # Rates already on the item are not checked again (one may have been deactivated).
        rates = None if tax_rates is None else list(tax_rates)
        before = _line(locked, locked.tax_rates.all())
        if description is not None:
            locked.description = description
        if unit_amount is not None:
            locked.unit_amount = unit_amount
        if quantity is not None:
            locked.quantity = quantity
        if discountable is not None:
            locked.discountable = discountable
        _check_item(
            unit_amount=locked.unit_amount,
            quantity=locked.quantity,
            currency=locked.currency,
            tax_rates=rates or [],
        )
        locked.amount = locked.quantity * locked.unit_amount
        locked.full_clean(exclude=["customer", "invoice"])
        locked.save()
        if rates is not None:
            locked.tax_rates.set(rates)
        if invoice is not None:
            recompute(invoice)
            check_total(invoice)
            invoice.save()
        after = _line(locked, locked.tax_rates.all() if rates is None else rates)
        labels = LINE_LABELS if invoice is not None else ITEM_LABELS
        if changes := activity.changes(before, after, labels, money=LINE_MONEY):
            data = {"description": locked.description, "changes": changes}
            if invoice is None:
                _record_item("invoiceitem.updated", locked, data)
            else:
                record_invoice("invoice.updated", invoice, {**data, "currency": invoice.currency})
    return locked


# A draft's line as its "invoice.updated" entries show it; amounts in the invoice's currency.
LINE_LABELS = {
    "description": "Line description",
    "quantity": "Line quantity",
    "unit_amount": "Line unit price",
    "amount": "Line amount",
    "discountable": "Line discountable",
    "tax_rates": "Line tax rates",
}
LINE_MONEY = {"unit_amount", "amount"}
# A pending item's, as its "invoiceitem.updated" entries show it.
ITEM_LABELS = {
    name: label.removeprefix("Line ").capitalize() for name, label in LINE_LABELS.items()
}


def _record_item(kind: str, item: InvoiceItem, data: dict[str, Any]) -> None:
    """The customer's entry for a change of its pending item; amounts in its currency."""
    activity.record(
        kind,
        customer=item.customer.public_id,
        object_id=item.public_id,
        data={**data, "currency": item.currency},
    )


def _line(item: InvoiceItem, rates: Iterable[TaxRate]) -> dict[str, Any]:
    return {
        "description": item.description,
        "quantity": item.quantity,
        "unit_amount": item.unit_amount,
        "amount": item.amount,
        "discountable": item.discountable,
        "tax_rates": sorted(
            f"{rate.display_name} {rate.percentage.normalize():f}%" for rate in rates
        ),
    }
