"""Small factories: real objects made through the services."""

import itertools

from django.contrib.auth.models import Group, User

from customers.services import customer_create

_numbers = itertools.count(1)


def make_user(role=None, **fields):
    number = next(_numbers)
    fields.setdefault("username", f"user{number}")
    user = User.objects.create_user(password="pw-for-tests-only", **fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_customer(*, tax_ids=(), contacts=(), aliases=(), **fields):
    number = next(_numbers)
    fields.setdefault("name", f"Customer {number}")
    fields.setdefault("email", f"customer{number}@example.com")
    return customer_create(fields=fields, tax_ids=tax_ids, contacts=contacts, aliases=aliases)


def profile_post_data(**overrides):
    """POST data for the customer dialog with empty tax ID, contact and alias rows."""
    data = {"name": "Ada Lovelace", "email": "ada@example.com", "tax_exempt": "none",
            "payment_terms_days": "30", "next_invoice_sequence": "1"}  # fmt: skip
    for prefix in ("tax_ids", "contacts", "aliases"):
        data[f"{prefix}-TOTAL_FORMS"] = "1"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    data["contacts-0-billing_emails"] = "on"  # the blank row's initial value
    data.update(overrides)
    return data


def adjust(customer, amount, currency="USD", **kwargs):
    from ledger.services import balance_adjust

    return balance_adjust(customer=customer, amount=amount, currency=currency, **kwargs)


def make_tax_rate(percentage="20", *, inclusive=False, display_name="VAT", **fields):
    from decimal import Decimal

    from billing.models import TaxRate

    return TaxRate.objects.create(
        display_name=display_name, percentage=Decimal(percentage), inclusive=inclusive, **fields
    )


def make_coupon(*, percent_off=None, amount_off=None, currency="", duration="once", **fields):
    from decimal import Decimal

    from billing.models import Coupon

    fields.setdefault("name", "Coupon")
    return Coupon.objects.create(
        percent_off=Decimal(percent_off) if percent_off is not None else None,
        amount_off=amount_off,
        currency=currency,
        duration=duration,
        **fields,
    )


def make_item(customer, unit_amount=1000, currency="USD", **fields):
    from billing.services import item_add

    fields.setdefault("description", "Consulting")
    return item_add(customer=customer, unit_amount=unit_amount, currency=currency, **fields)


def make_invoice(customer=None, *amounts, currency="USD", finalize=False, **fields):
    """A draft (or finalized) invoice with one line for each amount."""
    from billing.services import invoice_create, invoice_finalize

    customer = customer or make_customer()
    for amount in amounts:
        make_item(customer, amount, currency)
    invoice = invoice_create(customer=customer, currency=currency, **fields)
    return invoice_finalize(invoice=invoice) if finalize else invoice


def balance_of(customer, currency="USD"):
    """The customer's balance in `currency`, in minor units (0 before any transaction)."""
    from ledger.models import CustomerBalance

    row = CustomerBalance.objects.filter(customer=customer, currency=currency).first()
    return row.amount if row else 0
