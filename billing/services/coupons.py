"""The coupon of a draft invoice. A customer's once-only coupon discounts one invoice:
a draft takes it from the customer, gives it back if it is not issued with it, and
choosing it again on a draft takes it again. Each is on the customer's activity."""

from django.core.exceptions import ValidationError

from customers.models import Customer

from ..models import Coupon, CouponDuration, CustomerCoupon, Invoice
from .defaults import record_coupon_change


def take_customer_coupon(customer: Customer, currency: str) -> Coupon | None:
    """The customer's coupon for a new invoice; a once-only coupon is used up by it."""
    # The customer first, as a draft's changes and the customer's billing defaults lock
    # it: each change of its coupon records what the one before left.
    Customer.objects.select_for_update(no_key=True).filter(pk=customer.pk).first()
    held = (
        CustomerCoupon.objects.select_for_update(of=("self",))
        .select_related("coupon")
        .filter(customer=customer)
        .first()
    )
    if held is None or not held.coupon.active or not held.coupon.applies_to(currency):
        return None
    if held.coupon.duration == CouponDuration.ONCE:
        held.delete()
        record_coupon_change(customer, held.coupon, None)
    return held.coupon


def give_back_coupon(invoice: Invoice) -> None:
    """A draft that took the customer's once-only coupon and will not be issued with it
    returns it (unless the customer has been given another meanwhile)."""
    coupon = invoice.coupon
    if invoice.coupon_from_customer and coupon and coupon.duration == CouponDuration.ONCE:
        _, given = CustomerCoupon.objects.get_or_create(
            customer=invoice.customer, defaults={"coupon": coupon}
        )
        if given:
            record_coupon_change(invoice.customer, None, coupon)


def choose_coupon(invoice: Invoice, coupon: Coupon | None) -> None:
    """Put the coupon staff chose (or none) on a locked draft, giving back the one it
    took from the customer. A once-only coupon the customer holds is taken from it, so
    its next invoice does not get it too; one the customer's invoices already used is
    refused. (A once-only coupon the customer never had is the draft's alone.)"""
    if coupon is not None and not coupon.active:
        raise ValidationError({"coupon": "This coupon is no longer active."})
    give_back_coupon(invoice)
    invoice.coupon, invoice.coupon_from_customer = coupon, False
    if coupon is None or coupon.duration != CouponDuration.ONCE:
        return
    if coupon.applies_to(invoice.currency):
        # One DELETE: of two drafts choosing it at once, only one takes it.
        taken, _ = CustomerCoupon.objects.filter(
            customer_id=invoice.customer_id, coupon=coupon
        ).delete()
        if taken:
            invoice.coupon_from_customer = True
            record_coupon_change(invoice.customer, coupon, None)
            return
    used = (
        Invoice.objects.filter(
            customer_id=invoice.customer_id, coupon=coupon, coupon_from_customer=True
        )
        .exclude(pk=invoice.pk)
        .first()
    )
    if used is not None:
        where = f"invoice {used.number}" if used.number else "another draft of this customer"
        raise ValidationError(
            {
                "coupon": f"The once-only coupon “{coupon}” was already used on {where}. "
                "Give it to the customer again (Tax rates and coupon) to use it once more."
            }
        )
