from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.ids import new_public_ids
from core.validators import validate_country, validate_currency, validate_metadata

from .. import validators
from ..tax_ids import tax_id_type_choices
from .common import LIVE, format_address, multi_line_5000, phone_validator, single_line
from .legal_entities import LegalEntity


def new_customer_ids(count):
    return new_public_ids("cus_", count)


# Migrations name this default as customers.models.new_customer_id: the package
# re-exports it, so keep that name importable there.
def new_customer_id():
    return new_customer_ids(1)[0]


def new_tax_id_id():
    return new_public_ids("txi_", 1)[0]


class TaxExempt(models.TextChoices):
    NONE = "none", "Taxable"
    EXEMPT = "exempt", "Exempt"
    REVERSE = "reverse", "Reverse charge"


class AmountTaxDisplay(models.TextChoices):
    DEFAULT = "", "Account default"
    EXCLUDE_TAX = "exclude_tax", "Exclude tax"
    INCLUDE_INCLUSIVE_TAX = "include_inclusive_tax", "Include inclusive tax"


# Case-folded copies of fields (key → field), kept for filtering and sorting.
FOLDED_FIELDS = {"name_key": "name", "email_key": "email"}


class CustomerQuerySet(models.QuerySet):
    def live(self):
        return self.filter(LIVE)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)


def _live_index(*expressions, name, fields=()):
    return models.Index(*expressions, fields=list(fields), name=name, condition=LIVE)


class Customer(models.Model):
    public_id = models.CharField(
        "ID", max_length=40, unique=True, default=new_customer_id, editable=False
    )
    name = models.CharField(max_length=256, validators=[single_line])
    email = models.EmailField("account email", max_length=512, blank=True)
    description = models.TextField(max_length=5000, blank=True, validators=multi_line_5000)
    phone = models.CharField(max_length=20, blank=True, validators=[phone_validator])

    address_line1 = models.CharField(
        "address line 1", max_length=200, blank=True, validators=[single_line]
    )
    address_line2 = models.CharField(
        "address line 2", max_length=200, blank=True, validators=[single_line]
    )
    address_city = models.CharField("city", max_length=100, blank=True, validators=[single_line])
    address_state = models.CharField(
        "state or region", max_length=100, blank=True, validators=[single_line]
    )
    address_postal_code = models.CharField(
        "postal code", max_length=20, blank=True, validators=[single_line]
    )
    address_country = models.CharField(
        "country", max_length=2, blank=True, validators=[validate_country]
    )

    shipping_name = models.CharField(
        "recipient name", max_length=256, blank=True, validators=[single_line]
    )
    shipping_phone = models.CharField(
        "recipient phone", max_length=20, blank=True, validators=[phone_validator]
    )
    shipping_line1 = models.CharField(
        "address line 1", max_length=200, blank=True, validators=[single_line]
    )
    shipping_line2 = models.CharField(
        "address line 2", max_length=200, blank=True, validators=[single_line]
    )
    shipping_city = models.CharField("city", max_length=100, blank=True, validators=[single_line])
    shipping_state = models.CharField(
        "state or region", max_length=100, blank=True, validators=[single_line]
    )
    shipping_postal_code = models.CharField(
        "postal code", max_length=20, blank=True, validators=[single_line]
    )
    shipping_country = models.CharField(
        "country", max_length=2, blank=True, validators=[validate_country]
    )

    preferred_locales = models.JSONField(
        "preferred languages",
        default=list,
        blank=True,
        validators=[validators.validate_preferred_locales],
    )
    default_currency = models.CharField(max_length=3, blank=True, validators=[validate_currency])
    tax_exempt = models.CharField(
        "tax status", max_length=8, choices=TaxExempt.choices, default=TaxExempt.NONE
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        "payment terms (days)", default=30, validators=[MaxValueValidator(365)]
    )

    invoice_prefix = models.CharField(
        max_length=12, unique=True, validators=[validators.validate_invoice_prefix]
    )
    next_invoice_sequence = models.PositiveIntegerField(
        default=1, validators=[MinValueValidator(1)]
    )
    invoice_footer = models.TextField(max_length=5000, blank=True, validators=multi_line_5000)
    invoice_custom_fields = models.JSONField(
        default=list, blank=True, validators=[validators.validate_custom_fields]
    )
    invoice_amount_tax_display = models.CharField(
        "amount tax display",
        max_length=24,
        choices=AmountTaxDisplay.choices,
        blank=True,
        default=AmountTaxDisplay.DEFAULT,
    )
    legal_entity = models.ForeignKey(
        LegalEntity,
        on_delete=models.PROTECT,
        related_name="customers",
        help_text="The legal entity under which this customer is billed.",
    )
    metadata = models.JSONField(default=dict, blank=True, validators=[validate_metadata])

    # Case-folded copies of name and email for the email filter, the duplicate
    # check and sorting: SQLite's LOWER() folds ASCII only, so folding happens here,
    # the same on both databases (É and é match).
    name_key = models.TextField(editable=False, default="")
    email_key = models.TextField(editable=False, default="")

    created = models.DateTimeField(default=timezone.now, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # PROTECT: who deleted a customer is part of its record; deactivate staff
    # accounts instead of deleting them.
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        permissions = [
            ("import_customer", "Can import customers"),
            ("export_customer", "Can export customers"),
            ("restore_customer", "Can restore deleted customers"),
        ]
        indexes = [
            # The list page only shows live customers, newest first, so every
            # filter index is partial on them and ends in the list's order.
            _live_index(fields=["-created", "-id"], name="customer_live_created"),
            _live_index(fields=["email_key", "id"], name="customer_live_email"),
            _live_index(fields=["name_key", "id"], name="customer_live_name"),
            _live_index(fields=["default_currency", "-created"], name="customer_live_currency"),
            _live_index(fields=["address_country", "-created"], name="customer_live_country"),
            _live_index(fields=["tax_exempt", "-created"], name="customer_live_tax_exempt"),
            # The count of live customers scans this small index. It holds `deleted_at`
            # because SQLite (3.40, with statistics) reads the table unless an index holds
            # every column the query names, even one the index's condition answers; and
            # holds it second, so that `deleted_at IS NULL` is never a search in it that
            # could draw the list page away from its order (see the next index).
            _live_index(fields=["id", "deleted_at"], name="customer_live_count"),
            # Deleted customers only: on live ones SQLite's planner would pick this
            # index for `deleted_at IS NULL` (without statistics it takes an equality
            # to be selective) and sort a million rows rather than walk the list order.
            models.Index(
                fields=["-deleted_at"],
                name="customer_deleted_at",
                condition=Q(deleted_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(tax_exempt__in=TaxExempt.values), name="customer_tax_exempt_valid"
            ),
            models.CheckConstraint(
                condition=Q(next_invoice_sequence__gte=1), name="customer_next_sequence_positive"
            ),
        ]

    def __str__(self):
        return self.name or self.public_id

    def save(self, *args, **kwargs):
        self.set_search_keys()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("customers:detail", args=[self.public_id])

    def set_search_keys(self):
        for key, name in FOLDED_FIELDS.items():
            setattr(self, key, getattr(self, name).casefold())

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def billing_address_lines(self):
        return format_address(self, "address_")

    @property
    def shipping_address_lines(self):
        return format_address(self, "shipping_")

    def clean(self):
        from django.core.exceptions import ValidationError

        if any(getattr(self, name) for name in SHIPPING_DETAILS) and not self.shipping_name:
            raise ValidationError(
                {"shipping_name": "A shipping address needs the recipient's name."}
            )


# The customer's profile, what staff may set (the services refuse anything else): every
# field the model leaves editable, in the order declared. The form, the export and the
# import follow it; docs/decisions.md lists what else a new field asks for.
PROFILE_FIELDS = [
    field.name
    for field in Customer._meta.concrete_fields
    if field.editable and not field.primary_key
]
# A shipping address or phone needs the recipient's name.
SHIPPING_DETAILS = [
    name for name in PROFILE_FIELDS if name.startswith("shipping_") and name != "shipping_name"
]


class TaxId(models.Model):
    public_id = models.CharField(
        "ID", max_length=40, unique=True, default=new_tax_id_id, editable=False
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tax_ids")
    type = models.CharField(max_length=16, choices=tax_id_type_choices())
    value = models.CharField(max_length=64)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "tax ID"
        ordering = ["created", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "type", "value"], name="taxid_unique_per_customer"
            )
        ]
        # The Customers page's search finds a customer by a tax ID's value.
        indexes = [models.Index(fields=["value"], name="taxid_value")]

    def __str__(self):
        return f"{self.get_type_display()}: {self.value}"

    def clean(self):
        from django.core.exceptions import ValidationError

        from ..tax_ids import clean_tax_id_value

        if self.type:
            try:
                self.value = clean_tax_id_value(self.type, self.value)
            except ValidationError as error:
                raise ValidationError({"value": error.messages}) from None


class Contact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=256, validators=[single_line])
    email = models.EmailField(max_length=512)
    billing_emails = models.BooleanField("billing", default=True)
    update_emails = models.BooleanField("updates", default=False)
    legal_emails = models.BooleanField("legal", default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def email_preferences(self):
        return [
            label
            for label, wanted in (
                ("Billing", self.billing_emails),
                ("Updates", self.update_emails),
                ("Legal", self.legal_emails),
            )
            if wanted
        ]


class CustomerAlias(models.Model):
    """An identifier of the customer in another system (external ID)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField("external ID", max_length=255, unique=True, validators=[single_line])

    class Meta:
        verbose_name = "external ID"
        verbose_name_plural = "external IDs"
        ordering = ["id"]

    def __str__(self):
        return self.alias


class MetadataKey(models.Model):
    """Every metadata key any customer has used, added by database triggers
    (customers/triggers.py, installed after every migrate), so an export of all
    customers knows its columns without reading a million rows of JSON first."""

    key = models.TextField(primary_key=True)

    class Meta:
        default_permissions = ()
        ordering = ["key"]

    def __str__(self):
        return self.key
