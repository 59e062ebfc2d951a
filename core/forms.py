"""What every app's forms share."""

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError

from .money import MoneyError, parse_amount
from .validators import validate_metadata

# The mixins below go on forms: type-check them as one.
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class PlainLabelsMixin(_FormBase):
    """Labels without Django's trailing colon, as in the Dashboard."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def validation_messages(error: ValidationError) -> list[str]:
    """A service's ValidationError as a list of sentences for a form's top."""
    if isinstance(error, ValidationError) and hasattr(error, "message_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)


class MoneyField(forms.CharField):
    """An amount typed in major units (`12.50`), cleaned to minor units of its currency
    (1250 in USD) by MoneyFormMixin; a blank optional amount is 0.

    The currency is the form's field `currency_field` when the form has it and it is
    filled, else `currency`: set it in the form's __init__ when the form knows it (an
    invoice's, a customer's). A field is cleaned before the form's other fields, so the
    conversion waits until every field is clean."""

    def __init__(
        self, *, currency: str | None = None, currency_field: str = "currency", **kwargs: Any
    ) -> None:
        self.currency = currency
        self.currency_field = currency_field
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)


class MoneyFormMixin(_FormBase):
    """Turns the form's MoneyFields into minor units once every field is clean. An
    amount its currency refuses is an error on its own field, the input kept; an amount
    without any currency stays text, for the form to say which currency is missing.
    A form's own clean() calls super().clean() first and then sees minor units."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data is None:  # a clean() may return None: Django then keeps cleaned_data
            data = self.cleaned_data
        for name, field in self.fields.items():
            if not isinstance(field, MoneyField) or name not in data:
                continue
            currency = self.money_currency(name)
            if data[name] == "":
                data[name] = 0  # a blank optional amount
            elif currency:
                try:
                    data[name] = parse_amount(data[name], currency)
                except MoneyError as error:
                    self.add_error(name, str(error))
        return data

    def money_currency(self, name: str) -> str | None:
        """The currency of money field `name`: its form's currency field when filled,
        else the field's own; None when there is neither."""
        field = cast(MoneyField, self.fields[name])
        return self.cleaned_data.get(field.currency_field) or field.currency


class KeyValueLinesField(forms.CharField):
    """`key=value` pairs, one a line, parsed into a dict."""

    widget = forms.Textarea(attrs={"rows": 3, "spellcheck": "false"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return "\n".join(f"{k}={v}" for k, v in value.items())
        return value

    def to_python(self, value: Any) -> Any:
        # Any: a subclass may return another shape (a list of name/value pairs).
        pairs: dict[str, str] = {}
        for number, line in enumerate((value or "").splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, item = line.partition("=")
            key = key.strip()
            if not sep or not key:
                raise ValidationError(
                    "Line %(number)d: write each entry as key=value.", params={"number": number}
                )
            if key in pairs:
                raise ValidationError(
                    "Line %(number)d: the key “%(key)s” is already used above.",
                    params={"number": number, "key": key},
                )
            pairs[key] = item.strip()
        return pairs


class MetadataField(KeyValueLinesField):
    """As in Stripe, a key with an empty value is unset (left out)."""

    default_validators = [validate_metadata]

    def to_python(self, value: Any) -> Any:
        return {key: item for key, item in super().to_python(value).items() if item}
