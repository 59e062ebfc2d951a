import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models

from core.forms import MoneyField, MoneyFormMixin, PlainLabelsMixin
from core.reference import currency_choices
from customers.models import Customer

from .models import Coupon, CreditNoteReason, TaxRate
from .services.defaults import check_default_for


class TaxRatesField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=TaxRate.objects.filter(active=True),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            **kwargs,
        )


class ItemForm(PlainLabelsMixin, MoneyFormMixin, forms.Form):
    """A pending invoice item, or a line of a draft (whose currency is the invoice's)."""

    description = forms.CharField(max_length=500)
    quantity = forms.IntegerField(min_value=1, max_value=1_000_000, initial=1)
    unit_amount = MoneyField(label="Unit price")
    currency = forms.ChoiceField(choices=currency_choices())
    tax_rates = TaxRatesField(help_text="None: the customer's default tax rates apply.")
    discountable = forms.BooleanField(
        required=False, initial=True, help_text="Coupons apply to this item."
    )

    def __init__(self, *args, customer, currency=None, **kwargs):
        super().__init__(*args, **kwargs)
        if currency:
            del self.fields["currency"]
            self.fields["unit_amount"].currency = currency
        else:
            self.fields["currency"].initial = customer.default_currency or "USD"

    def clean(self):
        data = super().clean()
        data["currency"] = self.money_currency("unit_amount")
        return data


class InvoiceCreateForm(PlainLabelsMixin, forms.Form):
    currency = forms.ChoiceField()
    days_until_due = forms.IntegerField(
        label="Days until due",
        min_value=0,
        max_value=365,
        required=False,
        help_text="Blank: the customer's payment terms.",
    )
    memo = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, customer=None, currencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The customer's currency and the currencies of its pending items; for a customer
        # without either, a required choice of any currency (invoice_create refuses none).
        # Without a customer (the Invoices page: none picked yet, or one being added)
        # the choice may stay blank: invoice_create then takes the customer's currency,
        # or its only pending one, or refuses saying why.
        self.offered = list(dict.fromkeys(c for c in currencies if c))
        names = dict(currency_choices())
        currency = self.fields["currency"]
        if self.offered:
            currency.choices = [(code, names.get(code, code)) for code in self.offered]
            currency.initial = self.offered[0]
            currency.required = False  # blank (a page without JavaScript): the first
        else:
            currency.choices = [("", "Choose a currency"), *currency_choices()]
            currency.required = customer is not None
        if customer is not None:
            self.fields["days_until_due"].initial = customer.payment_terms_days
        if self.initial.get("currency") not in dict(currency.choices):
            self.initial.pop("currency", None)  # no longer offered: the first one instead

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"] or (self.offered[0] if self.offered else "")


def _customer_field(name: str) -> forms.Field | None:
    """The Customer model's own form field (its type, label and max_length), optional:
    the service validates the customer it creates."""
    field = Customer._meta.get_field(name)
    assert isinstance(field, models.Field), name
    return field.formfield(required=False)


class NewCustomerForm(PlainLabelsMixin, forms.Form):
    """A customer added in place while creating an invoice (the Invoices page)."""

    name = _customer_field("name")
    email = _customer_field("email")
    default_currency = forms.ChoiceField(
        label="Currency", choices=[("", "No default currency"), *currency_choices()], required=False
    )


class TaxRateAdminForm(forms.ModelForm):
    """The admin's tax rate form: its default customers must not then mix inclusive and
    exclusive default rates."""

    class Meta:
        model = TaxRate
        fields = ["display_name", "percentage", "inclusive", "country", "jurisdiction", "active",
                  "default_for"]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        inclusive = data.get("inclusive", self.instance.inclusive)  # fixed once created
        if data.get("default_for") is not None:
            try:
                check_default_for(
                    inclusive=inclusive, customers=data["default_for"], tax_rate=self.instance
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data


class CouponAdminForm(MoneyFormMixin, forms.ModelForm):
    """The admin's coupon form: the amount off typed in major units of the coupon's
    currency (5.00 USD is stored as 500), parsed as every amount staff type is."""

    amount_off = MoneyField(
        label="Amount off", required=False, help_text="In the coupon's currency, like 5.00."
    )

    class Meta:
        model = Coupon
        fields = ["name", "percent_off", "amount_off", "currency", "duration", "active"]

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    def clean(self) -> dict[str, Any]:
        if "amount_off" not in self.fields:  # fixed once the coupon exists
            return super().clean()
        typed = bool(str(self.data.get(self.add_prefix("amount_off"), "")).strip())
        data = super().clean()
        if not typed:
            data["amount_off"] = None  # a percent-off coupon has no amount (not 0)
        elif not isinstance(data.get("amount_off"), int):
            # Refused on its field, or not read for want of a currency: the model's check of
            # the coupon's shape (a percent or an amount; an amount needs a currency) must
            # still see that an amount was typed. The form is invalid: nothing is saved.
            data.pop("amount_off", None)
            self.instance.amount_off = 1
        return data


class InvoiceEditForm(PlainLabelsMixin, forms.Form):
    days_until_due = forms.IntegerField(label="Days until due", min_value=0, max_value=365)
    coupon = forms.ModelChoiceField(
        queryset=Coupon.objects.filter(active=True), required=False, empty_label="No coupon"
    )
    memo = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    footer = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CustomerBillingDefaultsForm(PlainLabelsMixin, forms.Form):
    tax_rates = TaxRatesField(label="Default tax rates", help_text="For items without tax rates.")
    coupon = forms.ModelChoiceField(
        queryset=Coupon.objects.filter(active=True), required=False, empty_label="No coupon"
    )


class CreditNoteForm(PlainLabelsMixin, MoneyFormMixin, forms.Form):
    LINES, AMOUNT = "lines", "amount"

    reason = forms.ChoiceField(
        choices=[("", "No reason"), *CreditNoteReason.choices], required=False
    )
    credit = forms.ChoiceField(
        label="Credit",
        choices=[(LINES, "Invoice lines"), (AMOUNT, "An amount")],
        widget=forms.RadioSelect,
        initial=AMOUNT,
    )
    amount = MoneyField(required=False)
    credit_amount = MoneyField(label="Credit to the customer's balance", required=False)
    refund_amount = MoneyField(label="Refunded", required=False)
    out_of_band_amount = MoneyField(label="Settled out of band", required=False)
    memo = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    # One key per opened dialog: a double click issues one credit note.
    idempotency_key = forms.RegexField(
        regex=r"^[0-9a-f-]{36}$", widget=forms.HiddenInput, max_length=36
    )

    def __init__(self, *args, invoice, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        self.lines = lines
        self.fields["idempotency_key"].initial = str(uuid.uuid4())
        for line in lines:
            self.fields[self.line_field(line)] = MoneyField(label=line.description, required=False)
        for field in self.fields.values():
            if isinstance(field, MoneyField):
                field.currency = invoice.currency  # every amount is in the invoice's

    @staticmethod
    def line_field(line):
        return f"line_{line.public_id}"

    def line_bound_fields(self):
        return [(line, self[self.line_field(line)]) for line in self.lines]

    def clean(self):
        data = super().clean()
        if (
            data.get("credit") == self.AMOUNT
            and not data.get("amount")
            and "amount" not in self.errors
        ):
            self.add_error("amount", "Enter the amount to credit.")
        return data

    def service_kwargs(self):
        data = self.cleaned_data
        kwargs = {
            "reason": data["reason"],
            "memo": data["memo"],
            "credit_amount": data["credit_amount"],
            "refund_amount": data["refund_amount"],
            "out_of_band_amount": data["out_of_band_amount"],
            "idempotency_key": data["idempotency_key"],
        }
        if data["credit"] == self.AMOUNT:
            kwargs["amount"] = data["amount"]
        else:
            kwargs["lines"] = [
                {"invoice_line": line, "amount": data[self.line_field(line)]} for line in self.lines
            ]
        return kwargs


# More CC addresses than this is a mailing list, not a copy of an invoice.
MAX_CC_ADDRESSES = 10


class SendEmailForm(PlainLabelsMixin, forms.Form):
    """The Send invoice / Send credit note dialog: who else gets a copy."""

    cc = forms.CharField(
        label="CC",
        required=False,
        max_length=2000,
        help_text="Addresses to copy, separated by commas.",
    )

    def clean_cc(self) -> list[str]:
        addresses = [part.strip() for part in self.cleaned_data["cc"].split(",") if part.strip()]
        bad = []
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                bad.append(address)
        if bad:
            raise ValidationError(f"Not an email address: {', '.join(bad)}.")
        if len(addresses) > MAX_CC_ADDRESSES:
            raise ValidationError(f"At most {MAX_CC_ADDRESSES} CC addresses.")
        return list(dict.fromkeys(addresses))
