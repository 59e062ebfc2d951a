from django import template

from ledger import selectors
from ledger.charts import balance_charts
from ledger.money import format_money

register = template.Library()


@register.filter
def money(amount, currency):
    """Minor units as money for people: {{ balance.amount|money:balance.currency }}."""
    return format_money(amount, currency)


@register.filter
def money_abs(amount, currency):
    return format_money(abs(amount), currency)


@register.inclusion_tag("ledger/credit_balance.html#section", takes_context=True)
def credit_balance_section(context, customer):
    """The Credit balance section of a customer page, rendered by the ledger app so
    the customers app needs no import of it."""
    filters, history = selectors.customer_history(customer)
    return {
        "customer": customer,
        "balances": selectors.customer_balances(customer),
        "balance_charts": balance_charts(customer),
        "filters": filters,
        "history": history,
        "query": "",
        "perms": context["perms"],
        "request": context["request"],
    }
