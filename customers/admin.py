import hashlib
import io

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from import_export.admin import ExportMixin
from PIL import Image

from core.admin import ReadOnlyAdminMixin, ReadOnlyInline

from . import services
from .models import (
    Contact,
    Customer,
    CustomerAlias,
    CustomerImport,
    EntityLogo,
    LegalEntity,
    TaxId,
)
from .resources import CustomerResource
from .search import search_customers


class TaxIdInline(ReadOnlyInline):
    model = TaxId


class ContactInline(ReadOnlyInline):
    model = Contact


class AliasInline(ReadOnlyInline):
    model = CustomerAlias


class DeletedFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("live", "Live"), ("deleted", "Deleted")]

    def queryset(self, request, queryset):
        if self.value() == "live":
            return queryset.live()
        if self.value() == "deleted":
            return queryset.deleted()
        return queryset


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdminMixin, ExportMixin, admin.ModelAdmin):
    resource_classes = [CustomerResource]
    list_display = [
        "name",
        "email",
        "public_id",
        "default_currency",
        "address_country",
        "created",
        "deleted_at",
    ]
    list_filter = [DeletedFilter, "tax_exempt", "default_currency", "created"]
    search_fields = ["=public_id", "name", "email", "=aliases__alias"]
    readonly_fields = ["public_id", "created", "deleted_at", "deleted_by"]
    inlines = [TaxIdInline, ContactInline, AliasInline]
    actions = ["restore"]
    show_full_result_count = False
    list_per_page = 50

    # The admin is for looking things up and restoring: customers are added and
    # edited on the Customers page and tombstoned there, never removed (invoices and
    # ledger entries point at them).
    def has_export_permission(self, request):
        return request.user.has_perm("customers.export_customer")

    @admin.action(description="Restore selected deleted customers", permissions=["restore"])
    def restore(self, request, queryset):
        count = services.customers_restore(customers=list(queryset.deleted()))
        self.message_user(request, f"Restored {count} customer(s).", messages.SUCCESS)

    def has_restore_permission(self, request):
        return request.user.has_perm("customers.restore_customer")

    def get_search_results(self, request, queryset, search_term):
        """The Customers page's indexed search (also behind the autocomplete widgets of
        other admins), not `icontains` scans of a million rows; or an exact external ID."""
        term = search_term.strip()
        if not term:
            return queryset, False
        by_alias = queryset.filter(aliases__alias=term)
        if by_alias.exists():
            return by_alias, False
        return search_customers(queryset, term), False


LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_SIDE = 4000  # pixels: a small file can still decode to a huge image
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
_END_MARKERS = {"PNG": b"IEND\xaeB`\x82", "JPEG": b"\xff\xd9"}


def read_logo(upload):
    """The (content type, bytes) of an uploaded PNG or JPEG logo, checked by decoding
    it with Pillow (never by its name or the browser's content type)."""
    if upload.size > LOGO_MAX_BYTES:
        raise forms.ValidationError(f"Upload a logo of at most {LOGO_MAX_BYTES // 1024} KB.")
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            if kind in LOGO_TYPES and max(width, height) <= LOGO_MAX_SIDE:
                image.load()  # the whole image decodes: not truncated or corrupt
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise forms.ValidationError("Upload a PNG or JPEG image.") from None
    # Pillow pads a truncated image silently once anything (WeasyPrint does, on import)
    # sets ImageFile.LOAD_TRUNCATED_IMAGES, so the file's end marker is checked too.
    if kind not in LOGO_TYPES or not data.rstrip(b"\0").endswith(_END_MARKERS[kind]):
        raise forms.ValidationError("Upload a PNG or JPEG image.")
    if max(width, height) > LOGO_MAX_SIDE:
        raise forms.ValidationError(
            f"Upload a logo of at most {LOGO_MAX_SIDE} × {LOGO_MAX_SIDE} pixels."
        )
    return LOGO_TYPES[kind], data


class LegalEntityAdminForm(forms.ModelForm):
    logo_upload = forms.FileField(
        label="new logo", required=False, help_text="PNG or JPEG, at most 512 KB."
    )
    remove_logo = forms.BooleanField(label="remove the logo", required=False)

    class Meta:
        model = LegalEntity
        # Not `logo`: it is set from the upload (a select would load every logo's bytes).
        fields = ["name", "tax_id", "default_currency", "is_default", "address_line1",
                  "address_line2", "address_city", "address_state", "address_postal_code",
                  "address_country", "email", "reminder_days_before_due",
                  "reminder_days_after_due"]  # fmt: skip

    def clean_logo_upload(self):
        upload = self.cleaned_data["logo_upload"]
        return read_logo(upload) if upload else None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("logo_upload") and cleaned.get("remove_logo"):
            raise forms.ValidationError("Upload a new logo or remove the logo, not both.")
        if self.instance.is_default and "is_default" in cleaned and not cleaned["is_default"]:
            self.add_error(
                "is_default", "New customers need a default entity: make another one the default."
            )
        return cleaned

    def _get_validation_exclusions(self):
        # Making this the default entity takes it from the old one (save_model), so
        # the one-default constraint is not checked against the old default here.
        return {*super()._get_validation_exclusions(), "is_default"}


@admin.register(LegalEntity)
class LegalEntityAdmin(admin.ModelAdmin):
    form = LegalEntityAdminForm
    list_display = ["name", "address_country", "default_currency", "is_default", "created"]
    list_filter = ["is_default", "default_currency", "address_country"]
    search_fields = ["name"]
    readonly_fields = ["logo_preview", "created"]
    fieldsets = [
        (None, {"fields": ["name", "tax_id", "default_currency", "is_default", "created"]}),
        ("Address", {"fields": ["address_line1", "address_line2", "address_city",
                                "address_state", "address_postal_code", "address_country"]}),
        ("Logo", {"fields": ["logo_preview", "logo_upload", "remove_logo"]}),
        ("Invoice emails", {"fields": ["email", "reminder_days_before_due",
                                       "reminder_days_after_due"]}),
    ]  # fmt: skip

    # Customers and issued invoices point at their entity: entities are never removed.
    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="current logo")
    def logo_preview(self, obj):
        if obj is None or obj.logo is None:
            return "No logo"
        return format_html(
            '<img src="{}" alt="Logo of {}" style="max-width: 240px; max-height: 96px">',
            obj.logo.data_uri,
            obj.name,
        )

    def save_model(self, request, obj, form, change):
        # Runs in the admin's transaction. Logos are kept by their SHA-256 and never
        # changed, so an issued invoice's snapshot still names the logo it showed.
        upload = form.cleaned_data.get("logo_upload")
        if upload:
            content_type, data = upload
            obj.logo, _ = EntityLogo.objects.get_or_create(
                sha256=hashlib.sha256(data).hexdigest(),
                defaults={"content_type": content_type, "data": data},
            )
        elif form.cleaned_data.get("remove_logo"):
            obj.logo = None
        if obj.is_default:
            LegalEntity.objects.filter(is_default=True).exclude(pk=obj.pk).update(is_default=False)
        super().save_model(request, obj, form, change)


@admin.register(CustomerImport)
class CustomerImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who imported which file when, and what it did: for support, read-only."""

    list_display = ["created", "created_by", "file_name", "status_shown", "created_count",
                    "updated_count", "unchanged", "invalid"]  # fmt: skip
    list_filter = ["status", "created"]
    search_fields = ["file_name", "public_id", "created_by__username"]
    list_select_related = ["created_by"]
    date_hierarchy = "created"
    exclude = ["data"]
    readonly_fields = ["public_id", "created", "created_by", "file_name", "file_size",
                       "match_by_email", "valid_rows_only", "status", "rows_total",
                       "to_create", "to_update", "unchanged", "invalid", "created_count",
                       "updated_count", "ignored_columns", "errors", "failure",
                       "progress_at", "finished_at"]  # fmt: skip

    @admin.display(description="status", ordering="status")
    def status_shown(self, record):
        if record.stalled:
            return "Stopped unfinished (nothing saved)"
        return record.get_status_display()
