"""The customer columns for export, as a django-import-export resource (the admin's export
uses it unchanged; the import reads the same columns: customers/imports/columns.py)."""

import csv
import datetime
import io

from django.db import connections
from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat, Replace, Substr
from import_export import fields, resources

from core.exports import neutralise

from . import sql
from .models import PROFILE_FIELDS, Customer

# Profile fields the export leaves out: metadata has a column per key (METADATA_COLUMN);
# the others are set on the customer's page only.
NOT_EXPORTED = {"metadata", "legal_entity", "invoice_custom_fields", "invoice_amount_tax_display"}


def _columns():
    columns = ["id", *(name for name in PROFILE_FIELDS if name not in NOT_EXPORTED), "created"]
    columns.insert(columns.index("tax_exempt") + 1, "tax_ids")
    return columns


COLUMNS = _columns()
METADATA_COLUMN = "metadata[{}]"
TAX_ID_SEPARATOR = ";"  # between `type:number` pairs in the tax_ids cell


class CustomerResource(resources.ModelResource):
    id = fields.Field(attribute="public_id", column_name="id")
    preferred_locales = fields.Field(attribute="preferred_locales", column_name="preferred_locales")
    created = fields.Field(attribute="created", column_name="created")
    tax_ids = fields.Field(column_name="tax_ids")

    class Meta:
        model = Customer
        fields = COLUMNS
        export_order = COLUMNS

    def __init__(self, metadata_keys=(), **kwargs):
        super().__init__(**kwargs)
        self.metadata_keys = list(metadata_keys)
        for key in self.metadata_keys:
            column = METADATA_COLUMN.format(key)
            field = fields.Field(column_name=column, dehydrate_method=_metadata_getter(key))
            self.fields[column] = field

    def get_export_order(self):
        return [*COLUMNS, *(METADATA_COLUMN.format(k) for k in self.metadata_keys)]

    def dehydrate_preferred_locales(self, customer):
        return ",".join(customer.preferred_locales)

    def dehydrate_tax_ids(self, customer):
        """`eu_vat:FR40303265045; gb_vat:GB980780684`, sorted (prefetch them)."""
        return _sorted_tax_ids(f"{t.type}:{t.value}" for t in customer.tax_ids.all())

    def dehydrate_created(self, customer):
        return _iso_datetime(customer.created)

    def export_resource(self, instance, selected_fields=None, **kwargs):
        return [neutralise(cell) for cell in super().export_resource(instance, selected_fields)]

    def csv_chunks(self, queryset, chunk_size=5000):
        """The export as CSV text: the header, then a chunk per `chunk_size` rows.

        Each row holds the cells export_resource() gives, but is read raw from a
        cursor and formatted here: building a model instance and running each
        field's widget costs ~200 µs a row, this ~10 µs, so a million rows stream
        in seconds. test_csv_matches_the_resource_row_by_row keeps them in step.
        """
        header = io.StringIO()
        csv.writer(header).writerow(self.get_export_headers())
        yield header.getvalue()

        commas = len(self.get_export_fields()) - 1
        # The database formats every cell as text, so each row arrives ready to join:
        # no JSON or datetime is parsed here, and no cell is touched unless it must.
        text = {
            "preferred_locales": _locales_text("preferred_locales"),
            "payment_terms_days": Cast("payment_terms_days", TextField()),
            "next_invoice_sequence": Cast("next_invoice_sequence", TextField()),
            "created": _iso_datetime_text("created"),
            "tax_ids": _tax_ids_text(connections[queryset.db].vendor),
        }
        cells = {
            f"cell_{name}": text.get(name, F("public_id" if name == "id" else name))
            for name in COLUMNS
        }
        cells |= {f"metadata_{i}": MetadataText(key) for i, key in enumerate(self.metadata_keys)}
        tax_ids_at = COLUMNS.index("tax_ids")
        rows = queryset.annotate(**cells).values_list(*cells)
        # A server-side cursor on PostgreSQL, so memory stays flat at any size.
        for records in sql.rows_in_chunks(rows, chunk_size):
            lines = []
            for record in records:
                if TAX_ID_SEPARATOR in record[tax_ids_at]:  # more than one
                    record = list(record)
                    pairs = record[tax_ids_at].split(f"{TAX_ID_SEPARATOR} ")
                    record[tax_ids_at] = _sorted_tax_ids(pairs)
                line = ",".join(record)
                if (
                    line.count(",") != commas
                    or '"' in line
                    or "\n" in line
                    or "\r" in line
                    or "\t" in line
                ):
                    # Some cell needs quoting: let the csv module write it.
                    line = _csv_line([neutralise(cell) for cell in record])
                else:
                    # No cell holds a comma, so each comma starts a cell (the
                    # first cell is the ID, never a formula).
                    for start, neutralised in _AFTER_COMMA:
                        if start in line:
                            line = line.replace(start, neutralised)
                lines.append(line)
            lines.append("")
            yield "\r\n".join(lines)


class MetadataText(Func):
    """The customer's metadata value for `key` as text, "" if it has none. Values are
    always strings, so the JSON ->> operator will do: Django's KeyTextTransform reads the
    JSON twice on SQLite to tell true and null from "true" and "null"."""

    output_field = TextField()

    def __init__(self, key):
        super().__init__(F("metadata"))
        self.key = key

    def as_sql(self, compiler, connection, **extra_context):
        metadata, params = compiler.compile(self.source_expressions[0])
        # SQLite takes a JSON path (keys cannot hold quotes); PostgreSQL the key itself.
        key = f'$."{self.key}"' if connection.vendor == "sqlite" else self.key
        return f"COALESCE({metadata} ->> %s, '')", (*params, key)


def _tax_ids_text(vendor):
    """The tax IDs as `type:value; …` in no set order (csv_chunks sorts them), by a
    subquery a customer: ~0.1 µs for the many customers without any, where ordering them
    in the subquery cost 5 % of the export."""
    tax_ids = sql.tax_ids_text(vendor, f"{TAX_ID_SEPARATOR} ")
    return Coalesce(tax_ids, Value(""), output_field=TextField())


def _sorted_tax_ids(pairs):
    return f"{TAX_ID_SEPARATOR} ".join(sorted(pairs))


def _locales_text(name):
    """["fr-CA", "en"] (JSON text) as fr-CA,en: tags hold no quotes, brackets or spaces."""
    expression = Cast(name, TextField())
    for char in '[]" ':
        expression = Replace(expression, Value(char), output_field=TextField())
    return expression


def _iso_datetime_text(name):
    """The database's UTC text `2024-05-01 13:45:00[.123456][+00]` as _iso_datetime() writes
    it: `2024-05-01T13:45:00+00:00`."""
    text = Cast(name, TextField())
    return Concat(Substr(text, 1, 10), Value("T"), Substr(text, 12, 8), Value("+00:00"),
                  output_field=TextField())  # fmt: skip


_AFTER_COMMA = [("," + char, ",'" + char) for char in "=+-@"]


def _csv_line(cells):
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()[:-2]  # less the \r\n the writer ends a row with


def _iso_datetime(value):
    """`created` as ISO 8601 to the second, in UTC."""
    return value.astimezone(datetime.UTC).isoformat(timespec="seconds")


def _metadata_getter(key):
    return lambda customer: customer.metadata.get(key, "")
