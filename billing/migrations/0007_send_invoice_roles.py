"""Billing staff may email invoices and credit notes (billing.send_invoice); everyone who
sees invoices sees what was emailed."""

from django.db import migrations

from core.db import grant_role_permissions

ROLES = {
    "Billing staff": ["send_invoice", "view_documentemail"],
    "Ops": ["view_documentemail"],
    "Support": ["view_documentemail"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, "billing", ROLES)


class Migration(migrations.Migration):
    dependencies = [("billing", "0006_document_email")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
