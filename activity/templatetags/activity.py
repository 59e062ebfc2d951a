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
    request = context["request"]
    query = ActivityQuery({"customer": customer, "invoice": invoice}, user=request.user)
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


@register.simple_tag
def entry_links(entry: Any, section: Any) -> list[dict[str, Any]]:
    """What an entry names, as people know it, each linked to its page unless the section
    is that page's: its document by number (a draft by its ID), the invoice it concerns,
    and its customer (not on an invoice's section). IDs without a page (emails, balance
    transactions) are left out."""
    here = {section.customer, section.invoice} - {""}
    if section.invoice:  # the invoice's page names its customer already
        here.add(entry.customer)
    data = entry.data if isinstance(entry.data, dict) else {}
    document = entry.object_id if object_url(entry.object_id) else entry.invoice
    links = []
    if data.get("number"):
        url = object_url(document) if document not in here else ""
        links.append({"text": str(data["number"]), "url": url, "code": False})
    elif document and document not in here:
        links.append({"text": document, "url": object_url(document), "code": True})
    for related in (entry.invoice, entry.customer):
        if related and related != document and related not in here:
            links.append({"text": related, "url": object_url(related), "code": True})
    return links
