import json
from typing import cast

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join

from core.admin import ReadOnlyAdminMixin

from . import exports
from .models import Entry


class BoundedCountPaginator(Paginator):
    """Counts at most COUNT_LIMIT entries: the trail grows by millions, and the admin
    needs a count for its page links, not an exact one (searching narrows it)."""

    COUNT_LIMIT = 10_000

    @cached_property
    def count(self) -> int:
        entries = cast(QuerySet[Entry], self.object_list)
        return entries.order_by().values("pk")[: self.COUNT_LIMIT].count()


FIELDS = ("created", "kind", "customer", "invoice", "object_id", "actor", "user_account",
          "source", "changes", "data_json")  # fmt: skip


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The trail, for support: looked up by an exact ID or who did it, never changed."""

    list_display = ["created", "kind", "customer", "invoice", "object_id", "actor", "source"]
    list_filter = ["kind", "source"]
    # Read by get_search_results, exactly: each an index lookup.
    search_fields = ["=customer", "=invoice", "=object_id", "=actor"]
    search_help_text = (
        "An exact customer, invoice or object ID (cus_…, in_…, cn_…), or who: a username "
        "or an API key's name as shown."
    )
    show_full_result_count = False
    list_per_page = 50
    paginator = BoundedCountPaginator
    fields = readonly_fields = FIELDS
    actions = ["export_csv"]

    def get_search_results(self, request, queryset, search_term):
        """An ID by its prefix through its own index; anything else is who acted."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.startswith("cus_"):
            match = Q(customer=term)
        elif term.startswith("in_"):
            match = Q(invoice=term)
        elif " " not in term and "_" in term:
            match = Q(object_id=term) | Q(actor=term)
        else:
            match = Q(actor=term)
        return queryset.filter(match), False

    @admin.display(description="user ID")
    def user_account(self, entry: Entry) -> str:
        # The user may have been removed since (no constraint): their ID, not the row.
        return str(entry.user_id) if entry.user_id else "—"

    @admin.display(description="changes")
    def changes(self, entry: Entry) -> str:
        lines = exports.change_lines(entry.data if isinstance(entry.data, dict) else {})
        if not lines:
            return "—"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((line,) for line in lines))
        )

    @admin.display(description="data")
    def data_json(self, entry: Entry) -> str:
        text = json.dumps(entry.data, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html("<pre>{}</pre>", text)

    @admin.action(description="Export selected entries as CSV", permissions=["export"])
    def export_csv(self, request, queryset):
        return exports.entries_csv_response(queryset)

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm("activity.export_entry")
