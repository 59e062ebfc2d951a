"""/v1/tax_rates: create, retrieve and list tax rates, created by
billing.services.catalog with the admin's rules. Also the readers the coupon and invoice
item views share: an exact decimal, a parameter this server keeps no field for, a list
of tax rate IDs, and `expand` with what expanding needs."""

import re
from collections.abc import Collection, Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from billing.models import TaxRate
from billing.services.catalog import tax_rate_create

from .. import errors
from ..errors import ApiError
from ..http import Call, from_validation_error, needs, require
from ..lists import list_page
from ..objects.items import tax_rate_object
from ..params import Params

PARAMS = {name: name for name in ("display_name", "percentage", "inclusive", "country",
                                  "jurisdiction", "active")}  # fmt: skip
NOT_KEPT = ("description", "state", "tax_type", "metadata")
_DECIMAL = re.compile(r"[0-9]{1,20}(\.[0-9]{1,20})?")


def not_kept(param: str) -> ApiError:
    """Stripe's parameter for a field our records don't have: refused, not dropped."""
    return ApiError(
        f"The parameter {param} is not supported by this server: it keeps no such field.",
        param=param,
        code="parameter_not_supported",
    )


def decimal(params: Params, name: str, *, required: bool = False) -> Decimal | None:
    """A decimal sent as digits (25.5), parsed exactly: never through a float."""
    text = params.string(name, required=required)
    if text is None:
        return None
    if not _DECIMAL.fullmatch(text):
        raise errors.invalid_parameter(name, f"Invalid decimal: {text[:100]}")
    return Decimal(text)


def tax_rate_ids(
    params: Params, name: str = "tax_rates"
) -> tuple[list[str] | None, ApiError | None]:
    """The IDs in a tax_rates list ([] when sent empty: "" unsets; None: not sent), and the
    refusal of an empty ID, for the view to raise once every parameter is read."""
    ids = params.strings(name)
    refusal = None
    if ids is not None and not all(ids):
        refusal = errors.invalid_parameter(name, f"Invalid {name}: send tax rate IDs (txr_…).")
    return ids, refusal


# What expanding a reference shows beyond the view's own permission: the page showing it.
EXPAND_NEEDS = {
    "customer": "customers.view_customer",
    "customer_balance_transaction": "ledger.view_balancetransaction",
    "invoice": "billing.view_invoice",
}


def read_expand(
    params: Params, expandable: Collection[str], prefix: str = ""
) -> tuple[list[str], ApiError | None]:
    """The paths of `expand` (a list's under `prefix`, `data.`) and the refusal of one
    that cannot be expanded, for the view to raise once every parameter is read."""
    paths = [path.removeprefix(prefix) for path in params.expand()]
    refusal = None
    for path in paths:
        if path not in expandable and refusal is None:
            refusal = errors.invalid_parameter(
                "expand", f"This property cannot be expanded ({path})."
            )
    return paths, refusal


def check_expand(call: Call, paths: Collection[str], refusal: ApiError | None = None) -> None:
    """After check_all_read: raise the refusal found while reading, then 403 for an
    expanded reference the key may not see."""
    if refusal is not None:
        raise refusal
    for path in paths:
        if path in EXPAND_NEEDS:
            require(call, EXPAND_NEEDS[path])


def find_tax_rates(ids: Iterable[str], param: str = "tax_rates") -> list[TaxRate]:
    wanted = list(dict.fromkeys(ids))
    found = {rate.public_id: rate for rate in TaxRate.objects.filter(public_id__in=wanted)}
    for public_id in wanted:
        if public_id not in found:
            raise errors.resource_missing("tax_rate", public_id, param=param)
    return [found[public_id] for public_id in wanted]


@needs("billing.add_taxrate")
def create(call: Call) -> dict[str, Any]:
    params = call.params
    params.refuse(NOT_KEPT, not_kept)
    display_name = params.string("display_name", required=True) or ""
    percentage = decimal(params, "percentage", required=True)
    inclusive = params.boolean("inclusive")
    active = params.boolean("active")
    country = (params.string("country") or "").upper()
    jurisdiction = params.string("jurisdiction") or ""
    params.expand()  # nothing of a tax rate expands; accepted as the SDKs send it
    params.check_all_read()
    if inclusive is None:
        raise errors.missing_parameter("inclusive")
    try:
        rate = tax_rate_create(
            display_name=display_name,
            percentage=percentage or Decimal(0),
            inclusive=inclusive,
            country=country,
            jurisdiction=jurisdiction,
            active=True if active is None else active,
        )
    except ValidationError as error:
        raise from_validation_error(error, PARAMS) from None
    return tax_rate_object(rate)


@needs("billing.view_taxrate")
def retrieve(call: Call, id: str) -> dict[str, Any]:
    call.params.expand()
    call.params.check_all_read()
    rate = TaxRate.objects.filter(public_id=id).first()
    if rate is None:
        raise errors.resource_missing("tax_rate", id)
    return tax_rate_object(rate)


@needs("billing.view_taxrate")
def list_(call: Call) -> dict[str, Any]:
    params = call.params
    rates = TaxRate.objects.all()
    for name in ("active", "inclusive"):
        value = params.boolean(name)
        if value is not None:
            rates = rates.filter(**{name: value})
    params.expand()
    return list_page(params, rates, url="/v1/tax_rates", kind="tax_rate", to_object=tax_rate_object)
