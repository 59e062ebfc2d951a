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
LABELS = {"default_tax_rates": "Default tax rates", "coupon": "Coupon"}


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
        # The rate first, so two changes of its customers take turns; FOR NO KEY UPDATE
        # lets a customer's own change (which key-shares the rate) through.
        TaxRate.objects.select_for_update(no_key=True).filter(pk=tax_rate.pk).first()
        # Every customer whose rates change, locked before its rates are read, as the
        # customer's own changes are; the rate's customers are read again until no other
        # change slipped one in between.
        locked: set[int] = set()
        current = _default_for(tax_rate)
        while missing := (wanted.keys() | current) - locked:
            list(Customer.objects.select_for_update().filter(pk__in=missing).order_by("pk"))
            locked |= missing
            current = _default_for(tax_rate)
        # Not set(): a customer given the rate on its own page since is left as it is.
        changed = list(Customer.objects.filter(pk__in=wanted.keys() ^ current).order_by("pk"))
        before = {customer.pk: _billing_defaults(customer) for customer in changed}
        tax_rate.default_for.remove(*(current - wanted.keys()))
        tax_rate.default_for.add(*(wanted.keys() - current))
        for customer in changed:
            _record(customer, before[customer.pk])


def _default_for(tax_rate: TaxRate) -> set[int]:
    return set(tax_rate.default_for.values_list("pk", flat=True))


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


def record_coupon_change(customer: Customer, old: Coupon | None, new: Coupon | None) -> None:
    """The entry for a customer's coupon taken or given back by one of its drafts (which
    holds the customer's lock): `old` and `new` are what the draft found and left."""
    before, after = {"coupon": old.name if old else ""}, {"coupon": new.name if new else ""}
    _record_changes(customer, activity.changes(before, after, LABELS))


def _record(customer: Customer, before: dict[str, Any]) -> None:
    _record_changes(customer, activity.changes(before, _billing_defaults(customer), LABELS))


def _record_changes(customer: Customer, changes: list[dict[str, Any]]) -> None:
    if changes:
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
