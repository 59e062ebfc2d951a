"""The three roles, as groups with their permissions."""

from django.db import migrations

from core.db import grant_role_permissions

ROLES = {
    "Billing staff": [
        "view_customer", "add_customer", "change_customer", "delete_customer",
        "view_taxid", "add_taxid", "change_taxid", "delete_taxid",
        "view_contact", "add_contact", "change_contact", "delete_contact",
        "view_customeralias", "add_customeralias", "change_customeralias",
        "delete_customeralias", "restore_customer",
    ],
    "Ops": ["view_customer", "view_taxid", "view_contact", "view_customeralias",
            "import_customer", "export_customer"],
    "Support": ["view_customer", "view_taxid", "view_contact", "view_customeralias",
                "restore_customer"],
}  # fmt: skip


def create_roles(apps, schema_editor):
    grant_role_permissions(apps, "customers", ROLES)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
