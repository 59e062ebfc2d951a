"""Keyset pagination, as the Stripe Dashboard pages: Previous and Next from a public
ID, so page 10,000 costs what page 1 costs (no OFFSET scans)."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.expressions import Combinable

PAGE_SIZE = 50
# (sort key expression, descending)
Order = tuple[Combinable, bool]
NEWEST_FIRST: Order = (F("created"), True)


@dataclass
class Page:
    items: list[Any]  # model instances with a public_id
    next_after: str | None  # the ID to pass as ?after= for the next page
    previous_before: str | None  # the ID to pass as ?before= for the previous page

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _order(descending: bool, reverse: bool) -> tuple[str, str]:
    down = descending != reverse
    return ("-sort_key" if down else "sort_key", "-pk" if down else "pk")


def _beyond(anchor: dict[str, Any], descending: bool) -> Q:
    """Rows after `anchor` in the direction given (key, then pk, both one way)."""
    key, pk = anchor["sort_key"], anchor["pk"]
    if descending:
        return Q(sort_key__lte=key) & (Q(sort_key__lt=key) | Q(pk__lt=pk))
    return Q(sort_key__gte=key) & (Q(sort_key__gt=key) | Q(pk__gt=pk))


def paginate(
    queryset: QuerySet[Any],
    *,
    order: Order = NEWEST_FIRST,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """The page of `queryset` in `order` (a key expression, descending or not; ties by
    primary key) after (or before) the row with that public ID."""
    expression, descending = order
    rows = queryset.alias(sort_key=expression)
    cursor, backwards = (before, True) if before else (after, False)
    anchor = None
    if cursor:
        anchor = (
            queryset.model.objects.filter(public_id=cursor)
            .annotate(sort_key=expression)
            .values("sort_key", "pk")
            .first()
        )
    if anchor:
        rows = rows.filter(_beyond(anchor, descending != backwards))
    else:
        backwards = False  # an unknown cursor starts at the beginning, either way
    items = list(rows.order_by(*_order(descending, backwards))[: size + 1])
    more = len(items) > size
    items = items[:size]
    if backwards:
        items.reverse()
    has_next = (more and not backwards) or (backwards and anchor is not None)
    has_previous = (more and backwards) or (not backwards and anchor is not None)
    return Page(
        items=items,
        next_after=items[-1].public_id if items and has_next else None,
        previous_before=items[0].public_id if items and has_previous else None,
    )
