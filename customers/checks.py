"""System checks for what the customers app needs of the database."""

import sqlite3

from django.core import checks
from django.db import connections

SQLITE_MINIMUM = (3, 38)  # the JSON ->> operator (exports read metadata with it)


@checks.register(checks.Tags.database)
def check_sqlite_version(app_configs, databases=None, **kwargs):
    errors = []
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
def check_trigger_columns(app_configs, **kwargs):
    from core.db import trigger_column_errors

    from .triggers import POSTGRES, SQLITE

    return trigger_column_errors(sqlite=SQLITE, postgresql=POSTGRES, check_id="customers.E002")
