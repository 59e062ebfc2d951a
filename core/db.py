"""Database-specific SQL for migrations: triggers and indexes Django has no API for."""

from django.db import migrations


def run_sql_per_vendor(forward, backward):
    """A RunPython running the statements listed for the database's vendor
    ({"sqlite": [...], "postgresql": [...]})."""

    def runner(statements_by_vendor):
        def run(apps, schema_editor):
            for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
                schema_editor.execute(statement)

        return run

    return migrations.RunPython(runner(forward), runner(backward))


def install_triggers(connection, *, sqlite, postgresql):
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


def trigger_names(connection, table):
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


def grant_role_permissions(apps, app_label, roles):
    """Give each role (a Group, created if missing) the app's permissions listed for it.
    For data migrations: permissions are normally created only after migrate, so the
    app's are created first (create_permissions skips app configs without a models
    module, which is how a migration's historical registry looks)."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
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
