"""The Activity section, for the pages of the apps above (which import nothing from
here: they load the tag), and the filters its entries read with."""

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from .. import exports
from ..views import ActivityQuery, section_for

register = template.Library()

# The page of an object, by the prefix of its public ID: URL names, so no import of
# the apps that own them.
PAGES = {"cus_": "customers:detail", "in_": "billing:invoice", "cn_": "billing:credit_note"}

register.filter("plain", exports.plain)
register.filter("detail", exports.detail)
register.filter("changes_shown", exports.changes_shown)
register.filter("money_shown", exports.money_shown)


@register.inclusion_tag("activity/list.html#entries", takes_context=True)
def activity_section(
    context: template.Context, customer: str = "", invoice: str = ""
) -> dict[str, Any]:
    """{% activity_section customer=customer.public_id %}: that customer's Activity
    section (or an invoice's), or nothing for whoever may not see it."""
    query = ActivityQuery({"customer": customer, "invoice": invoice})
    request = context["request"]
    allowed = request.user.has_perms(query.required_permissions())
    # Never the whole trail on someone's page, whatever the page passes.
    if not (customer or invoice) or not allowed or not query.is_valid():
        return {"hidden": True}
    return {**section_for(query).context(), "perms": context["perms"], "request": request}


@register.filter
def object_url(public_id: str) -> str:
    """The page of the customer, invoice or credit note with that ID; "" if none."""
    for prefix, name in PAGES.items():
        if public_id.startswith(prefix):
            try:
                return reverse(name, args=[public_id])
            except NoReverseMatch:
                return ""
    return ""
