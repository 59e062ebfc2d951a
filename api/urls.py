"""/v1/: each address's views by method (api/http.py's endpoint)."""

from django.urls import path, re_path

from .http import endpoint, not_found
from .views import balance_transactions, customers, tax_ids

app_name = "api"

urlpatterns = [
    path("customers", endpoint(GET=customers.list_, POST=customers.create), name="customers"),
    path("customers/search", endpoint(GET=customers.search_), name="customers_search"),
    path(
        "customers/<str:id>",
        endpoint(GET=customers.retrieve, POST=customers.update, DELETE=customers.delete),
        name="customer",
    ),
    path(
        "customers/<str:id>/tax_ids",
        endpoint(GET=tax_ids.list_, POST=tax_ids.create),
        name="customer_tax_ids",
    ),
    path(
        "customers/<str:id>/tax_ids/<str:tax_id>",
        endpoint(GET=tax_ids.retrieve, DELETE=tax_ids.delete),
        name="customer_tax_id",
    ),
    path(
        "customers/<str:id>/balance_transactions",
        endpoint(GET=balance_transactions.list_, POST=balance_transactions.create),
        name="customer_balance_transactions",
    ),
    path(
        "customers/<str:id>/balance_transactions/<str:transaction_id>",
        endpoint(GET=balance_transactions.retrieve, POST=balance_transactions.update),
        name="customer_balance_transaction",
    ),
    re_path(r"^(?P<rest>.*)$", not_found),
]
