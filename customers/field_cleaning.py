"""A customer profile field read from text, the same way for an import's cells and the
API's parameters: the Add customer form's field cleans it, then the model's validators the
form field does not run already. Codes (countries, currencies, invoice prefixes) are
uppercased first, and a blank value of a field the model fills in itself is NOT_GIVEN."""

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.db import models

from core.validators import validate_country, validate_currency

from .models import Customer
from .validators import validate_invoice_prefix

# A field one of these validates holds a code, written uppercase: `fr` is FR.
CODE_VALIDATORS = (validate_country, validate_currency, validate_invoice_prefix)
NOT_GIVEN = object()

# Text to its clean value, or ValidationError.
Cleaner = Callable[[str], Any]


def profile_field_cleaner(name: str, form_field: forms.Field) -> Cleaner:
    """The function that turns text into the clean value of the profile field `name`
    (`form_field`: the Add customer form's field of that name)."""
    model_field = cast("models.Field[Any, Any]", Customer._meta.get_field(name))
    blank_not_given = is_defaulted(model_field, form_field) or name == "email"  # refused later
    uppercase = is_code(model_field)
    # The model's validators the form field has not run already (both check an email).
    model_validators = [v for v in model_field.validators if v not in form_field.validators]

    def clean(text: str) -> Any:
        if uppercase:
            text = text.upper()
        if not text and blank_not_given:
            return NOT_GIVEN
        value = form_field.clean(text)
        if value not in model_field.empty_values:
            for validator in model_validators:
                validator(value)
        return value

    return clean


def is_defaulted(model_field: "models.Field[Any, Any]", form_field: forms.Field) -> bool:
    """Whether a blank value of the field means "not given": the field cannot be blank,
    but a new customer gets a value without it (the model's default, or the form's when
    it may be left out: a generated invoice prefix). An existing customer keeps its
    value."""
    return not model_field.blank and (model_field.has_default() or not form_field.required)


def is_code(model_field: "models.Field[Any, Any]") -> bool:
    return any(validator in CODE_VALIDATORS for validator in model_field.validators)
