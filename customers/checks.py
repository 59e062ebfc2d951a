"""System checks: what the customers app needs of the database, and that every list
of customer fields follows the model."""

import sqlite3
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.db import connections

SQLITE_MINIMUM = (3, 38)  # the JSON ->> operator (exports read metadata with it)


@checks.register(checks.Tags.database)
def check_sqlite_version(
    app_configs: Sequence[AppConfig] | None,
    databases: Sequence[str] | None = None,
    **kwargs: Any,
) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for alias in databases or ():
        if connections[alias].vendor == "sqlite" and sqlite3.sqlite_version_info < SQLITE_MINIMUM:
            errors.append(
                checks.Error(
                    f"SQLite {sqlite3.sqlite_version} is too old: the customer export needs "
                    f"{'.'.join(map(str, SQLITE_MINIMUM))} or later.",
                    id="customers.E001",
                )
            )
    return errors


@checks.register()
def check_trigger_columns(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    from core.db import trigger_column_errors

    from .triggers import POSTGRES, SQLITE

    return trigger_column_errors(sqlite=SQLITE, postgresql=POSTGRES, check_id="customers.E002")


@checks.register()
def check_profile_fields(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    from .forms import SECTIONS
    from .imports.columns import STRIPE_COLUMNS
    from .models import PROFILE_FIELDS
    from .resources import NOT_EXPORTED

    return profile_field_errors(
        PROFILE_FIELDS,
        sections=SECTIONS,
        named_elsewhere={"the export's NOT_EXPORTED": NOT_EXPORTED,
                         "the import's STRIPE_COLUMNS": {*STRIPE_COLUMNS.values()} - {"created"}},
    )  # fmt: skip


def profile_field_errors(
    profile_fields: Sequence[str],
    *,
    sections: Iterable[tuple[str, Sequence[str]]],
    named_elsewhere: Mapping[str, Collection[str]],
) -> list[checks.CheckMessage]:
    """A profile field the form's sections leave out is never rendered, so every edit
    would save it empty; a name that is no profile field is a leftover."""
    errors: list[checks.CheckMessage] = []
    placed = [name for _, names in sections for name in names]
    for name in profile_fields:
        if placed.count(name) != 1:
            where = "in no section" if name not in placed else "in more than one section"
            errors.append(
                checks.Error(
                    f"The customer field {name!r} is {where} of the customer form.",
                    hint="Add it to one section of customers.forms.SECTIONS "
                    "(docs/decisions.md, 'Adding a customer field').",
                    id="customers.E003",
                )
            )
    for place, names in {"the form's SECTIONS": placed, **named_elsewhere}.items():
        for name in sorted(set(names) - set(profile_fields)):
            errors.append(
                checks.Error(
                    f"{place} names {name!r}, which is no customer profile field.",
                    id="customers.E003",
                )
            )
    return errors
