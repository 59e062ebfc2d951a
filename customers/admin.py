from django.contrib import admin, messages
from import_export.admin import ExportMixin

from . import services
from .models import Contact, Customer, CustomerAlias, TaxId
from .resources import CustomerResource


class ReadOnlyAdminMixin:
    """Shows rows, changes none: writes go through the apps' services, which check
    them, and nothing is removed from the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0


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
