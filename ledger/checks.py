"""System checks for what the ledger needs of the database."""

from django.core import checks


@checks.register()
def check_trigger_columns(app_configs, **kwargs):
    from core.db import trigger_column_errors

    from .triggers import POSTGRES, _sqlite_triggers

    return trigger_column_errors(
        sqlite=_sqlite_triggers(), postgresql=POSTGRES, check_id="ledger.E001"
    )
