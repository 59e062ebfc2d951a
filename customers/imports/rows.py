"""Cleans each row of an import with the Add customer form's own fields and the model's
validators (one source of truth), without building a form per row: the form is made
once and each column's field cleans its cell, so a row costs microseconds, not the
milliseconds a bound ModelForm with its unique-field queries would."""

import datetime
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime

from ..forms import CustomerForm
from ..models import Customer
from ..resources import FORMULA_PREFIXES
from ..validators import validate_metadata, validate_single_line

# Blank cells in these columns mean "not given": a new customer gets the default, an
# existing one keeps its value (they cannot be blank).
DEFAULTED = {"tax_exempt", "payment_terms_days", "next_invoice_sequence", "invoice_prefix"}
REQUIRED_FOR_NEW = ("name", "email")
UPPERCASE = {"address_country", "shipping_country", "default_currency", "invoice_prefix"}


@dataclass(slots=True)
class Row:
    line: int
    reference: str  # the ID column: ours, or Stripe's in a Stripe export
    values: dict  # field name → clean value, for the columns given
    metadata: dict  # key → value; "" unsets the key
    errors: list  # (column, message)
    failed: set  # fields whose cell was given but invalid


class RowCleaner:
    def __init__(self, header, layout):
        form = CustomerForm()
        self.header = header
        self.layout = layout
        self.columns = [
            (index, name, form.fields[name], Customer._meta.get_field(name))
            for index, name in layout.fields.items()
            if name != "created"
        ]
        # A choice field checks a value by scanning its choices (250 countries); the
        # same choices as a set answer at once for the valid cells of every row.
        self.choices = {
            name: {str(key) for key, _ in field.choices if key != ""}
            for _, name, field, _ in self.columns
            if isinstance(field, forms.ChoiceField)
        }
        # The metadata keys come from the header: checked once, reported on every row.
        self.metadata_key_error = None
        try:
            for key in layout.metadata.values():
                validate_single_line(key)
        except ValidationError as error:
            self.metadata_key_error = error
        self.created_column = next((i for i, n in layout.fields.items() if n == "created"), None)

    def clean(self, line, cells):
        errors = []
        values = {}
        failed = set()
        width = len(self.header)
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            errors.append(("", f"This row has {len(cells)} cells; the header names {width}."))
        cell = lambda index: _unneutralised(cells[index].strip()) if index < len(cells) else ""  # noqa: E731
        for index, name, form_field, model_field in self.columns:
            raw = cell(index)
            if name in UPPERCASE:
                raw = raw.upper()
            if not raw and (name in DEFAULTED or name == "email"):
                continue  # a new customer without an email is refused when matching
            if name in self.choices and raw in self.choices[name]:
                values[name] = raw
                continue
            try:
                value = form_field.clean(raw)
                if value not in model_field.empty_values:
                    model_field.run_validators(value)
            except ValidationError as error:
                errors.append((self.header[index], " ".join(error.messages)))
                failed.add(name)
                continue
            values[name] = value
        if self.created_column is not None and (raw := cell(self.created_column)):
            try:
                values["created"] = parse_created(raw)
            except ValidationError as error:
                errors.append((self.header[self.created_column], error.messages[0]))
        metadata = {key: cell(index) for index, key in self.layout.metadata.items()}
        try:
            if self.metadata_key_error:
                raise self.metadata_key_error
            validate_metadata({k: v for k, v in metadata.items() if v})
        except ValidationError as error:
            errors.append(("metadata", " ".join(error.messages)))
        reference = cell(self.layout.id_column) if self.layout.id_column is not None else ""
        return Row(line, reference, values, metadata, errors, failed)


def parse_created(text):
    """ISO 8601 as we export it, or Stripe's `2024-05-01 13:45` (UTC)."""
    try:
        value = parse_datetime(text.replace("/", "-"))
    except ValueError:
        value = None
    if value is None:
        raise ValidationError("Enter a date and time like 2024-05-01 13:45:00 (UTC).")
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value


def _unneutralised(text):
    """Our exports write a formula-looking cell with a leading ' (see resources.neutralise);
    the value itself has none, so an unedited export imports unchanged."""
    if text[:1] == "'" and text[1:2] in FORMULA_PREFIXES:
        return text[1:]
    return text
