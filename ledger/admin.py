from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import BalanceTransaction, CustomerBalance


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The ledger is written only by ledger.services: the admin shows it."""


@admin.register(BalanceTransaction)
class BalanceTransactionAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "customer", "type", "amount", "currency", "ending_balance",
                    "created_by", "created"]  # fmt: skip
    list_filter = ["type", "currency", "created"]
    search_fields = ["=public_id", "=customer__public_id", "customer__email"]
    list_select_related = ["customer", "created_by"]
    show_full_result_count = False


@admin.register(CustomerBalance)
class CustomerBalanceAdmin(ReadOnlyAdmin):
    list_display = ["customer", "currency", "amount", "updated"]
    list_filter = ["currency"]
    search_fields = ["=customer__public_id", "customer__email"]
    list_select_related = ["customer"]
    show_full_result_count = False
