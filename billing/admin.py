from typing import TYPE_CHECKING, ClassVar

from django.contrib import admin
from django.db.models import Q

from core.admin import ReadOnlyAdminMixin, ReadOnlyInline
from core.money_format import format_money
from customers.models import Customer

from .forms import CouponAdminForm, TaxRateAdminForm
from .models import (
    Coupon,
    CreditNote,
    CreditNoteLine,
    CustomerCoupon,
    DocumentEmail,
    Invoice,
    InvoiceItem,
    TaxRate,
)
from .services import customer_coupon_set, tax_rate_default_for_set

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def money(field, description=None):
    """A list column showing `field` (minor units) in the row's currency, like $12.50."""

    @admin.display(description=description or field.replace("_", " "), ordering=field)
    def column(obj):
        return format_money(getattr(obj, field), obj.currency)

    return column


class ExactSearchMixin:
    """Search for one exact ID, number or customer email: each an index lookup, where
    the admin's default (icontains) would scan tables of millions of rows."""

    customer_path = "customer"  # how a row reaches its customer
    # Typed as ModelAdmin's, which the classes mixing this in also inherit.
    search_help_text: ClassVar["StrOrPromise | None"] = (
        "An exact number or ID, or a customer's ID or account email."
    )

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        match = Q()
        for field in self.search_fields:
            if not field.startswith(f"{self.customer_path}__"):
                match |= Q(**{field: term})
        customers = Customer.objects.filter(Q(public_id=term) | Q(email_key=term.casefold()))
        match |= Q(**{f"{self.customer_path}__in": customers.values("pk")})
        return queryset.filter(match), False


class ReadOnlyAdmin(ReadOnlyAdminMixin, ExactSearchMixin, admin.ModelAdmin):
    """Invoices, their lines and credit notes are written only by billing.services:
    the admin shows them."""

    show_full_result_count = False
    list_per_page = 50


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceItem
    fields = ["public_id", "description", "quantity", "unit_amount", "amount",
              "discount_amount", "currency", "discountable"]  # fmt: skip
    readonly_fields = ["public_id", "discount_amount"]
    show_change_link = True


class InvoiceCreditNoteInline(ReadOnlyInline):
    model = CreditNote
    fields = ["number", "status", "reason", "amount", "currency", "created"]
    readonly_fields = ["created"]
    show_change_link = True


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "public_id", "customer", "status", "currency", money("total"),
                    money("amount_due"), "created"]  # fmt: skip
    list_filter = ["status", "currency"]
    search_fields = ["number", "public_id", "customer__public_id", "customer__email_key"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    readonly_fields = ["public_id", "created", "created_by", "finalized_at", "paid_at",
                       "paid_out_of_band", "voided_at", "marked_uncollectible_at",
                       "tax_amounts", "customer_snapshot", "seller_snapshot",
                       "applied_balance_transaction", "unapplied_balance_transaction",
                       "too_small_balance_transaction"]  # fmt: skip
    inlines = [InvoiceLineInline, InvoiceCreditNoteInline]


@admin.register(InvoiceItem)
class InvoiceItemAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "description", "customer", "invoice", "quantity",
                    money("amount"), "currency", "created"]  # fmt: skip
    list_filter = ["currency"]
    search_fields = ["public_id", "invoice__number", "customer__public_id", "customer__email_key"]
    list_select_related = ["customer", "invoice__customer"]
    autocomplete_fields = ["customer"]
    raw_id_fields = ["invoice"]
    readonly_fields = ["public_id", "created", "discount_amount", "tax_amounts"]


class CreditNoteLineInline(ReadOnlyInline):
    model = CreditNoteLine
    fields = ["invoice_line", "description", "amount"]


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    customer_path = "invoice__customer"
    list_display = ["number", "public_id", "invoice", "customer", "status", "reason",
                    "currency", money("amount"), "created"]  # fmt: skip
    list_filter = ["status", "reason", "currency"]
    search_fields = ["number", "public_id", "invoice__number", "invoice__customer__public_id",
                     "invoice__customer__email_key"]  # fmt: skip
    list_select_related = ["invoice__customer"]
    raw_id_fields = ["invoice"]
    readonly_fields = ["public_id", "created", "created_by", "voided_at", "balance_transaction",
                       "void_balance_transaction"]  # fmt: skip
    inlines = [CreditNoteLineInline]

    @admin.display(ordering="invoice__customer")
    def customer(self, obj):
        return obj.invoice.customer


@admin.register(DocumentEmail)
class DocumentEmailAdmin(ReadOnlyAdmin):
    """Support looks up what was emailed to a customer, and why one failed."""

    customer_path = "invoice__customer"
    list_display = ["public_id", "kind_shown", "invoice", "credit_note", "status", "attempts",
                    "created", "sent_at"]  # fmt: skip
    list_filter = ["status", "kind", "reminder"]
    search_fields = ["public_id", "invoice__number", "invoice__public_id",
                     "invoice__customer__public_id", "invoice__customer__email_key"]  # fmt: skip
    list_select_related = ["invoice", "credit_note"]
    raw_id_fields = ["invoice", "credit_note", "resend_of"]


class NoDeleteMixin:
    """Invoices keep what they were taxed at and discounted by: deactivate instead
    (deleting a tax rate would also drop it from issued invoice lines)."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TaxRate)
class TaxRateAdmin(NoDeleteMixin, admin.ModelAdmin):
    form = TaxRateAdminForm
    list_display = ["display_name", "percentage", "inclusive", "country", "jurisdiction",
                    "active", "public_id", "created"]  # fmt: skip
    list_filter = ["active", "inclusive", "country"]
    search_fields = ["display_name", "=public_id"]
    autocomplete_fields = ["default_for"]

    # Fixed once created (as in Stripe): invoices refer to the rate they were taxed at.
    def get_readonly_fields(self, request, obj=None):
        fixed = ["percentage", "inclusive"] if obj is not None else []
        return ["public_id", *fixed, "created"]

    # Through the service, so that each customer given or taken this default is on the
    # customer's activity like a change on the customer page.
    def save_related(self, request, form, formsets, change):
        tax_rate_default_for_set(tax_rate=form.instance, customers=form.cleaned_data["default_for"])


@admin.register(Coupon)
class CouponAdmin(NoDeleteMixin, admin.ModelAdmin):
    form = CouponAdminForm  # the amount off in major units, as staff type amounts elsewhere
    list_display = ["name", "discount", "duration", "active", "public_id", "created"]
    list_filter = ["active", "duration", "currency"]
    search_fields = ["name", "=public_id"]

    # Fixed once created: invoices refer to the coupon they were discounted by. The
    # discount is then shown as staff read it (€5.00 off), not as its minor units.
    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None:
            fields = [name for name in fields if name not in ("percent_off", "amount_off")]
        return fields

    def get_readonly_fields(self, request, obj=None):
        fixed = ["discount", "currency", "duration"] if obj is not None else []
        return ["public_id", *fixed, "created"]

    @admin.display(description="discount")
    def discount(self, obj):
        if obj.percent_off is not None:
            return f"{obj.percent_off.normalize():f}% off"
        return f"{format_money(obj.amount_off, obj.currency)} off"


@admin.register(CustomerCoupon)
class CustomerCouponAdmin(ExactSearchMixin, admin.ModelAdmin):
    list_display = ["customer", "coupon", "created"]
    list_filter = ["coupon"]
    search_fields = ["customer__public_id", "customer__email_key"]
    search_help_text = "A customer's exact ID or account email."
    list_select_related = ["customer", "coupon"]
    autocomplete_fields = ["customer", "coupon"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        # The customer is the row's primary key: another customer is another row.
        return ["customer", "created"] if obj is not None else ["created"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "customer":
            kwargs["queryset"] = Customer.objects.live()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # Through the service, so that a coupon given, changed or taken here is on the
    # customer's activity like one set on the customer page.
    def save_model(self, request, obj, form, change):
        customer_coupon_set(customer=obj.customer, coupon=obj.coupon)

    def delete_model(self, request, obj):
        customer_coupon_set(customer=obj.customer, coupon=None)

    def delete_queryset(self, request, queryset):
        for held in queryset.select_related("customer"):
            customer_coupon_set(customer=held.customer, coupon=None)
