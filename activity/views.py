"""The Activity section of the customer and invoice pages, and the whole trail: one view
serves the page and the section's fragment (its groups and pages), one the CSV export.

Entries name customers and invoices by public ID and outlive them, so the scope is read
from the URL, not looked up: whoever may see customers (or invoices) sees their trail."""

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from core.htmx import export_refused, is_fragment
from core.pagination import Page

from . import exports
from .kinds import GROUPS, kinds_in_group
from .models import Entry

PAGE_SIZE = 20
# The permission that shows each scope's own page, beside activity.view_entry.
SCOPE_PERMISSIONS = {"customer": "customers.view_customer", "invoice": "billing.view_invoice"}
# The permission that shows each group's entries: what someone may not see in the app,
# the trail does not show either.
GROUP_PERMISSIONS = {
    "customer": "customers.view_customer",
    "balance": "ledger.view_balancetransaction",
    "invoice": "billing.view_invoice",
    "credit_note": "billing.view_creditnote",
    "email": "billing.view_documentemail",
    "import": "customers.view_customerimport",
    "api_key": "activity.view_entry",  # a name and a redacted key: nothing more to guard
}


class ActivityQuery(forms.Form):
    """What a section or export shows: a customer's or an invoice's entries (or all),
    of one group, and the keyset position (entry IDs: newer or older than one)."""

    customer = forms.RegexField(regex=r"^cus_[A-Za-z0-9]+\Z", max_length=40, required=False)
    invoice = forms.RegexField(regex=r"^in_[A-Za-z0-9]+\Z", max_length=40, required=False)
    group = forms.ChoiceField(required=False)
    after = forms.IntegerField(min_value=1, required=False)  # entries older than this one
    before = forms.IntegerField(min_value=1, required=False)  # entries newer than this one

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        self.groups = [group for group, perm in GROUP_PERMISSIONS.items() if user.has_perm(perm)]
        self.group_choices = [("", "All activity")] + [
            (group, GROUPS[group][0]) for group in self.groups
        ]
        cast(forms.ChoiceField, self.fields["group"]).choices = self.group_choices

    def required_permissions(self) -> list[str]:
        """Always activity.view_entry; with a scope, the permission to see what it is
        about, and without one (the whole trail holds every scope) all of them. Read
        before validation: a refusal does not wait for valid input."""
        scoped = [
            permission for field, permission in SCOPE_PERMISSIONS.items() if self.data.get(field)
        ]
        return ["activity.view_entry", *(scoped or SCOPE_PERMISSIONS.values())]

    def entries(self) -> QuerySet[Entry]:
        """The entries in scope and group, unordered: read through activity_customer or
        activity_invoice (both by -id) when scoped."""
        data = self.cleaned_data
        entries = Entry.objects.all()
        if data["customer"]:
            entries = entries.filter(customer=data["customer"])
        if data["invoice"]:
            entries = entries.filter(invoice=data["invoice"])
        if data["group"]:
            entries = entries.filter(kind__in=kinds_in_group(data["group"]))
        elif len(self.groups) < len(GROUPS):
            entries = entries.filter(
                kind__in=[kind for group in self.groups for kind in kinds_in_group(group)]
            )
        return entries

    def scope(self) -> dict[str, str]:
        """The scope and group only (no position): the query every page and the export
        of this section keep."""
        return {
            field: self.cleaned_data[field]
            for field in ("customer", "invoice", "group")
            if self.cleaned_data[field]
        }


def entry_page(entries: QuerySet[Entry], *, after: int | None, before: int | None) -> Page:
    """PAGE_SIZE entries newest first, older than `after` or newer than `before` (entry
    IDs): a keyset page, so no COUNT(*) and no OFFSET however long the trail."""
    if before:
        rows = list(entries.filter(id__gt=before).order_by("id")[: PAGE_SIZE + 1])
        more_newer = len(rows) > PAGE_SIZE
        items = rows[:PAGE_SIZE][::-1]
        has_older, has_newer = True, more_newer
    else:
        older = entries.filter(id__lt=after) if after else entries
        rows = list(older.order_by("-id")[: PAGE_SIZE + 1])
        items = rows[:PAGE_SIZE]
        has_older, has_newer = len(rows) > PAGE_SIZE, bool(after)
    return Page(
        items=items,
        next_after=str(items[-1].id) if items and has_older else None,
        previous_before=str(items[0].id) if items and has_newer else None,
    )


@dataclass(frozen=True)
class Section:
    """What templates/activity/list.html needs, for the page and for the inclusion tag."""

    customer: str
    invoice: str
    group: str
    query: str  # the scope and group, URL-encoded
    page: Page
    groups: list[tuple[str, str]]

    def context(self) -> dict[str, Any]:
        return {"section": self, "entries": self.page}


def section_for(query: ActivityQuery) -> Section:
    """The section a valid query shows."""
    data = query.cleaned_data
    encoded = QueryDict(mutable=True)
    encoded.update(query.scope())
    return Section(
        customer=data["customer"],
        invoice=data["invoice"],
        group=data["group"],
        query=encoded.urlencode(),
        page=entry_page(query.entries(), after=data["after"], before=data["before"]),
        groups=query.group_choices,
    )


def _checked_query(request: HttpRequest, *extra_permissions: str) -> ActivityQuery:
    query = ActivityQuery(request.GET, user=request.user)
    if not request.user.has_perms([*query.required_permissions(), *extra_permissions]):
        raise PermissionDenied
    return query


@login_required
@vary_on_headers("HX-Request")
def activity_list(request: HttpRequest) -> HttpResponse:
    """A customer's (?customer=cus_…), an invoice's (?invoice=in_…) or the whole trail,
    by group (?group=), a page at a time (?after= / ?before=): the section's fragment
    for htmx, a page of its own otherwise."""
    query = _checked_query(request)
    if not query.is_valid():
        return export_refused(request, "That is not a customer, invoice or group.")
    template = "activity/list.html"
    if is_fragment(request):
        template += "#entries"
    return render(request, template, section_for(query).context())


@login_required
def activity_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The entries the section shows (same scope and group, every page) as CSV."""
    query = _checked_query(request, "activity.export_entry")
    if not query.is_valid():
        return export_refused(request)
    scope = query.cleaned_data["customer"] or query.cleaned_data["invoice"]
    return exports.entries_csv_response(query.entries(), scope=scope)
