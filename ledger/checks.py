"""System checks for what the ledger needs of the database."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks


@checks.register()
def check_trigger_columns(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    from core.db import trigger_column_errors

    from .triggers import POSTGRES, _sqlite_triggers

    return trigger_column_errors(
        sqlite=_sqlite_triggers(), postgresql=POSTGRES, check_id="ledger.E001"
    )
