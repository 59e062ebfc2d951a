"""Tax rates: a percentage, inclusive or exclusive, with the customers it is a default for."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.ids import new_public_id
from core.validators import validate_country
from customers.models import Customer


def new_tax_rate_id():
    return new_public_id("txr_")


class TaxRate(models.Model):
    public_id = models.CharField(
        "ID", max_length=40, unique=True, default=new_tax_rate_id, editable=False
    )
    display_name = models.CharField(max_length=50, help_text="Shown on invoices, like “VAT”.")
    # Fixed once created (as in Stripe): invoices refer to the rate they were taxed at.
    percentage = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    inclusive = models.BooleanField(
        default=False, help_text="Included in the line amounts rather than added to them."
    )
    country = models.CharField(max_length=2, blank=True, validators=[validate_country])
    jurisdiction = models.CharField(max_length=50, blank=True)
    active = models.BooleanField(default=True, help_text="Inactive rates are not offered.")
    default_for = models.ManyToManyField(
        Customer,
        blank=True,
        related_name="default_tax_rates",
        help_text="Customers whose lines without tax rates are taxed at this rate.",
    )
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["display_name", "percentage", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percentage__gte=0, percentage__lte=100), name="taxrate_percentage_range"
            )
        ]

    def __str__(self):
        kind = "inclusive" if self.inclusive else "exclusive"
        where = (
            f", {self.jurisdiction or self.country}" if self.jurisdiction or self.country else ""
        )
        return f"{self.display_name} {self.percentage.normalize():f}% ({kind}{where})"
