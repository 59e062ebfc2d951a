"""The activity app's raw SQL, in one place: the prepared INSERT an import's entries go
through. bulk_create cost an import of 100,000 customers about 4 s more than this (a
model instance an entry, and 110 rows a statement on SQLite's 999 parameters)."""

import operator
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connections
from django.utils import timezone

from .models import Entry

ENTRIES = Entry._meta.db_table
_FIELDS = [field for field in Entry._meta.concrete_fields if not field.primary_key]
_DATA = Entry._meta.get_field("data")
_CREATED = Entry._meta.get_field("created")
_ROW = operator.itemgetter(*(field.attname for field in _FIELDS))


def entries_insert(entries: Iterable[Mapping[str, Any]], using: str = "default") -> int:
    """INSERTs entries (made by activity.services.entry, all in one transaction: they are
    created now) with one prepared statement. Their fields are text and keys, given to
    the database driver as they are, but the data, prepared as save() prepares it."""
    db = connections[using]
    created = _CREATED.get_db_prep_save(timezone.now(), db)
    rows = [
        _ROW({**entry, "created": created, "data": _DATA.get_db_prep_save(entry["data"], db)})
        for entry in entries
    ]
    if rows:
        quote = db.ops.quote_name
        sql = (
            f"INSERT INTO {quote(ENTRIES)} ({', '.join(quote(f.column) for f in _FIELDS)}) "
            f"VALUES ({', '.join(['%s'] * len(_FIELDS))})"
        )
        with db.cursor() as cursor:
            cursor.executemany(sql, rows)
    return len(rows)
