"""Widgets of the list pages' filter forms (customers, balance transactions, invoices)."""

from collections.abc import Iterable
from functools import cache
from typing import Any

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@cache
def _option_tags(name: str, choices: Iterable[tuple[Any, Any]]) -> dict[Any, SafeString]:
    return {
        value: format_html('<option value="{}">{}</option>', value, label)
        for value, label in choices
        if value
    }


@register.simple_tag
def filter_select(bound_field: BoundField) -> SafeString:
    """A filter's <select>, its options built once: Django's widget templates take
    ~10 ms a render for 250 countries, on every page view."""
    options = _option_tags(bound_field.html_name, tuple(bound_field.field.choices))  # type: ignore[attr-defined]
    selected = bound_field.value() or ""
    tags = [
        # The tag is already escaped HTML; only the attribute is added.
        mark_safe(tag.replace("<option ", "<option selected ", 1)) if value == selected else tag
        for value, tag in options.items()
    ]
    return format_html(
        '<select name="{}" id="filter-{}"><option value="">Any</option>{}</select>',
        bound_field.html_name,
        bound_field.html_name,
        format_html_join("", "{}", ((tag,) for tag in tags)),
    )


# Query parameters that page or sort a list rather than filter it: no pill.
NOT_FILTERS = frozenset({"sort", "after", "before", "page"})


@register.inclusion_tag("_filter_pills.html", takes_context=True)
def filter_pills(context: template.Context, filterset: Any) -> dict[str, Any]:
    """The filters a list's URL applies, as pills ("Currency: USD ×") above its table:
    each × is a link to the same list without that filter (app.js clears the field
    instead, so the form and the table agree). A fragment also brings the "Filters (2)"
    count of the form's summary, out of band."""
    pills = _pills(context["request"], filterset)
    return {"pills": pills, "count": len(pills), "oob": context.get("is_fragment", False)}


@register.inclusion_tag("_filter_count.html", takes_context=True)
def filter_count(context: template.Context, filterset: Any) -> dict[str, Any]:
    """How many filters are applied, for the filter form's summary: "Filters (2)"."""
    return {"count": len(_pills(context["request"], filterset))}


def _pills(request: Any, filterset: Any) -> list[dict[str, Any]]:
    params = request.GET
    pills = []
    # A FilterSet may name what a value stands for (an ID by its customer's name).
    named = getattr(filterset, "pill_value", lambda name, value: None)
    for name, field in filterset.form.fields.items():
        value = params.get(name, "").strip()
        if name in NOT_FILTERS or not value:
            continue
        choices = dict(getattr(field, "choices", ()))
        rest = params.copy()
        for dropped in (name, "after", "before", "page"):
            rest.pop(dropped, None)
        query = rest.urlencode()
        pills.append(
            {
                "name": name,
                "label": field.label or name,
                "value": named(name, value) or _shown_choice(value, choices.get(value, value)),
                "url": f"{request.path}?{query}" if query else request.path,
            }
        )
    return pills


def _shown_choice(value: str, label: Any) -> str:
    """A choice as a pill shows it: a code list's 'USD – US Dollar' as 'USD'; other
    choices by their label ('Has credit balance', not 'credit')."""
    label = str(label)
    return value if label.startswith(f"{value} – ") else label
