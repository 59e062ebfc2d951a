"""Filters for the PDF templates (templates/billing/pdf/)."""

from django import template
from django.utils.html import format_html

from billing import documents, pdf
from billing.models import Invoice

register = template.Library()


@register.filter
def bdi(value: object) -> str:
    """A data value in its own <bdi>, isolated by Unicode's isolate characters as well
    (WeasyPrint ignores CSS `unicode-bidi`): "311 Market Street" stays in its order in an
    Arabic or Hebrew document, and a label beside it is not drawn into it."""
    text = documents.isolate(value)
    return format_html("<bdi>{}</bdi>", text) if text else ""


@register.simple_tag
def pdf_languages(invoice: Invoice) -> list[dict[str, str]]:
    """The Download PDF menu's languages for an invoice or its credit notes: the
    customer's first, then the rest by name."""
    return documents.language_menu(pdf.customer_languages(invoice))
