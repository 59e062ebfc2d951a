"""Coupons and tax rates, created with the rules the admin's forms apply (the model's
validation: a percent or an amount off, a currency for an amount, the percentage's
range and precision), for every caller: the admin could use these as the API does."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from core.money import MAX_MAJOR_UNITS, MoneyError, check_currency, max_typed_amount
from core.money_format import format_money

from ..models import Coupon, CouponDuration, TaxRate


def coupon_create(
    *, name: str = "", percent_off: Decimal | None = None, amount_off: int | None = None,
    currency: str = "", duration: str = CouponDuration.ONCE, active: bool = True,
) -> Coupon:  # fmt: skip
    """A coupon; without a name, one saying what it takes off ("25.5% off", "€5.00 off")."""
    if amount_off is not None and currency:
        try:
            check_currency(currency)
        except MoneyError as error:
            raise ValidationError({"currency": str(error)}) from None
        if amount_off > max_typed_amount(currency):
            raise ValidationError(
                {"amount_off": f"The amount off is at most {MAX_MAJOR_UNITS:,} {currency}."}
            )
    coupon = Coupon(
        name=name,
        percent_off=percent_off,
        amount_off=amount_off,
        currency=currency,
        duration=duration,
        active=active,
    )
    coupon.clean()  # the shape first: a name can't be made for a coupon without one
    if not coupon.name:
        coupon.name = _coupon_name(coupon)
    with transaction.atomic():
        coupon.full_clean()
        coupon.save()
    return coupon


def _coupon_name(coupon: Coupon) -> str:
    if coupon.percent_off is not None:
        return f"{coupon.percent_off.normalize():f}% off"
    return f"{format_money(coupon.amount_off or 0, coupon.currency)} off"


def tax_rate_create(
    *, display_name: str, percentage: Decimal, inclusive: bool = False, country: str = "",
    jurisdiction: str = "", active: bool = True,
) -> TaxRate:  # fmt: skip
    """A tax rate; its percentage and inclusiveness are fixed from now on."""
    rate = TaxRate(
        display_name=display_name,
        percentage=percentage,
        inclusive=inclusive,
        country=country,
        jurisdiction=jurisdiction,
        active=active,
    )
    with transaction.atomic():
        rate.full_clean()
        rate.save()
    return rate
