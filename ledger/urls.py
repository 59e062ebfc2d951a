from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("<str:public_id>/balance/", views.credit_balance, name="credit_balance"),
    path("<str:public_id>/balance/adjust/", views.balance_adjust, name="adjust"),
    path("<str:public_id>/balance/export/", views.transactions_export, name="export"),
    path(
        "<str:public_id>/balance/<str:transaction_id>/reverse/",
        views.transaction_reverse,
        name="reverse",
    ),
    path(
        "<str:public_id>/balance/<str:transaction_id>/edit/",
        views.transaction_edit,
        name="edit",
    ),
]
