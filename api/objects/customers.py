"""customer, tax_id and the deleted customer."""

from collections.abc import Collection
from typing import Any

from customers.models import Customer, TaxId

from .common import currency, list_object, or_none, timestamp

ADDRESS_PARTS = ("line1", "line2", "city", "state", "postal_code", "country")


def address(customer: Customer, prefix: str) -> dict[str, str | None] | None:
    parts = {part: or_none(getattr(customer, f"{prefix}{part}")) for part in ADDRESS_PARTS}
    return parts if any(parts.values()) else None


def customer_object(
    customer: Customer, *, balance: int = 0, expand: Collection[str] = ()
) -> dict[str, Any]:
    """`balance`: the customer's balance in its currency, in minor units (negative: credit),
    which the caller reads from the ledger."""
    shipping = None
    if customer.shipping_name:
        shipping = {
            "address": address(customer, "shipping_") or dict.fromkeys(ADDRESS_PARTS),
            "name": customer.shipping_name,
            "phone": or_none(customer.shipping_phone),
        }
    obj: dict[str, Any] = {
        "id": customer.public_id,
        "object": "customer",
        "address": address(customer, "address_"),
        "balance": balance,
        "created": timestamp(customer.created),
        "currency": currency(customer.default_currency),
        "default_source": None,
        "delinquent": False,
        "description": or_none(customer.description),
        "discount": None,
        "email": or_none(customer.email),
        "invoice_prefix": customer.invoice_prefix,
        "invoice_settings": {
            "custom_fields": customer.invoice_custom_fields or None,
            "default_payment_method": None,
            "footer": or_none(customer.invoice_footer),
            "rendering_options": (
                {"amount_tax_display": customer.invoice_amount_tax_display, "template": None}
                if customer.invoice_amount_tax_display
                else None
            ),
        },
        "livemode": False,
        "metadata": customer.metadata,
        "name": or_none(customer.name),
        "next_invoice_sequence": customer.next_invoice_sequence,
        "phone": or_none(customer.phone),
        "preferred_locales": customer.preferred_locales,
        "shipping": shipping,
        "tax_exempt": customer.tax_exempt,
        "test_clock": None,
    }
    if "tax_ids" in expand:
        tax_ids = [tax_id_object(tax_id, customer) for tax_id in customer.tax_ids.all()]
        obj["tax_ids"] = list_object(
            f"/v1/customers/{customer.public_id}/tax_ids", tax_ids, has_more=False
        )
    return obj


def deleted_customer_object(customer: Customer) -> dict[str, Any]:
    return {"id": customer.public_id, "object": "customer", "deleted": True}


def tax_id_object(tax_id: TaxId, customer: Customer) -> dict[str, Any]:
    return {
        "id": tax_id.public_id,
        "object": "tax_id",
        "country": _tax_id_country(tax_id),
        "created": timestamp(tax_id.created),
        "customer": customer.public_id,
        "livemode": False,
        "owner": {"customer": customer.public_id, "type": "customer"},
        "type": tax_id.type,
        "value": tax_id.value,
        "verification": {"status": "unavailable", "verified_address": None, "verified_name": None},
    }


def _tax_id_country(tax_id: TaxId) -> str | None:
    """The country of the tax ID: the type's prefix (au_abn: AU), or a European VAT
    number's own (DE123…); none for the EU-wide One Stop Shop number."""
    region = tax_id.type.split("_")[0]
    if tax_id.type == "eu_vat":
        return "GR" if tax_id.value[:2] == "EL" else tax_id.value[:2]
    return None if region == "eu" else region.upper()
