"""Stripe's list endpoints: `limit` (1–100, default 10), `starting_after` and
`ending_before` (an object's ID), newest first, answered by the keyset pagination the
pages use (core/pagination.py), so the millionth customer costs what the first does."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from core.pagination import paginate

from .errors import ApiError, resource_missing
from .objects.common import list_object
from .params import Params

DEFAULT_LIMIT, MAX_LIMIT = 10, 100


@dataclass(frozen=True)
class PageAsked:
    limit: int
    after: str | None
    before: str | None


def read_page(params: Params) -> PageAsked:
    """The page the parameters ask for; read with the view's other parameters, before
    check_all_read."""
    limit = params.integer("limit", min=1, max=MAX_LIMIT) or DEFAULT_LIMIT
    after, before = params.string("starting_after"), params.string("ending_before")
    return PageAsked(limit, after or None, before or None)


def page_of(
    asked: PageAsked,
    queryset: QuerySet[Any],
    *,
    url: str,
    kind: str,
    to_object: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """The list object of `queryset`'s page; `kind` names the objects in an error ("No
    such customer: 'cus_…'")."""
    if asked.after and asked.before:
        raise ApiError(
            "You may only specify one of these parameters: starting_after, ending_before.",
            param="ending_before",
        )
    for name, cursor in (("starting_after", asked.after), ("ending_before", asked.before)):
        if cursor and not queryset.filter(public_id=cursor).exists():
            raise resource_missing(kind, cursor, param=name)
    page = paginate(queryset, after=asked.after, before=asked.before, size=asked.limit)
    has_more = page.previous_before is not None if asked.before else page.next_after is not None
    return list_object(url, (to_object(item) for item in page.items), has_more)


def list_page(
    params: Params,
    queryset: QuerySet[Any],
    *,
    url: str,
    kind: str,
    to_object: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """read_page, check_all_read and page_of, for a view whose queryset needs no lookup
    first (a queryset is lazy: building it reads nothing)."""
    asked = read_page(params)
    params.check_all_read()
    return page_of(asked, queryset, url=url, kind=kind, to_object=to_object)
