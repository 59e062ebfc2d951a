"""Pieces every object uses."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any


def timestamp(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment is not None else None


def or_none(value: str) -> str | None:
    """Stripe says null where we keep an empty string."""
    return value or None


def currency(code: str) -> str | None:
    return code.lower() or None


def list_object(url: str, data: Iterable[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {"object": "list", "data": list(data), "has_more": has_more, "url": url}
