"""Field validators every app's models share, with messages a billing clerk understands."""

import re
from typing import Any

from django.core.exceptions import ValidationError

from . import reference

METADATA_MAX_KEYS = 50
METADATA_KEY_MAX = 40
METADATA_VALUE_MAX = 500

# C0 control characters and DEL; spreadsheets, PDFs and JSON in PostgreSQL refuse them.
CONTROL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAKS_RE = re.compile(r"[\t\n\r]")


def validate_single_line(value: str) -> None:
    if CONTROL_CHARACTERS_RE.search(value) or LINE_BREAKS_RE.search(value):
        raise ValidationError(
            "Remove the line breaks, tabs or invisible control characters.",
            code="control_characters",
        )


def validate_country(value: str) -> None:
    if value and value not in reference.countries():
        raise ValidationError(
            "“%(value)s” is not a country code. Use the two-letter ISO code, like US or FR.",
            code="invalid_country",
            params={"value": value},
        )


def validate_currency(value: str) -> None:
    if value and value not in reference.currencies():
        raise ValidationError(
            "“%(value)s” is not a currency we support. Use a three-letter ISO code, like USD.",
            code="invalid_currency",
            params={"value": value},
        )


def _validate_string_pairs(value: object, *, what: str) -> None:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValidationError(f"{what} must map text keys to text values.")


def validate_metadata(value: Any) -> None:
    # Any: a JSONField holds any JSON; the first check makes it a dict of strings.
    _validate_string_pairs(value, what="Metadata")
    if len(value) > METADATA_MAX_KEYS:
        raise ValidationError(
            f"Metadata can have at most {METADATA_MAX_KEYS} keys.", code="too_many_keys"
        )
    for key, item in value.items():
        if not key or len(key) > METADATA_KEY_MAX:
            raise ValidationError(
                "Metadata key “%(key)s” must be 1 to %(max)d characters.",
                code="key_length",
                params={"key": key[:50], "max": METADATA_KEY_MAX},
            )
        if any(char in key for char in '[]"\\'):
            raise ValidationError(
                "Metadata key “%(key)s” cannot contain square brackets, quotes or backslashes.",
                code="key_characters",
                params={"key": key},
            )
        validate_single_line(key)
        validate_single_line(item)
        if len(item) > METADATA_VALUE_MAX:
            raise ValidationError(
                "The value for metadata key “%(key)s” is longer than %(max)d characters.",
                code="value_length",
                params={"key": key, "max": METADATA_VALUE_MAX},
            )
