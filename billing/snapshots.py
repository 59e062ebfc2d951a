"""What an issued document says about its customer and its seller, frozen at
finalization as plain JSON: later edits to either never change an issued invoice."""

from typing import Any

from core.addresses import Address, address_lines
from customers.models import Customer, LegalEntity, TaxId
from customers.models.common import address_parts
from customers.selectors import tax_id_rows

# A snapshot as stored: a JSON object.
Snapshot = dict[str, Any]

_TAX_ID_TYPES = dict(TaxId._meta.get_field("type").flatchoices)  # as get_type_display()


def customer_snapshot(customer: Customer) -> Snapshot:
    return {
        "id": customer.public_id,
        "name": customer.name,
        "email": customer.email,
        "phone": customer.phone,
        "address": customer.billing_address_lines,
        "address_parts": address_parts(customer, "address_")._asdict(),
        "address_country": customer.address_country,
        "shipping_name": customer.shipping_name,
        "shipping_phone": customer.shipping_phone,
        "shipping_address": customer.shipping_address_lines,
        "shipping_address_parts": address_parts(customer, "shipping_")._asdict(),
        "tax_ids": [
            {"type": kind, "type_display": _TAX_ID_TYPES.get(kind, kind), "value": value}
            for kind, value in tax_id_rows(customer)
        ],
        "tax_exempt": customer.tax_exempt,
        "preferred_locales": list(customer.preferred_locales),
        "invoice_custom_fields": list(customer.invoice_custom_fields),
        "amount_tax_display": customer.invoice_amount_tax_display,
    }


def seller_snapshot(entity: LegalEntity) -> Snapshot:
    return {
        "id": entity.pk,
        "name": entity.name,
        "address": entity.address_lines,
        "address_parts": address_parts(entity, "address_")._asdict(),
        "address_country": entity.address_country,
        "tax_id": entity.tax_id,
        "logo": entity.logo_id,  # an EntityLogo's SHA-256: logos are never changed
    }


def snapshot_address(snapshot: Snapshot, key: str, locale: Any) -> list[str]:
    """The snapshot's address `key` ("address", "shipping_address") as lines in its
    country's order, the country named in `locale`. Snapshots taken before the parts were
    kept have only the lines, with the country named in English."""
    parts = snapshot.get(f"{key}_parts")
    if parts is not None:
        return address_lines(Address(**parts), locale)
    return list(snapshot.get(key) or [])
