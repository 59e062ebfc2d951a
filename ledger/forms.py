import uuid

from django import forms

from core.forms import PlainLabelsMixin
from customers.forms import MetadataField
from customers.reference import currency_choices

from .money import MoneyError, parse_amount


class AdjustBalanceForm(PlainLabelsMixin, forms.Form):
    CREDIT, DEBIT = "credit", "debit"

    adjustment_type = forms.ChoiceField(
        choices=[
            (CREDIT, "Credit — you owe the customer"),
            (DEBIT, "Debit — the customer owes you"),
        ],
        widget=forms.RadioSelect,
        initial=CREDIT,
    )
    currency = forms.ChoiceField(choices=[("", "Choose a currency"), *currency_choices()])
    amount = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    internal_note = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only staff see this note.",
    )
    # One key per opened dialog: a double click or a resubmitted form posts once.
    idempotency_key = forms.RegexField(
        regex=r"^adjust-[0-9a-f-]{36}$", widget=forms.HiddenInput, max_length=100
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["idempotency_key"].initial = f"adjust-{uuid.uuid4()}"
        if customer.default_currency:
            # The customer's currency, as in the Dashboard: not offered as a choice.
            del self.fields["currency"]

    def clean(self):
        data = super().clean()
        currency = self.balance_currency
        if data.get("amount") and currency:
            try:
                minor = parse_amount(data["amount"], currency)
            except MoneyError as error:
                self.add_error("amount", str(error))
            else:
                data["signed_amount"] = (
                    -minor if data.get("adjustment_type") == self.CREDIT else minor
                )
        return data

    @property
    def balance_currency(self):
        if "currency" not in self.fields:
            return self.customer.default_currency
        return self.cleaned_data.get("currency")


class TransactionDescriptionForm(PlainLabelsMixin, forms.Form):
    description = forms.CharField(required=False, max_length=350)
    metadata = MetadataField(required=False, help_text="One key=value a line.")


class StartingBalanceForm(PlainLabelsMixin, forms.Form):
    """An optional starting balance in the Add customer dialog (an `initial` transaction)."""

    adjustment_type = forms.ChoiceField(
        label="Balance type",
        choices=AdjustBalanceForm.base_fields["adjustment_type"].choices,
        widget=forms.RadioSelect,
        initial=AdjustBalanceForm.CREDIT,
        required=False,
    )
    amount = forms.CharField(
        label="Starting balance",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text="Leave blank for none.",
    )
    currency = forms.ChoiceField(
        label="Balance currency",
        required=False,
        choices=[("", "The customer's currency"), *currency_choices()],
    )

    def signed_amount(self, default_currency):
        """(minor units, currency) to open with, None for no starting balance; adds
        errors to the form and returns None when the amount cannot be used."""
        text = self.cleaned_data.get("amount")
        if not text:
            return None
        currency = self.cleaned_data.get("currency") or default_currency
        if not currency:
            self.add_error("currency", "Choose the balance currency: the customer has none.")
            return None
        try:
            minor = parse_amount(text, currency)
        except MoneyError as error:
            self.add_error("amount", str(error))
            return None
        debit = self.cleaned_data.get("adjustment_type") == AdjustBalanceForm.DEBIT
        return (minor if debit else -minor), currency
