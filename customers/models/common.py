"""What the customer and legal-entity models share: the live-customer condition,
field validators and the address lines both print."""

from collections.abc import Callable
from typing import Any

from django.core.validators import MaxLengthValidator, RegexValidator
from django.db.models import Q

from core.addresses import Address, address_lines
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


def address_parts(obj, prefix):
    """The address of a customer or legal entity whose fields start with `prefix`."""
    return Address(*(getattr(obj, prefix + part) for part in Address._fields))


def format_address(obj, prefix, locale="en"):
    """Its lines in the country's order (core/addresses.py), the country named in `locale`."""
    return address_lines(address_parts(obj, prefix), locale)
