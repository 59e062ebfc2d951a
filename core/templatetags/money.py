from django import template

from core.money_format import format_money

register = template.Library()


@register.filter
def money(amount: int, currency: str) -> str:
    """Minor units as money for people: {{ balance.amount|money:balance.currency }}."""
    return format_money(amount, currency)


@register.filter
def money_abs(amount: int, currency: str) -> str:
    return format_money(abs(amount), currency)
