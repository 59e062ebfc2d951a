"""Ledger permissions for the roles: Billing staff adjust and reverse balances and edit
a transaction's description; everyone else may look."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Billing staff": ["view_balancetransaction", "add_balancetransaction",
                      "change_balancetransaction", "view_customerbalance"],
    "Ops": ["view_balancetransaction", "view_customerbalance"],
    "Support": ["view_balancetransaction", "view_customerbalance"],
}  # fmt: skip


def grant(apps, schema_editor):
    ledger = apps.get_app_config("ledger")
    models_module = getattr(ledger, "models_module", None)
    ledger.models_module = models_module or True
    create_permissions(ledger, apps=apps, verbosity=0)
    ledger.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLES.items():
        perms = Permission.objects.filter(content_type__app_label="ledger", codename__in=codenames)
        assert perms.count() == len(codenames), f"missing permissions for {role}"
        Group.objects.get(name=role).permissions.add(*perms)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial"), ("customers", "0002_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
