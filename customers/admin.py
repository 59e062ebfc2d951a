from django.contrib import admin, messages
from import_export.admin import ExportMixin

from . import services
from .models import Contact, Customer, CustomerAlias, TaxId
from .resources import CustomerResource


class TaxIdInline(admin.TabularInline):
    model = TaxId
    extra = 0


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class AliasInline(admin.TabularInline):
    model = CustomerAlias
    extra = 0


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
class CustomerAdmin(ExportMixin, admin.ModelAdmin):
    resource_classes = [CustomerResource]
    list_display = ["name", "email", "public_id", "default_currency", "address_country",
                    "created", "deleted_at"]
    list_filter = [DeletedFilter, "tax_exempt", "default_currency", "created"]
    search_fields = ["=public_id", "name", "email", "=aliases__alias"]
    readonly_fields = ["public_id", "created", "deleted_at", "deleted_by"]
    inlines = [TaxIdInline, ContactInline, AliasInline]
    actions = ["restore"]
    show_full_result_count = False
    list_per_page = 50

    def has_delete_permission(self, request, obj=None):
        # Customers are tombstoned from the Customers page, never removed: invoices
        # and ledger entries keep pointing at them.
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_deleted:
            return False
        return super().has_change_permission(request, obj)

    @admin.action(description="Restore selected deleted customers", permissions=["restore"])
    def restore(self, request, queryset):
        count = services.customers_restore(customers=list(queryset.deleted()))
        self.message_user(request, f"Restored {count} customer(s).", messages.SUCCESS)

    def has_restore_permission(self, request):
        return request.user.has_perm("customers.restore_customer")
