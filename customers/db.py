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
