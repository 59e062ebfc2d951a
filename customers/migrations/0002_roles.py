"""The three roles, as groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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
    customers = apps.get_app_config("customers")
    # Permissions are normally created after migrate; make sure they exist now.
    # create_permissions skips app configs without a models module, which is how
    # the historical app registry of a migration looks.
    models_module = getattr(customers, "models_module", None)
    customers.models_module = models_module or True
    create_permissions(customers, apps=apps, verbosity=0)
    customers.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = Permission.objects.filter(
            content_type__app_label="customers", codename__in=codenames
        )
        assert perms.count() == len(codenames), f"missing permissions for {role}"
        group.permissions.add(*perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
