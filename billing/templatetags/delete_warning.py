"""The billing facts a customer's Delete confirmation warns of, rendered by the
billing app so the customers app needs no import of it (as the customer page's
sections)."""

from django import template

from ledger.money import format_money
from ledger.selectors import nonzero_balance_totals

from ..selectors import open_invoice_totals

register = template.Library()


@register.inclusion_tag("billing/_delete_warning.html")
def delete_warning(customers):
    """What stays open when `customers` (one, or a list) are deleted: their open
    invoices and their non-zero balances, summed per currency."""
    customers = list(customers) if isinstance(customers, list | tuple) else [customers]
    invoices = open_invoice_totals(customers)
    balances = nonzero_balance_totals(customers)
    for row in [*invoices, *balances]:
        row["money"] = format_money(row["amount"], row["currency"])
    return {
        "many": len(customers) > 1,
        "invoices": invoices,
        "invoice_count": sum(row["invoices"] for row in invoices),
        "credit": [row for row in balances if row["kind"] == "credit"],
        "owed": [row for row in balances if row["kind"] == "owed"],
    }
