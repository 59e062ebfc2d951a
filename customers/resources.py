"""The customer columns for export (and, later, import), as a django-import-export resource."""

from import_export import fields, resources

from .models import Customer

COLUMNS = [
    "id", "name", "email", "description", "phone",
    "address_line1", "address_line2", "address_city", "address_state",
    "address_postal_code", "address_country",
    "shipping_name", "shipping_phone", "shipping_line1", "shipping_line2", "shipping_city",
    "shipping_state", "shipping_postal_code", "shipping_country",
    "preferred_locales", "default_currency", "tax_exempt", "payment_terms_days",
    "invoice_prefix", "next_invoice_sequence", "invoice_footer", "created",
]  # fmt: skip
METADATA_COLUMN = "metadata[{}]"


class CustomerResource(resources.ModelResource):
    id = fields.Field(attribute="public_id", column_name="id")
    preferred_locales = fields.Field(attribute="preferred_locales", column_name="preferred_locales")
    created = fields.Field(attribute="created", column_name="created")

    class Meta:
        model = Customer
        fields = COLUMNS
        export_order = COLUMNS

    def __init__(self, metadata_keys=()):
        super().__init__()
        self.metadata_keys = list(metadata_keys)
        for key in self.metadata_keys:
            column = METADATA_COLUMN.format(key)
            field = fields.Field(column_name=column, dehydrate_method=_metadata_getter(key))
            self.fields[column] = field

    def get_export_order(self):
        return [*COLUMNS, *(METADATA_COLUMN.format(k) for k in self.metadata_keys)]

    def dehydrate_preferred_locales(self, customer):
        return ",".join(customer.preferred_locales)

    def dehydrate_created(self, customer):
        return customer.created.isoformat(timespec="seconds")


def _metadata_getter(key):
    return lambda customer: customer.metadata.get(key, "")
