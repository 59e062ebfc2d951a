"""/v1/coupons: create, retrieve and list coupons, created by billing.services.catalog
with the admin's rules. Our coupons last once or forever; the rest of Stripe's coupon
(months, redemption limits, chosen IDs) is refused rather than ignored."""

from typing import Any

from django.core.exceptions import ValidationError

from billing.models import Coupon, CouponDuration
from billing.services.catalog import coupon_create

from .. import errors
from ..errors import ApiError
from ..http import Call, from_validation_error, needs
from ..lists import list_page
from ..objects.items import coupon_object
from .tax_rates import decimal, not_kept

PARAMS = {name: name for name in ("name", "percent_off", "amount_off", "currency", "duration")}
NOT_KEPT = ("metadata", "duration_in_months", "max_redemptions", "redeem_by", "applies_to",
            "currency_options")  # fmt: skip
DURATIONS = [*CouponDuration.values, "repeating"]


def _id_is_ours(param: str) -> ApiError:
    return errors.invalid_parameter(
        param, "This server chooses coupon IDs (co_…): leave id out and use the one returned."
    )


@needs("billing.add_coupon")
def create(call: Call) -> dict[str, Any]:
    params = call.params
    params.refuse(["id"], _id_is_ours)
    params.refuse(NOT_KEPT, not_kept)
    name = params.string("name") or ""
    percent_off = decimal(params, "percent_off")
    amount_off = params.integer("amount_off")
    currency = (params.string("currency") or "").upper()
    duration = params.choice("duration", DURATIONS) or CouponDuration.ONCE
    params.expand()  # nothing of a coupon expands; accepted as the SDKs send it
    params.check_all_read()
    if duration == "repeating":
        raise errors.invalid_parameter(
            "duration", "Coupons here last once or forever: duration repeating is not supported."
        )
    try:
        coupon = coupon_create(
            name=name,
            percent_off=percent_off,
            amount_off=amount_off,
            currency=currency,
            duration=duration,
        )
    except ValidationError as error:
        raise from_validation_error(error, PARAMS) from None
    return coupon_object(coupon)


@needs("billing.view_coupon")
def retrieve(call: Call, id: str) -> dict[str, Any]:
    call.params.expand()
    call.params.check_all_read()
    coupon = Coupon.objects.filter(public_id=id).first()
    if coupon is None:
        raise errors.resource_missing("coupon", id)
    return coupon_object(coupon)


@needs("billing.view_coupon")
def list_(call: Call) -> dict[str, Any]:
    call.params.expand()
    return list_page(
        call.params, Coupon.objects.all(), url="/v1/coupons", kind="coupon", to_object=coupon_object
    )
