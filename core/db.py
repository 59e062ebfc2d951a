"""Database-specific SQL for migrations: triggers and indexes Django has no API for."""

import re
from collections.abc import Callable, Iterable, Mapping

from django.apps.registry import Apps
from django.core.checks import CheckMessage
from django.db import migrations
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# Statements listed per database vendor: {"sqlite": [...], "postgresql": [...]}.
StatementsByVendor = Mapping[str, Iterable[str]]


def run_sql_per_vendor(
    forward: StatementsByVendor, backward: StatementsByVendor
) -> migrations.RunPython:
    """A RunPython running the statements listed for the database's vendor
    ({"sqlite": [...], "postgresql": [...]})."""

    def runner(
        statements_by_vendor: StatementsByVendor,
    ) -> Callable[[Apps, BaseDatabaseSchemaEditor], None]:
        def run(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
            for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
                schema_editor.execute(statement)

        return run

    return migrations.RunPython(runner(forward), runner(backward))


def install_triggers(
    connection: BaseDatabaseWrapper, *, sqlite: Mapping[str, str], postgresql: Iterable[str]
) -> None:
    """(Re)create triggers: `sqlite` maps trigger names to the SQL after
    `CREATE TRIGGER <name>`; `postgresql` lists idempotent statements."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name, body in sqlite.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"CREATE TRIGGER {name} {body}")
        elif connection.vendor == "postgresql":
            for statement in postgresql:
                cursor.execute(statement)


def trigger_names(connection: BaseDatabaseWrapper, table: str) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
        return {row[0] for row in cursor.fetchall()}


def grant_role_permissions(apps: Apps, app_label: str, roles: Mapping[str, list[str]]) -> None:
    """Give each role (a Group, created if missing) the app's permissions listed for it.
    For data migrations: permissions are normally created only after migrate, so the
    app's are created first (create_permissions skips app configs without a models
    module, which is how a migration's historical registry looks)."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    models_module = getattr(app_config, "models_module", None)
    # create_permissions only asks whether the app has a models module.
    app_config.models_module = models_module or True  # type: ignore[assignment]
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in roles.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        if perms.count() != len(codenames):
            raise LookupError(f"Missing {app_label} permissions for {role}")
        group.permissions.add(*perms)


_ON_TABLE = re.compile(r"\bON\s+(\w+)", re.IGNORECASE)
_EXECUTES = re.compile(r"\bEXECUTE FUNCTION\s+(\w+)\(", re.IGNORECASE)
_FUNCTION = re.compile(r"\bFUNCTION\s+(\w+)\(\)\s+RETURNS trigger", re.IGNORECASE)
_ROW_COLUMN = re.compile(r"\b(?:new|old)\.\"?(\w+)\"?", re.IGNORECASE)
_UPDATE_OF = re.compile(r"\bUPDATE OF\s+([\w\s,\"]+?)\s+ON\b", re.IGNORECASE)


def _table_name(trigger: str) -> str:
    """The table after ON in a trigger's SQL: every trigger has one."""
    match = _ON_TABLE.search(trigger)
    if match is None:
        raise ValueError(f"A trigger without ON <table>: {trigger}")
    return match.group(1)


def trigger_column_errors(
    *, sqlite: Mapping[str, str], postgresql: Iterable[str], check_id: str
) -> list[CheckMessage]:
    """A system check's errors for each column a trigger names (NEW.x, OLD.x, UPDATE OF x)
    that its table's model does not have: SQLite and PL/pgSQL both accept such a trigger,
    and then every write to the table fails. Arguments as for install_triggers."""
    from django.apps import apps
    from django.core import checks

    bodies = [(_table_name(body), body) for body in sqlite.values()]
    functions = {m.group(1): sql for sql in postgresql if (m := _FUNCTION.search(sql))}
    for sql in postgresql:
        if (on := _ON_TABLE.search(sql)) and (executes := _EXECUTES.search(sql)):
            bodies.append((on.group(1), functions.get(executes.group(1), "")))
    models = {model._meta.db_table: model for model in apps.get_models()}
    errors: list[CheckMessage] = []
    for table, body in bodies:
        named = set(_ROW_COLUMN.findall(body))
        for listed in _UPDATE_OF.findall(body):
            named |= {column.strip(' "') for column in listed.split(",")}
        columns = {field.column for field in models[table]._meta.concrete_fields}
        errors += [
            checks.Error(
                f"A trigger on {table} names the column {column}, which the model lacks: "
                "every write to the table would fail. Update the trigger with the model.",
                id=check_id,
            )
            for column in sorted(named - columns)
        ]
    return errors
