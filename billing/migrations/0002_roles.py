"""Billing permissions for the roles: Billing staff act on invoices, items, credit
notes, tax rates and coupons; Ops and Support look (Ops also exports)."""

from django.db import migrations

from core.db import grant_role_permissions

VIEW = [
    "view_invoice",
    "view_invoiceitem",
    "view_creditnote",
    "view_creditnoteline",
    "view_taxrate",
    "view_coupon",
    "view_customercoupon",
]
ROLES = {
    "Billing staff": [*VIEW, "add_invoice", "change_invoice", "delete_invoice",
                      "add_invoiceitem", "delete_invoiceitem", "add_creditnote",
                      "change_creditnote", "add_taxrate", "change_taxrate", "add_coupon",
                      "change_coupon", "add_customercoupon", "change_customercoupon",
                      "delete_customercoupon", "export_invoice"],
    "Ops": [*VIEW, "export_invoice"],
    "Support": VIEW,
}  # fmt: skip


def grant(apps, schema_editor):
    grant_role_permissions(apps, "billing", ROLES)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial"), ("customers", "0007_legal_entity_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
