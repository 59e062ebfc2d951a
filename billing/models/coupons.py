"""Coupons (percent or amount off, once or forever) and the one a customer's next invoices get."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.ids import new_public_id
from core.validators import validate_currency
from customers.models import Customer


def new_coupon_id():
    return new_public_id("co_")


class CouponDuration(models.TextChoices):
    ONCE = "once", "Once"
    FOREVER = "forever", "Forever"


class Coupon(models.Model):
    public_id = models.CharField(
        "ID", max_length=40, unique=True, default=new_coupon_id, editable=False
    )
    name = models.CharField(max_length=40)
    percent_off = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    amount_off = models.BigIntegerField(
        null=True, blank=True, help_text="In minor units of the coupon's currency."
    )
    currency = models.CharField(
        max_length=3, blank=True, validators=[validate_currency], help_text="For amount off."
    )
    duration = models.CharField(
        max_length=8, choices=CouponDuration.choices, default=CouponDuration.ONCE
    )
    active = models.BooleanField(default=True)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(percent_off__gt=0, percent_off__lte=100, amount_off__isnull=True, currency="")
                    | Q(percent_off__isnull=True, amount_off__gt=0) & ~Q(currency="")
                ),
                name="coupon_percent_or_amount",
            ),
            models.CheckConstraint(
                condition=Q(duration__in=CouponDuration.values), name="coupon_duration_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def applies_to(self, currency):
        """An amount-off coupon in another currency is ignored (never converted)."""
        return self.amount_off is None or self.currency == currency

    def clean(self):
        # Field errors, not one form-wide error: they say which input to fix, and
        # Django then skips its generic "constraint violated" message for those fields.
        from django.core.exceptions import ValidationError

        errors = {}
        if self.percent_off is None and self.amount_off is None:
            errors["percent_off"] = "Enter a percent off or an amount off."
        elif self.percent_off is not None and self.amount_off is not None:
            errors["amount_off"] = "Enter a percent off or an amount off, not both."
        elif self.percent_off is not None:
            if self.percent_off <= 0:
                errors["percent_off"] = "Enter a percent off greater than zero."
            if self.currency:
                errors["currency"] = "A percent-off coupon has no currency: leave it blank."
        else:
            if self.amount_off <= 0:
                errors["amount_off"] = "Enter an amount off greater than zero."
            if not self.currency:
                errors["currency"] = "An amount off needs a currency."
        if errors:
            raise ValidationError(errors)


class CustomerCoupon(models.Model):
    """The coupon a customer's next invoices get (once: only the next one)."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, primary_key=True, related_name="coupon"
    )
    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self):
        return f"{self.customer}: {self.coupon}"
