from django import template

from core.templatetags.money import money, money_abs
from ledger import selectors
from ledger.charts import balance_charts

register = template.Library()


# The money filters, for the templates that load this library.
register.filter(money)
register.filter(money_abs)


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
