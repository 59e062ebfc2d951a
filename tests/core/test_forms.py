"""Form parts every app uses: one money input, MoneyField, parses a typed amount into minor
units of its currency."""

from pathlib import Path

from django import forms

from core.forms import MoneyField, MoneyFormMixin


class PriceForm(MoneyFormMixin, forms.Form):
    currency = forms.ChoiceField(
        choices=[("", "None"), ("USD", "USD"), ("JPY", "JPY")], required=False
    )
    price = MoneyField()
    discount = MoneyField(required=False)

    def __init__(self, *args, fixed_currency=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("price", "discount"):
            self.fields[name].currency = fixed_currency


def test_amounts_become_minor_units_of_the_currency_field():
    form = PriceForm({"currency": "USD", "price": " 12.50 ", "discount": "0.05"})
    assert form.is_valid()
    assert (form.cleaned_data["price"], form.cleaned_data["discount"]) == (1250, 5)


def test_the_fields_own_currency_when_the_form_has_none_chosen():
    form = PriceForm({"price": "1235"}, fixed_currency="JPY")
    assert form.is_valid() and form.cleaned_data["price"] == 1235
    assert form.money_currency("price") == "JPY"


def test_a_blank_optional_amount_is_zero():
    form = PriceForm({"currency": "USD", "price": "1"})
    assert form.is_valid() and form.cleaned_data["discount"] == 0


def test_a_refused_amount_is_an_error_on_its_field_with_the_input_kept():
    form = PriceForm({"currency": "JPY", "price": "10.5"})
    assert not form.is_valid()
    assert form.errors == {"price": ["JPY has no minor unit: enter a whole amount."]}
    assert form["price"].value() == "10.5"


def test_without_any_currency_the_amount_is_left_for_the_form_to_explain():
    form = PriceForm({"price": "10"})
    assert form.is_valid() and form.cleaned_data["price"] == "10"
    assert form.money_currency("price") is None


def test_no_app_parses_typed_amounts_outside_the_money_field():
    root = Path(__file__).resolve().parents[2]
    parsing = [
        str(path.relative_to(root))
        for app in ("customers", "ledger", "billing")
        for path in (root / app).rglob("*.py")
        if "parse_amount" in path.read_text()
    ]
    assert parsing == []
