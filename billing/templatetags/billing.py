from django import template

register = template.Library()


@register.filter
def coupon_applies(coupon, currency):
    return coupon.applies_to(currency)


@register.inclusion_tag("billing/customer_billing.html#section", takes_context=True)
def billing_section(context, customer):
    """The pending items and invoices of a customer page, rendered by the billing app
    so the customers app needs no import of it."""
    from billing.views import section_context

    return {**section_context(customer), "perms": context["perms"], "request": context["request"]}
