import uuid
from typing import cast

from django import forms

from core.forms import MetadataField, MoneyField, MoneyFormMixin, PlainLabelsMixin
from core.reference import currency_choices


def _signed(minor, adjustment_type):
    """A credit (you owe the customer) is negative in the ledger, a debit positive."""
    return -minor if adjustment_type == AdjustBalanceForm.CREDIT else minor


class AdjustBalanceForm(PlainLabelsMixin, MoneyFormMixin, forms.Form):
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
    amount = MoneyField()
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
            self.fields["amount"].currency = customer.default_currency

    def clean(self):
        """Adds `signed_amount` (minor units, negative for a credit) and sets `currency`
        to the balance's, chosen or the customer's."""
        data = super().clean()
        currency = self.money_currency("amount")
        if currency and "amount" in data:
            data["signed_amount"] = _signed(data["amount"], data.get("adjustment_type"))
            data["currency"] = currency
        return data


class TransactionDescriptionForm(PlainLabelsMixin, forms.Form):
    description = forms.CharField(required=False, max_length=350)
    metadata = MetadataField(required=False, help_text="One key=value a line.")


class StartingBalanceForm(PlainLabelsMixin, MoneyFormMixin, forms.Form):
    """An optional starting balance in the Add customer dialog (an `initial` transaction),
    in its own currency or else `customer_currency`, the one chosen for the customer."""

    adjustment_type = forms.ChoiceField(
        label="Balance type",
        choices=cast(forms.ChoiceField, AdjustBalanceForm.base_fields["adjustment_type"]).choices,
        widget=forms.RadioSelect,
        initial=AdjustBalanceForm.CREDIT,
        required=False,
    )
    amount = MoneyField(label="Starting balance", required=False, help_text="Leave blank for none.")
    currency = forms.ChoiceField(
        label="Balance currency",
        required=False,
        # No "customer's currency" option: the customer has none until the dialog's own
        # Currency is chosen. A blank choice still takes that one when it is (clean).
        choices=[("", "Choose a currency"), *currency_choices()],
    )

    def __init__(self, *args, customer_currency=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].currency = customer_currency

    def clean(self):
        """Adds `signed_amount`: minor units to open with (negative for a credit), None
        for no starting balance; `currency` is the balance's, chosen or the customer's."""
        data = super().clean()
        data["signed_amount"] = None
        currency = self.money_currency("amount")
        if data.get("amount") and not currency:
            self.add_error("currency", "Choose the balance currency: the customer has none.")
        elif data.get("amount"):
            data["signed_amount"] = _signed(data["amount"], data.get("adjustment_type"))
            data["currency"] = currency
        return data
