"""Imports: Billing staff and Ops import customers; everyone sees the import records."""

from django.db import migrations

from core.db import grant_role_permissions

ROLES = {
    "Billing staff": ["import_customer", "view_customerimport"],
    "Ops": ["view_customerimport"],
    "Support": ["view_customerimport"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, "customers", ROLES)


class Migration(migrations.Migration):
    dependencies = [("customers", "0008_customer_imports")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
