"""Ledger permissions for the roles: Billing staff adjust and reverse balances and edit
a transaction's description; everyone else may look."""

from django.db import migrations

from core.db import grant_role_permissions

ROLES = {
    "Billing staff": ["view_balancetransaction", "add_balancetransaction",
                      "change_balancetransaction", "view_customerbalance",
                      "export_balancetransaction"],
    "Ops": ["view_balancetransaction", "view_customerbalance", "export_balancetransaction"],
    "Support": ["view_balancetransaction", "view_customerbalance"],
}  # fmt: skip


def grant(apps, schema_editor):
    grant_role_permissions(apps, "ledger", ROLES)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial"), ("customers", "0002_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
