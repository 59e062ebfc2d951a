"""A customer's billing defaults: the tax rates for its lines without their own, and the
coupon its next invoices get. Set from the customer page, the API and the admin (by
customer, or by tax rate for many customers); each change is on the customer's activity."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from activity import services as activity
from customers.models import Customer

from ..models import Coupon, CustomerCoupon, TaxRate

MIXED_RATES = "Default tax rates must be all inclusive or all exclusive."


def customer_billing_defaults_set(
    *, customer: Customer, tax_rates: Iterable[TaxRate], coupon: Coupon | None
) -> None:
    rates = list(tax_rates)
    if len({rate.inclusive for rate in rates}) > 1:
        raise ValidationError({"tax_rates": MIXED_RATES})
    with transaction.atomic():
        before = _lock(customer)
        customer.default_tax_rates.set(rates)
        _set_coupon(customer, coupon)
        _record(customer, before)


def customer_coupon_set(*, customer: Customer, coupon: Coupon | None) -> None:
    """The coupon a customer's next invoices get; None takes it away."""
    with transaction.atomic():
        before = _lock(customer)
        _set_coupon(customer, coupon)
        _record(customer, before)


def tax_rate_default_for_set(*, tax_rate: TaxRate, customers: Iterable[Customer]) -> None:
    """The customers whose lines without their own tax rates are taxed at `tax_rate`."""
    wanted = {customer.pk: customer for customer in customers}
    check_default_for(inclusive=tax_rate.inclusive, customers=wanted.values(), tax_rate=tax_rate)
    with transaction.atomic():
        current = set(tax_rate.default_for.values_list("pk", flat=True))
        changed = sorted(
            [customer for pk, customer in wanted.items() if pk not in current]
            + list(Customer.objects.filter(pk__in=current - wanted.keys())),
            key=lambda customer: customer.pk,  # one lock order for every caller
        )
        before = {customer.pk: _lock(customer) for customer in changed}
        tax_rate.default_for.set(wanted.values())
        for customer in changed:
            _record(customer, before[customer.pk])


def check_default_for(
    *, inclusive: bool, customers: Iterable[Customer], tax_rate: TaxRate | None = None
) -> None:
    """Refuses making a rate a default for customers whose other defaults are taxed the
    other way (inclusive against exclusive), naming a few of them."""
    others = TaxRate.objects.filter(default_for__in=list(customers)).exclude(inclusive=inclusive)
    if tax_rate is not None and tax_rate.pk is not None:
        others = others.exclude(pk=tax_rate.pk)
    names = list(
        Customer.objects.filter(default_tax_rates__in=others)
        .order_by("name", "pk")
        .values_list("name", flat=True)
        .distinct()[:4]
    )
    if names:
        shown = ", ".join(name or "(no name)" for name in names[:3])
        more = " and others" if len(names) > 3 else ""
        kind = "exclusive" if inclusive else "inclusive"
        has = "has" if len(names) == 1 else "have"
        raise ValidationError(
            {"default_for": f"{MIXED_RATES} {shown}{more} already {has} {kind} default rates."}
        )


def _set_coupon(customer: Customer, coupon: Coupon | None) -> None:
    if coupon is None:
        CustomerCoupon.objects.filter(customer=customer).delete()
    else:
        CustomerCoupon.objects.update_or_create(customer=customer, defaults={"coupon": coupon})


def _lock(customer: Customer) -> dict[str, Any]:
    """A customer's billing defaults, read under the customer's row lock so that two
    changes at once each record what they found."""
    Customer.objects.select_for_update().get(pk=customer.pk)
    return _billing_defaults(customer)


def _record(customer: Customer, before: dict[str, Any]) -> None:
    labels = {"default_tax_rates": "Default tax rates", "coupon": "Coupon"}
    if changes := activity.changes(before, _billing_defaults(customer), labels):
        activity.record(
            "customer.updated",
            customer=customer.public_id,
            object_id=customer.public_id,
            data={"changes": changes},
        )


def _billing_defaults(customer: Customer) -> dict[str, Any]:
    """A customer's billing defaults as its "customer.updated" entries show them."""
    current = CustomerCoupon.objects.filter(customer=customer).select_related("coupon").first()
    return {
        "default_tax_rates": sorted(str(rate) for rate in customer.default_tax_rates.all()),
        "coupon": current.coupon.name if current else "",
    }
