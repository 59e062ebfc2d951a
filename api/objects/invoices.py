"""invoice, its line_item and the deleted invoice. What an invoice says about its customer
and seller comes from the snapshots finalization froze (billing/snapshots.py); a draft's
from the customer as it is now, as its PDF does."""

from datetime import UTC, date, datetime, time
from typing import Any

from django.db.models import Prefetch

from billing import snapshots
from billing.models import Invoice, InvoiceItem

from .common import currency, list_object, or_none, timestamp
from .customers import ADDRESS_PARTS, address

LINES_SHOWN = 10  # the lines an invoice object carries; the rest via its lines URL
LINES_READ = LINES_SHOWN + 1  # one more says there are more (has_more)


def first_lines(lookup: str = "lines") -> Prefetch:
    """The prefetch of each invoice's first LINES_READ lines, in order, for a list."""
    lines = InvoiceItem.objects.order_by("created", "id")[:LINES_READ]
    return Prefetch(lookup, lines, to_attr="api_first_lines")


def invoice_object(
    invoice: Invoice,
    *,
    pdf_url: str,
    customer: dict[str, Any] | str | None = None,
    discounts_expanded: bool = False,
) -> dict[str, Any]:
    """`pdf_url`: the absolute address of GET /v1/invoices/{id}/pdf; `customer`: the
    expanded customer object, when asked for (else its ID); `discounts_expanded`: the
    discounts as objects (expand[]=discounts), else their IDs. A list prefetches `lines`
    (the first LINES_READ, in order: FIRST_LINES) and select_related its
    applied_balance_transaction."""
    buyer, seller = _parties(invoice)
    if hasattr(invoice, "api_first_lines"):
        lines = invoice.api_first_lines
    else:
        lines = list(invoice.lines.order_by("created", "id")[:LINES_READ])
    starting_balance, ending_balance = _balances(invoice)
    inclusive_tax = invoice.tax - invoice.exclusive_tax
    return {
        "id": invoice.public_id,
        "object": "invoice",
        "account_country": or_none(seller["address_country"]),
        "account_name": or_none(seller["name"]),
        "account_tax_ids": None,
        "amount_due": invoice.amount_due,
        "amount_overpaid": 0,
        "amount_paid": invoice.amount_paid,
        "amount_remaining": invoice.amount_remaining,
        "amount_shipping": 0,
        "application": None,
        "attempt_count": 0,
        "attempted": False,
        "auto_advance": False,  # nothing here finalizes or collects on its own
        "automatic_tax": {
            "enabled": False,
            "liability": None,
            "status": None,
            "disabled_reason": None,
            "provider": None,
        },  # fmt: skip
        "automatically_finalizes_at": None,
        "billing_reason": "manual",
        "collection_method": invoice.collection_method,
        "created": timestamp(invoice.created),
        "currency": currency(invoice.currency),
        "custom_fields": buyer["invoice_custom_fields"] or None,
        "customer": customer or invoice.customer.public_id,
        "customer_account": None,
        "customer_address": _customer_address(invoice, buyer),
        "customer_email": or_none(buyer["email"]),
        "customer_name": or_none(buyer["name"]),
        "customer_phone": or_none(buyer["phone"]),
        "customer_shipping": _customer_shipping(invoice, buyer),
        "customer_tax_exempt": buyer["tax_exempt"],
        "customer_tax_ids": [{"type": t["type"], "value": t["value"]} for t in buyer["tax_ids"]],
        "default_payment_method": None,
        "default_source": None,
        "default_tax_rates": [],
        "description": or_none(invoice.memo),
        "discounts": _discounts(invoice, discounts_expanded),
        "due_date": _date_timestamp(invoice.due_date),
        "effective_at": timestamp(invoice.finalized_at),
        "starting_balance": starting_balance,
        "ending_balance": ending_balance,
        "footer": or_none(invoice.footer),
        "from_invoice": None,
        "hosted_invoice_url": None,
        "invoice_pdf": pdf_url,
        "issuer": {"type": "self"},
        "last_finalization_error": None,
        "latest_revision": None,
        "lines": list_object(
            f"/v1/invoices/{invoice.public_id}/lines",
            (line_item_object(line, invoice) for line in lines[:LINES_SHOWN]),
            has_more=len(lines) > LINES_SHOWN,
        ),
        "livemode": False,
        "metadata": {},
        "next_payment_attempt": None,
        "number": invoice.number,
        "on_behalf_of": None,
        "parent": None,
        "payment_settings": {
            "default_mandate": None,
            "payment_method_options": None,
            "payment_method_types": None,
        },  # fmt: skip
        "period_end": timestamp(invoice.created),
        "period_start": timestamp(invoice.created),
        "post_payment_credit_notes_amount": invoice.post_payment_credit_notes_amount,
        "pre_payment_credit_notes_amount": invoice.pre_payment_credit_notes_amount,
        "receipt_number": None,
        "rendering": {
            "amount_tax_display": or_none(buyer["amount_tax_display"]),
            "pdf": {"page_size": None},
            "template": None,
            "template_version": None,
        },
        "shipping_cost": None,
        "shipping_details": None,
        "statement_descriptor": None,
        "status": invoice.status,
        "status_transitions": {
            "finalized_at": timestamp(invoice.finalized_at),
            "marked_uncollectible_at": timestamp(invoice.marked_uncollectible_at),
            "paid_at": timestamp(invoice.paid_at),
            "voided_at": timestamp(invoice.voided_at),
        },
        "subscription": None,
        "subtotal": invoice.subtotal,
        "subtotal_excluding_tax": invoice.subtotal - inclusive_tax,
        "tax": invoice.tax,
        "test_clock": None,
        "total": invoice.total,
        "total_discount_amounts": _discount_amounts(invoice, invoice.discount),
        "total_excluding_tax": invoice.total - invoice.tax,
        "total_pretax_credit_amounts": None,
        "total_taxes": [_tax(tax) for tax in invoice.tax_amounts],
        "webhooks_delivered_at": None,
    }


def line_item_object(line: InvoiceItem, invoice: Invoice) -> dict[str, Any]:
    """A line of the invoice: its invoice item (the same `ii_` ID)."""
    return {
        "id": line.public_id,
        "object": "line_item",
        "amount": line.amount,
        "currency": currency(line.currency),
        "description": line.description,
        "discount_amounts": _discount_amounts(invoice, line.discount_amount),
        "discountable": line.discountable,
        "discounts": [],
        "invoice": invoice.public_id,
        "livemode": False,
        "metadata": {},
        "parent": {
            "type": "invoice_item_details",
            "invoice_item_details": {
                "invoice_item": line.public_id,
                "proration": False,
                "proration_details": None,
                "subscription": None,
            },
            "subscription_item_details": None,
        },  # fmt: skip
        "period": {"start": timestamp(line.created), "end": timestamp(line.created)},
        "pretax_credit_amounts": None,
        "pricing": {"type": None, "unit_amount_decimal": str(line.unit_amount)},
        "quantity": line.quantity,
        "quantity_decimal": str(line.quantity),
        "subscription": None,
        "subtotal": line.amount,
        "taxes": [_tax(tax) for tax in line.tax_amounts],
    }


def deleted_invoice_object(public_id: str) -> dict[str, Any]:
    return {"id": public_id, "object": "invoice", "deleted": True}


def _parties(invoice: Invoice) -> tuple[snapshots.Snapshot, snapshots.Snapshot]:
    if invoice.is_draft:
        customer = invoice.customer
        return snapshots.customer_snapshot(customer), snapshots.seller_snapshot(
            customer.legal_entity
        )
    return invoice.customer_snapshot or {}, invoice.seller_snapshot or {}


def _customer_address(invoice: Invoice, buyer: snapshots.Snapshot) -> dict[str, Any] | None:
    """A draft's: the customer's address now. A finalized invoice's snapshot keeps the
    address as printed lines: the first is line1, the rest (postal code, city, state,
    country name) line2, and the country code its own."""
    if invoice.is_draft:
        return address(invoice.customer, "address_")
    lines = buyer.get("address") or []
    if not lines:
        return None
    parts: dict[str, Any] = dict.fromkeys(ADDRESS_PARTS)
    parts.update(line1=lines[0], line2=", ".join(lines[1:]) or None,
                 country=or_none(buyer.get("address_country", "")))  # fmt: skip
    return parts


def _customer_shipping(invoice: Invoice, buyer: snapshots.Snapshot) -> dict[str, Any] | None:
    if not buyer.get("shipping_name"):
        return None
    if invoice.is_draft:
        shipping_address = address(invoice.customer, "shipping_")
    else:
        lines = buyer.get("shipping_address") or []
        shipping_address = dict.fromkeys(ADDRESS_PARTS)
        shipping_address.update(line1=lines[0] if lines else None,
                                line2=", ".join(lines[1:]) or None)  # fmt: skip
    return {"address": shipping_address, "name": buyer["shipping_name"],
            "phone": or_none(buyer.get("shipping_phone", ""))}  # fmt: skip


def _balances(invoice: Invoice) -> tuple[int, int | None]:
    """Stripe's starting_balance and ending_balance: the customer's balance before and
    after finalization applied it. A draft: 0 and None, as Stripe's. Finalization applies
    a credit (up to the total) or an amount owed (in full) with the
    applied_balance_transaction; without one the balance was 0 and both are 0."""
    if invoice.is_draft:
        return 0, None
    applied = invoice.applied_balance_transaction
    if applied is None:
        return 0, 0
    return applied.ending_balance - applied.amount, applied.ending_balance


def discount_id(invoice: Invoice) -> str:
    """Our invoice's one discount (its coupon) has no row of its own: a stable ID made
    from the invoice's."""
    return "di_" + invoice.public_id.removeprefix("in_")


def _discounts(invoice: Invoice, expanded: bool) -> list[dict[str, Any]] | list[str]:
    """The coupon's discount: its ID, or the object when expanded."""
    if invoice.coupon is None:
        return []
    if not expanded:
        return [discount_id(invoice)]
    return [
        {
            "id": discount_id(invoice),
            "object": "discount",
            "checkout_session": None,
            "coupon": invoice.coupon.public_id,
            "customer": invoice.customer.public_id,
            "customer_account": None,
            "end": None,
            "invoice": invoice.public_id,
            "invoice_item": None,
            "promotion_code": None,
            "source": {"coupon": invoice.coupon.public_id, "type": "coupon"},
            "start": timestamp(invoice.created),
            "subscription": None,
            "subscription_item": None,
        }
    ]


def _discount_amounts(invoice: Invoice, amount: int) -> list[dict[str, Any]]:
    if invoice.coupon is None or not amount:
        return []
    return [{"amount": amount, "discount": discount_id(invoice)}]


def _tax(tax: dict[str, Any]) -> dict[str, Any]:
    """A tax amount as billing stores it ({"tax_rate", "inclusive", "amount", …})."""
    return {
        "amount": tax["amount"],
        "tax_behavior": "inclusive" if tax["inclusive"] else "exclusive",
        "tax_rate_details": {"tax_rate": tax["tax_rate"]},
        "taxability_reason": None,
        "taxable_amount": None,
        "type": "tax_rate_details",
    }


def _date_timestamp(day: date | None) -> int | None:
    """A due date (a day) as Stripe's timestamp: its start, in UTC."""
    return None if day is None else int(datetime.combine(day, time.min, tzinfo=UTC).timestamp())
