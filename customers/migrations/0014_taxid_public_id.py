"""Tax IDs get a public ID (txi_…), for the API: added empty, filled, then made unique."""

from django.db import migrations, models

import customers.models
from core.ids import new_public_ids


def fill(apps, schema_editor):
    TaxId = apps.get_model("customers", "TaxId")
    rows = list(TaxId.objects.filter(public_id=""))
    for row, public_id in zip(rows, new_public_ids("txi_", len(rows)), strict=True):
        row.public_id = public_id
    TaxId.objects.bulk_update(rows, ["public_id"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("customers", "0013_live_count_index")]

    operations = [
        migrations.AddField(
            model_name="taxid",
            name="public_id",
            field=models.CharField(default="", editable=False, max_length=40, verbose_name="ID"),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="taxid",
            name="public_id",
            field=models.CharField(
                default=customers.models.new_tax_id_id,
                editable=False,
                max_length=40,
                unique=True,
                verbose_name="ID",
            ),
        ),
    ]
