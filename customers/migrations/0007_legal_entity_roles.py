"""Legal entities: Billing staff manage them (in the admin); everyone sees them."""

from django.db import migrations

from core.db import grant_role_permissions

ROLES = {
    "Billing staff": ["view_legalentity", "add_legalentity", "change_legalentity",
                      "view_entitylogo"],
    "Ops": ["view_legalentity", "view_entitylogo"],
    "Support": ["view_legalentity", "view_entitylogo"],
}  # fmt: skip


def grant(apps, schema_editor):
    grant_role_permissions(apps, "customers", ROLES)


class Migration(migrations.Migration):
    dependencies = [("customers", "0006_legal_entity_required")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
