"""Validators only customers use, with messages a billing clerk understands. Those every
app shares (single line, country, currency, metadata) are in core/validators.py."""

import re

from django.core.exceptions import ValidationError

from core.validators import CONTROL_CHARACTERS_RE, validate_single_line

from . import reference

CUSTOM_FIELDS_MAX = 4
CUSTOM_FIELD_MAX = 30

INVOICE_PREFIX_RE = re.compile(r"[A-Z0-9]{3,12}")


def validate_multi_line(value: str) -> None:
    if CONTROL_CHARACTERS_RE.search(value):
        raise ValidationError("Remove the invisible control characters.", code="control_characters")


def validate_invoice_prefix(value: str) -> None:
    if value and not INVOICE_PREFIX_RE.fullmatch(value):
        raise ValidationError(
            "The invoice prefix must be 3 to 12 uppercase letters or digits, like ACME01.",
            code="invalid_invoice_prefix",
        )


def validate_preferred_locales(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise ValidationError("Preferred languages must be a list of language tags.")
    for tag in value:
        if tag not in reference.DOCUMENT_LANGUAGES:
            raise ValidationError(
                "“%(tag)s” is not a language we can write invoices in. Use a tag like en, fr-CA "
                "or pt-BR.",
                code="invalid_locale",
                params={"tag": tag},
            )
    if len(set(value)) != len(value):
        raise ValidationError("Each preferred language can be listed once.", code="duplicate")


def validate_custom_fields(value: object) -> None:
    if not isinstance(value, list) or not all(
        isinstance(f, dict) and set(f) == {"name", "value"} for f in value
    ):
        raise ValidationError("Custom fields must be a list of name and value pairs.")
    if len(value) > CUSTOM_FIELDS_MAX:
        raise ValidationError(
            f"An invoice can show at most {CUSTOM_FIELDS_MAX} custom fields.", code="too_many"
        )
    for field in value:
        for part in ("name", "value"):
            text = field[part]
            if not isinstance(text, str) or not text.strip() or len(text) > CUSTOM_FIELD_MAX:
                raise ValidationError(
                    "Each custom field needs a name and a value of 1 to %(max)d characters.",
                    code="custom_field_length",
                    params={"max": CUSTOM_FIELD_MAX},
                )
            validate_single_line(text)
