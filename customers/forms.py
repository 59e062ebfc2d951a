from django import forms
from django.core.exceptions import ValidationError

from core.forms import KeyValueLinesField, MetadataField, PlainLabelsMixin
from core.reference import country_choices, currency_choices

from . import reference
from .models import PROFILE_FIELDS, Customer, CustomerAlias, LegalEntity
from .tax_ids import clean_tax_id_value, tax_id_type_choices
from .validators import validate_custom_fields
from .widgets import KeyValueRowsWidget, LanguageRowsWidget


class LanguageListField(forms.CharField):
    """An ordered list of document languages: one menu a language (LanguageRowsWidget),
    or typed as `fr-CA, en`."""

    widget = LanguageRowsWidget

    def to_python(self, value):
        if isinstance(value, list | tuple):
            value = ",".join(value)
        tags = [t for t in (value or "").replace(";", ",").replace(" ", ",").split(",") if t]
        languages = []
        for tag in tags:
            known = reference.normalize_language_tag(tag)
            if known is None:
                raise ValidationError(
                    "“%(tag)s” is not a language we can write invoices in. Use tags like en, "
                    "fr-CA or pt-BR.",
                    params={"tag": tag},
                )
            if known not in languages:
                languages.append(known)
        return languages


class MetadataRowsField(MetadataField):
    """Metadata as rows of Key and Value (KeyValueRowsWidget), with the rules and
    messages of the key=value lines it replaces: a blank row is ignored, a key with an
    empty value is unset, a key is used once; then Stripe's limits (validate_metadata).
    Lines of key=value are still read, as before."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", KeyValueRowsWidget)
        super().__init__(**kwargs)

    def clean(self, value):
        # The widget marks only the row the error is about (its number, or its key).
        self.widget.error_row = None
        try:
            return super().clean(value)
        except ValidationError as error:
            if isinstance(value, list):
                self.widget.error_row = _row_in_error(value, error)
            raise

    def to_python(self, value):
        if not isinstance(value, list):
            return super().to_python(value)
        pairs: dict[str, str] = {}
        for number, (key, item) in enumerate(value, start=1):
            key, item = key.strip(), item.strip()
            if not key and not item:
                continue
            if not key:
                raise ValidationError(
                    "Row %(number)d: enter a key for the value “%(value)s”.",
                    params={"number": number, "value": item[:50]},
                )
            if key in pairs:
                raise ValidationError(
                    "Row %(number)d: the key “%(key)s” is already used above.",
                    params={"number": number, "key": key},
                )
            pairs[key] = item
        return {key: item for key, item in pairs.items() if item}


def _row_in_error(rows: list[tuple[str, str]], error: ValidationError) -> int | None:
    """The number of the row (counting from 1, as posted) an error names by number or by
    key; None for an error about them all (too many keys)."""
    for item in error.error_list:
        params = item.params or {}
        if "number" in params:
            return int(params["number"])
        if "key" in params:
            keys = [key.strip()[:50] for key, _ in rows]
            if params["key"][:50] in keys:
                return keys.index(params["key"][:50]) + 1
    return None


class CustomFieldsField(KeyValueLinesField):
    default_validators = [validate_custom_fields]

    def prepare_value(self, value):
        if isinstance(value, list):
            value = {f["name"]: f["value"] for f in value}
        return super().prepare_value(value)

    def to_python(self, value):
        return [{"name": k, "value": v} for k, v in super().to_python(value).items()]


def _optional_choices(choices, blank_label="—"):
    return [("", blank_label), *choices]


class CustomerForm(PlainLabelsMixin, forms.ModelForm):
    preferred_locales = LanguageListField(
        label="Languages",
        required=False,
        help_text="Invoice and credit-note languages in order of preference: the first "
        "is the one documents are written in.",
    )
    metadata = MetadataRowsField(
        required=False,
        help_text="Up to 50 keys, like internal_id = 4242. A key with no value is removed.",
    )
    invoice_custom_fields = CustomFieldsField(
        label="Custom fields", required=False, help_text="Up to 4 lines of name=value."
    )
    create_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Customer
        fields = PROFILE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "invoice_footer": forms.Textarea(attrs={"rows": 2}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["name"].error_messages["required"] = "Enter the customer's name."
        self.fields["email"].error_messages["required"] = "Enter the account email."
        self.fields["invoice_prefix"].required = False
        self.fields[
            "invoice_prefix"
        ].help_text = "3–12 uppercase letters or digits; blank to generate."
        countries = _optional_choices(country_choices())
        for name in ("address_country", "shipping_country"):
            self.fields[name] = forms.ChoiceField(
                label=self.fields[name].label, choices=countries, required=False
            )
        self.fields["default_currency"] = forms.ChoiceField(
            label="Currency",
            choices=_optional_choices(currency_choices(), "No default currency"),
            required=False,
        )
        entity = self.fields["legal_entity"]
        entity.required = False  # left out: the customer's own, or the default one
        entity.empty_label = None
        if not self.instance.legal_entity_id:
            entity.initial = LegalEntity.objects.default().pk

    def clean_legal_entity(self):
        entity = self.cleaned_data.get("legal_entity")
        if entity is None and self.instance.legal_entity_id:
            return self.instance.legal_entity
        return entity or LegalEntity.objects.default()

    def clean_invoice_prefix(self):
        return self.cleaned_data["invoice_prefix"].strip().upper()

    def clean_name(self):
        return self.cleaned_data["name"].strip()


class TaxIdForm(PlainLabelsMixin, forms.Form):
    type = forms.ChoiceField(choices=_optional_choices(tax_id_type_choices(), "Choose a type"))
    value = forms.CharField(label="Number", max_length=64)

    def clean(self):
        data = super().clean()
        if data.get("type") and data.get("value"):
            try:
                data["value"] = clean_tax_id_value(data["type"], data["value"])
            except ValidationError as error:
                self.add_error("value", error)
        return data


class ContactForm(PlainLabelsMixin, forms.Form):
    name = forms.CharField(label="Contact name", max_length=256)
    email = forms.EmailField(label="Contact email", max_length=512)
    billing_emails = forms.BooleanField(label="Billing", required=False, initial=True)
    update_emails = forms.BooleanField(label="Updates", required=False)
    legal_emails = forms.BooleanField(label="Legal", required=False)


class AliasForm(PlainLabelsMixin, forms.Form):
    alias = forms.CharField(label="External ID", max_length=255)

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer

    def clean_alias(self):
        alias = self.cleaned_data["alias"].strip()
        taken = CustomerAlias.objects.filter(alias=alias)
        if self.customer is not None:
            taken = taken.exclude(customer=self.customer)
        if taken.exists():
            raise ValidationError(
                "Another customer already has the external ID “%(alias)s”.", params={"alias": alias}
            )
        return alias


class _RowsFormSet(forms.BaseFormSet):
    """Rows left blank are ignored; rows ticked for removal are dropped."""

    def rows(self):
        return [
            {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for row in self.rows():
            key = tuple(sorted(row.items()))
            if key in seen:
                raise ValidationError("The same entry is listed twice.")
            seen.add(key)


TaxIdFormSet = forms.formset_factory(
    TaxIdForm, _RowsFormSet, extra=1, can_delete=True, max_num=25, validate_max=True
)
ContactFormSet = forms.formset_factory(
    ContactForm, _RowsFormSet, extra=1, can_delete=True, max_num=25, validate_max=True
)
AliasFormSet = forms.formset_factory(
    AliasForm, _RowsFormSet, extra=1, can_delete=True, max_num=25, validate_max=True
)


class CustomerProfileForms:
    """The customer form with its tax ID, contact and external ID rows, handled as one."""

    def __init__(self, data=None, *, customer=None):
        self.customer = customer
        initial = _related_rows(customer) if customer else {}
        self.form = CustomerForm(data, instance=customer)
        self.tax_ids = TaxIdFormSet(data, prefix="tax_ids", initial=initial.get("tax_ids"))
        self.contacts = ContactFormSet(data, prefix="contacts", initial=initial.get("contacts"))
        self.aliases = AliasFormSet(
            data,
            prefix="aliases",
            initial=initial.get("aliases"),
            form_kwargs={"customer": customer},
        )

    def sections(self):
        return form_sections(self.form)

    @property
    def formsets(self):
        return [self.tax_ids, self.contacts, self.aliases]

    def is_valid(self):
        return all([self.form.is_valid(), *(fs.is_valid() for fs in self.formsets)])

    def service_kwargs(self):
        fields = {k: v for k, v in self.form.cleaned_data.items() if k != "create_anyway"}
        return {
            "fields": fields,
            "tax_ids": self.tax_ids.rows(),
            "contacts": self.contacts.rows(),
            "aliases": [row["alias"] for row in self.aliases.rows()],
        }


def _related_rows(customer):
    return {
        "tax_ids": [{"type": t.type, "value": t.value} for t in customer.tax_ids.all()],
        "contacts": [
            {
                "name": c.name,
                "email": c.email,
                "billing_emails": c.billing_emails,
                "update_emails": c.update_emails,
                "legal_emails": c.legal_emails,
            }
            for c in customer.contacts.all()
        ],
        "aliases": [{"alias": a.alias} for a in customer.aliases.all()],
    }


class BulkDeleteForm(forms.Form):
    customer = forms.MultipleChoiceField(
        required=True, error_messages={"required": "Select at least one customer to delete."}
    )
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.queryset = queryset
        # Accept any ID; unknown or already deleted ones are dropped in clean.
        self.fields["customer"].valid_value = lambda value: True

    def clean_customer(self):
        ids = self.cleaned_data["customer"]
        customers = list(self.queryset.filter(public_id__in=ids[:1000]))
        if not customers:
            raise ValidationError("None of the selected customers exist any more.")
        return customers


SECTIONS = [
    ("Account information", ["name", "email", "description", "phone"]),
    ("Billing address", ["address_line1", "address_line2", "address_city", "address_state",
                         "address_postal_code", "address_country"]),
    ("Shipping", ["shipping_name", "shipping_phone", "shipping_line1", "shipping_line2",
                  "shipping_city", "shipping_state", "shipping_postal_code", "shipping_country"]),
    ("Language, currency and tax", ["preferred_locales", "default_currency", "tax_exempt",
                                    "payment_terms_days"]),
    ("Invoice settings", ["legal_entity", "invoice_prefix", "next_invoice_sequence",
                          "invoice_footer", "invoice_custom_fields",
                          "invoice_amount_tax_display"]),
    ("Metadata", ["metadata"]),
]  # fmt: skip


def form_sections(form):
    """(title, bound fields, has errors) for each section of the customer form."""
    for title, names in SECTIONS:
        fields = [form[name] for name in names]
        yield title, fields, any(field.errors for field in fields)


class ImportUploadForm(PlainLabelsMixin, forms.Form):
    file = forms.FileField(
        label="CSV or XLSX file",
        help_text="Our customer export's columns, or a Stripe customer export. "
        "Rows with an ID update that customer; the others add new customers.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    match_by_email = forms.BooleanField(
        label="Match customers by email",
        required=False,
        help_text="A row without an ID updates the customer with its account email.",
    )

    def clean_file(self):
        from .imports.reader import MAX_BYTES

        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(
                "The file is %(size)d MB; files up to %(max)d MB can be imported.",
                params={"size": upload.size // 2**20, "max": MAX_BYTES // 2**20},
            )
        return upload


class ImportConfirmForm(PlainLabelsMixin, forms.Form):
    valid_rows_only = forms.BooleanField(
        label="Import the valid rows only",
        required=False,
        # app.js enables the Import button while this is ticked (it starts disabled).
        widget=forms.CheckboxInput(attrs={"data-enables": "import-confirm"}),
    )
