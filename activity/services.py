"""The only way entries are written: inside the transaction of the change they record,
so a rolled-back change leaves none and a committed one always has its entry."""

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from . import sql
from .context import current_actor
from .models import Entry


def record(
    kind: str,
    *,
    customer: str = "",
    invoice: str = "",
    object_id: str = "",
    data: Mapping[str, Any] | None = None,
) -> Entry:
    """Record that `kind` happened to `object_id` (public IDs), by whoever is acting."""
    return Entry.objects.create(
        **entry(kind, customer=customer, invoice=invoice, object_id=object_id, data=data)
    )


def entry(
    kind: str,
    *,
    customer: str = "",
    invoice: str = "",
    object_id: str = "",
    data: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An entry's fields, for record_all."""
    return {
        "kind": kind,
        "customer": customer,
        "invoice": invoice,
        "object_id": object_id,
        "data": dict(data or {}),
        **current_actor().entry_fields(),
    }


def record_all(entries: Iterable[Mapping[str, Any]], using: str = "default") -> int:
    """Record many entries (made by `entry`) with one prepared INSERT: an import's."""
    return sql.entries_insert(entries, using)


def changes(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    labels: Mapping[str, str],
    *,
    money: Collection[str] = (),
) -> list[dict[str, Any]]:
    """The fields of `after` whose values differ from `before`, each with its label and
    old and new values: the "changes" of an "….updated" entry. Fields named in `money`
    hold minor units of the entry's "currency" and are shown as money."""
    return [
        {"field": name, "label": labels.get(name, name), "old": before.get(name), "new": value}
        | ({"money": True} if name in money else {})
        for name, value in after.items()
        if before.get(name) != value
    ]
