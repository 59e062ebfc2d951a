from django.conf import settings
from django.db import migrations


def bill_everyone_under_the_default_entity(apps, schema_editor):
    LegalEntity = apps.get_model("customers", "LegalEntity")
    Customer = apps.get_model("customers", "Customer")
    entity = LegalEntity.objects.filter(is_default=True).first()
    if entity is None:
        entity = LegalEntity.objects.create(
            name=settings.BILLING_DEFAULT_ENTITY_NAME, is_default=True
        )
    Customer.objects.filter(legal_entity__isnull=True).update(legal_entity=entity)


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_legal_entities")]

    operations = [
        migrations.RunPython(bill_everyone_under_the_default_entity, migrations.RunPython.noop),
    ]
