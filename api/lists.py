"""Stripe's list endpoints: `limit` (1–100, default 10), `starting_after` and
`ending_before` (an object's ID), newest first, answered by the keyset pagination the
pages use (core/pagination.py), so the millionth customer costs what the first does."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from core.pagination import paginate

from .errors import ApiError, resource_missing
from .objects.common import list_object
from .params import Params

DEFAULT_LIMIT, MAX_LIMIT = 10, 100


def list_page(
    params: Params,
    queryset: QuerySet[Any],
    *,
    url: str,
    kind: str,
    to_object: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """The list object of `queryset`'s page the parameters ask for; `kind` names the
    objects in an error ("No such customer: 'cus_…'")."""
    limit = params.integer("limit", min=1, max=MAX_LIMIT) or DEFAULT_LIMIT
    after, before = params.string("starting_after"), params.string("ending_before")
    if after and before:
        raise ApiError(
            "You may only specify one of these parameters: starting_after, ending_before.",
            param="ending_before",
        )
    for name, cursor in (("starting_after", after), ("ending_before", before)):
        if cursor and not queryset.filter(public_id=cursor).exists():
            raise resource_missing(kind, cursor, param=name)
    params.check_all_read()
    page = paginate(queryset, after=after or None, before=before or None, size=limit)
    has_more = page.previous_before is not None if before else page.next_after is not None
    return list_object(url, (to_object(item) for item in page.items), has_more)
