"""What the customer and legal-entity models share: the live-customer condition,
field validators and the address lines both print."""

from collections.abc import Callable
from typing import Any

from django.core.validators import MaxLengthValidator, RegexValidator
from django.db.models import Q

from core.validators import validate_single_line

from .. import validators

LIVE = Q(deleted_at__isnull=True)

single_line = validate_single_line
# TextField's max_length only sizes the form widget; the validator enforces it.
multi_line_5000: list[Callable[[Any], None]] = [
    validators.validate_multi_line,
    MaxLengthValidator(5000),
]

phone_validator = RegexValidator(
    r"^\+?[0-9 ().\-]*$",
    "Enter a phone number with digits, spaces, brackets, dashes and an optional leading +.",
)


def format_address(obj, prefix):
    get = lambda part: getattr(obj, prefix + part)  # noqa: E731
    city_line = " ".join(p for p in (get("postal_code"), get("city"), get("state")) if p)
    lines = [get("line1"), get("line2"), city_line]
    if get("country"):
        from core.reference import countries

        lines.append(countries().get(get("country"), get("country")))
    return [line for line in lines if line]
