from django.urls import path

from . import views

app_name = "ledger"
# A customer's credit balance: the ledger's own routes under a customer; and Add
# customer, which can open the balance (config/urls.py includes these before customers'
# so that customers/<id>/ does not take "new").
urlpatterns = [
    path("customers/new/", views.customer_add, name="customer_add"),
    path("customers/<str:public_id>/balance/", views.credit_balance, name="credit_balance"),
    path("customers/<str:public_id>/balance/adjust/", views.balance_adjust, name="adjust"),
    path("customers/<str:public_id>/balance/export/", views.transactions_export, name="export"),
    path(
        "customers/<str:public_id>/balance/<str:transaction_id>/reverse/",
        views.transaction_reverse,
        name="reverse",
    ),
    path(
        "customers/<str:public_id>/balance/<str:transaction_id>/edit/",
        views.transaction_edit,
        name="edit",
    ),
]
