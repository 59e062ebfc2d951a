"""Cleans each row of an import with the Add customer form's own fields and the model's
validators (one source of truth), without building a form per row: the form is made
once and each column's field cleans its cells.

A column repeats its values (countries, currencies, languages, terms), and cleaning is a
pure function of the cell's text, so each column remembers the outcome for the texts it
has seen: a 100,000-row file cleans each distinct country once, not 100,000 times.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.exports import FORMULA_PREFIXES
from core.validators import (
    validate_metadata,
    validate_single_line,
)

from ..field_cleaning import NOT_GIVEN, Cleaner, profile_field_cleaner
from ..forms import CustomerForm
from ..models import CustomerAlias
from ..resources import TAX_ID_SEPARATOR
from ..tax_ids import clean_tax_id_value
from .columns import Layout

REQUIRED_FOR_NEW = ("name", "email")
# Outcomes remembered per column; past this a column's cells are mostly distinct (names,
# emails), and remembering them would only cost memory.
REMEMBERED_PER_COLUMN = 4096
ALIAS_FIELD = CustomerAlias._meta.get_field("alias")
EARLIEST_CREATED = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
CREATED_AHEAD = datetime.timedelta(days=1)

# A cell's outcome: (clean value, None) or (None, error message).
Outcome = tuple[Any, str | None]


@dataclass(slots=True)
class Row:
    line: int
    reference: str  # the ID column: ours, or Stripe's in a Stripe export
    values: dict[str, Any]  # field name → clean value, for the columns given
    metadata: dict[str, str]  # key → value; "" unsets the key
    errors: list[tuple[str, str]]  # (column, message)
    failed: set[str]  # fields whose cell was given but invalid


class RowCleaner:
    def __init__(self, header: list[str], layout: Layout) -> None:
        form = CustomerForm()
        self.header = header
        self.width = len(header)
        self.reference_column = layout.id_column
        self.stripe = layout.stripe
        # Each column: (index, name or key, its cleaner, the outcomes it remembers).
        self.fields: list[tuple[int, str, Cleaner, dict[str, Outcome]]] = [
            (index, name, _field_cleaner(name, form.fields.get(name)), {})
            for index, name in layout.fields.items()
        ]
        self.metadata: list[tuple[int, str, Cleaner, dict[str, Outcome]]] = [
            (index, key, _metadata_cleaner(key), {}) for index, key in layout.metadata.items()
        ]

    def clean(self, line: int, cells: list[str]) -> Row:
        errors: list[tuple[str, str]] = []
        values: dict[str, Any] = {}
        metadata: dict[str, str] = {}
        failed: set[str] = set()
        if len(cells) < self.width:
            cells += [""] * (self.width - len(cells))
        elif len(cells) > self.width and "".join(cells[self.width :]).strip():
            errors.append(("", f"This row has {len(cells)} cells; the header names {self.width}."))
        for index, name, clean_cell, outcomes in self.fields:
            cell = cells[index]
            value, error = outcomes.get(cell) or _outcome(cell, clean_cell, outcomes)
            if error:
                errors.append((self.header[index], error))
                failed.add(name)
            elif value is not NOT_GIVEN:
                values[name] = value
        for index, key, clean_cell, outcomes in self.metadata:
            cell = cells[index]
            value, error = outcomes.get(cell) or _outcome(cell, clean_cell, outcomes)
            if error:
                errors.append(("metadata", error))
            metadata[key] = value
        reference = "" if self.reference_column is None else _text(cells[self.reference_column])
        if reference and self.stripe:  # kept as the customer's external ID
            try:
                ALIAS_FIELD.run_validators(reference)
            except ValidationError as error:
                errors.append(("id", " ".join(error.messages)))
        return Row(line, reference, values, metadata, errors, failed)


def _outcome(cell: str, clean_cell: Cleaner, outcomes: dict[str, Outcome]) -> Outcome:
    """(clean value, None) or (None, error message), remembered for the column."""
    try:
        outcome: Outcome = (clean_cell(_text(cell)), None)
    except ValidationError as error:
        outcome = (None, " ".join(error.messages))
    if len(outcomes) < REMEMBERED_PER_COLUMN:
        outcomes[cell] = outcome
    return outcome


def _field_cleaner(name: str, form_field: forms.Field | None) -> Cleaner:
    """The function that turns a cell of the `name` column into its clean value."""
    if name == "created":
        latest = timezone.now() + CREATED_AHEAD  # once a file
        return lambda text: parse_created(text, latest) if text else NOT_GIVEN
    if name == "tax_ids":
        return parse_tax_ids
    # Every other column is a profile field: the form's field and the model's validators.
    assert form_field is not None, name
    return profile_field_cleaner(name, form_field)


def _metadata_cleaner(key: str) -> Cleaner:
    def clean(text: str) -> str:
        validate_single_line(key)  # the header's key, so every row of the column is refused
        if text:
            validate_metadata({key: text})  # the key count is checked once merged
        return text

    return clean


def parse_tax_ids(text: str) -> tuple[tuple[str, str], ...]:
    """`eu_vat:FR40303265045; gb_vat:GB980780684` (as exported) into ((type, value), …),
    each pair checked as the customer page checks it. An empty cell is no tax IDs."""
    tax_ids: list[tuple[str, str]] = []
    for entry in filter(None, (part.strip() for part in text.split(TAX_ID_SEPARATOR))):
        tax_type, _, value = entry.partition(":")
        try:
            pair = (tax_type.strip(), clean_tax_id_value(tax_type.strip(), value))
        except ValidationError as error:
            raise ValidationError(f"{entry}: {' '.join(error.messages)} Write each as "
                                  "type:number, like eu_vat:FR40303265045, separated by "
                                  "semicolons.") from None  # fmt: skip
        if pair in tax_ids:
            raise ValidationError(f"{entry} is listed twice.")
        tax_ids.append(pair)
    return tuple(tax_ids)


def parse_created(text: str, latest: datetime.datetime) -> datetime.datetime:
    """ISO 8601 as we export it, or Stripe's `2024-05-01 13:45` (UTC), from 1970 (Unix
    time, Stripe's `created`) to `latest` (a day from now: a file written in local time,
    read as UTC). A customer was created then; and a date past Python's years 1-9999
    once in UTC stopped the import's writes ("date value out of range")."""
    try:
        value = parse_datetime(text.replace("/", "-"))
    except ValueError:
        value = None
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    if value is None or not EARLIEST_CREATED <= value <= latest:
        raise ValidationError(
            "Enter a date and time from 1970-01-01 to today, like 2024-05-01 13:45:00 (UTC)."
        )
    return value


def _text(cell: str) -> str:
    """The cell stripped and, since our exports write a formula-looking cell with a
    leading ' (see core.exports.neutralise), without that quote: an unedited export imports
    unchanged."""
    text = cell.strip()
    if text[:1] == "'" and text[1:2] in FORMULA_PREFIXES:
        return text[1:]
    return text
