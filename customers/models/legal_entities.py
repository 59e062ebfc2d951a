"""The seller side: the legal entities customers are billed by, and their logos."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.validators import validate_country, validate_currency

from .common import format_address, single_line

# Reminders go out at most a year before or after the due date (the invoice's own
# days_until_due has the same bound).
REMINDER_DAYS = (1, 365)


def _reminder_days(label: str, help_text: str):
    return models.PositiveSmallIntegerField(
        label,
        null=True,
        blank=True,
        validators=[MinValueValidator(REMINDER_DAYS[0]), MaxValueValidator(REMINDER_DAYS[1])],
        help_text=help_text,
    )


def _reminder_days_in_range(field: str) -> models.CheckConstraint:
    low, high = REMINDER_DAYS
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__gte": low, f"{field}__lte": high}),
        name=f"legalentity_{field}_range",
    )


class LegalEntityQuerySet(models.QuerySet):
    def default(self):
        """The entity new customers are billed under: made on set-up, and again here
        if a test or a fresh database has none yet."""
        entity = self.filter(is_default=True).first()
        if entity is None:
            entity, _ = self.get_or_create(
                is_default=True, defaults={"name": settings.BILLING_DEFAULT_ENTITY_NAME}
            )
        return entity


class LegalEntity(models.Model):
    """The seller: the company a customer is billed by (its invoices show it)."""

    name = models.CharField(max_length=256, validators=[single_line])
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
    tax_id = models.CharField("tax ID", max_length=64, blank=True, validators=[single_line])
    email = models.EmailField(
        "Reply-to email", blank=True, help_text="Customers' replies to invoice emails go here."
    )
    reminder_days_before_due = _reminder_days(
        "reminder days before due",
        "Email a reminder of an open invoice this many days before it is due. Blank: none.",
    )
    reminder_days_after_due = _reminder_days(
        "reminder days after due",
        "Email a reminder of an open invoice this many days after it was due. Blank: none.",
    )
    default_currency = models.CharField(max_length=3, default="USD", validators=[validate_currency])
    logo = models.ForeignKey(
        "EntityLogo", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_default = models.BooleanField(
        "default entity", default=False, help_text="New customers are billed under it."
    )
    created = models.DateTimeField(default=timezone.now, editable=False)

    objects = LegalEntityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "legal entities"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="legalentity_one_default"
            ),
            _reminder_days_in_range("reminder_days_before_due"),
            _reminder_days_in_range("reminder_days_after_due"),
        ]

    def __str__(self):
        return self.name

    @property
    def address_lines(self):
        return format_address(self, "address_")


class EntityLogo(models.Model):
    """A logo image, kept by its SHA-256 and never changed or deleted, so an invoice's
    snapshot of its seller can name the logo it was issued with."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    content_type = models.CharField(max_length=32)
    data = models.BinaryField()
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.content_type} {self.sha256[:12]}"

    @property
    def data_uri(self):
        import base64

        return f"data:{self.content_type};base64,{base64.b64encode(self.data).decode()}"
