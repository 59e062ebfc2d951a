"""invoiceitem, coupon and tax_rate (and the deleted invoice item). Subscriptions,
prices, redemption limits and automatic tax are not ours: their fields carry Stripe's
empty values."""

from decimal import Decimal
from typing import Any

from billing.models import Coupon, InvoiceItem, TaxRate

from .common import currency, or_none, timestamp


def number(value: Decimal) -> int | float:
    """A percentage as Stripe writes it: 19, 25.5 (a JSON number; the Decimal is exact)."""
    return int(value) if value == value.to_integral_value() else float(value)


def invoiceitem_object(item: InvoiceItem) -> dict[str, Any]:
    """`item` with its customer, invoice and tax rates loaded (select/prefetch_related)."""
    created = timestamp(item.created)
    return {
        "id": item.public_id,
        "object": "invoiceitem",
        "amount": item.amount,
        "currency": currency(item.currency),
        "customer": item.customer.public_id,
        "customer_account": None,
        "date": created,
        "description": item.description,
        "discountable": item.discountable,
        "discounts": [],
        "invoice": item.invoice.public_id if item.invoice else None,
        "livemode": False,
        "metadata": {},
        # What the line costs after its share of the invoice's coupon (0 while pending).
        "net_amount": item.amount - item.discount_amount,
        "parent": None,
        "period": {"start": created, "end": created},
        "price": None,
        "pricing": {
            "price_details": None,
            "type": "price_details",
            "unit_amount_decimal": str(item.unit_amount),
        },
        "proration": False,
        "quantity": item.quantity,
        "quantity_decimal": str(item.quantity),
        "subscription": None,
        "subscription_item": None,
        "tax_rates": [tax_rate_object(rate) for rate in item.tax_rates.all()],
        "test_clock": None,
        "unit_amount": item.unit_amount,
        "unit_amount_decimal": str(item.unit_amount),
    }


def deleted_invoiceitem_object(public_id: str) -> dict[str, Any]:
    return {"id": public_id, "object": "invoiceitem", "deleted": True}


def coupon_object(coupon: Coupon) -> dict[str, Any]:
    return {
        "id": coupon.public_id,
        "object": "coupon",
        "amount_off": coupon.amount_off,
        "created": timestamp(coupon.created),
        "currency": currency(coupon.currency),
        "duration": coupon.duration,
        "duration_in_months": None,
        "livemode": False,
        "max_redemptions": None,
        "metadata": {},
        "name": coupon.name,
        "percent_off": number(coupon.percent_off) if coupon.percent_off is not None else None,
        "redeem_by": None,
        "times_redeemed": 0,
        "valid": coupon.active,
    }


def tax_rate_object(rate: TaxRate) -> dict[str, Any]:
    return {
        "id": rate.public_id,
        "object": "tax_rate",
        "active": rate.active,
        "country": or_none(rate.country),
        "created": timestamp(rate.created),
        "description": None,
        "display_name": rate.display_name,
        "effective_percentage": None,
        "flat_amount": None,
        "inclusive": rate.inclusive,
        "jurisdiction": or_none(rate.jurisdiction),
        "jurisdiction_level": None,
        "livemode": False,
        "metadata": {},
        "percentage": number(rate.percentage),
        "rate_type": "percentage",
        "state": None,
        "tax_type": None,
    }
