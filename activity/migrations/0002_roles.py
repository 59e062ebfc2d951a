"""Everyone who works on customers sees what happened to them; Ops and Support, who
answer "who changed this?", may also export it."""

from django.db import migrations

from core.db import grant_role_permissions

ROLES = {
    "Billing staff": ["view_entry"],
    "Ops": ["view_entry", "export_entry"],
    "Support": ["view_entry", "export_entry"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, "activity", ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
