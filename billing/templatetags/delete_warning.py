"""The billing facts a customer's Delete confirmation warns of, rendered by the
billing app so the customers app needs no import of it (as the customer page's
sections)."""

from django import template

from core.money_format import format_money
from ledger.selectors import nonzero_balance_totals

from ..selectors import open_invoice_totals

register = template.Library()


@register.inclusion_tag("billing/_delete_warning.html", takes_context=True)
def delete_warning(context, customers):
    """What stays open when `customers` (one, or a list) are deleted: their open
    invoices and their non-zero balances, summed per currency; each only to a user
    who may see invoices or balance transactions (deleting does not grant it)."""
    customers = list(customers) if isinstance(customers, list | tuple) else [customers]
    user = context.get("user")
    sees = user.has_perm if user is not None else lambda permission: False
    invoices = open_invoice_totals(customers) if sees("billing.view_invoice") else []
    balances = nonzero_balance_totals(customers) if sees("ledger.view_balancetransaction") else []
    for row in [*invoices, *balances]:
        row["money"] = format_money(row["amount"], row["currency"])
    return {
        "many": len(customers) > 1,
        "invoices": invoices,
        "invoice_count": sum(row["invoices"] for row in invoices),
        "credit": [row for row in balances if row["kind"] == "credit"],
        "owed": [row for row in balances if row["kind"] == "owed"],
    }
