from django.urls import path

from . import views

app_name = "customers"
# customers/new/ (Add customer, with its starting balance) is the ledger's: see ledger/urls.py.
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("delete/", views.customer_bulk_delete, name="bulk_delete"),
    path("export/", views.customer_export, name="export"),
    path("count/", views.customer_count, name="count"),
    path("imports/new/", views.import_new, name="import_new"),
    path("imports/template.csv", views.import_template, name="import_template"),
    path("imports/<str:public_id>/", views.import_detail, name="import"),
    path("imports/<str:public_id>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<str:public_id>/errors.csv", views.import_error_rows, name="import_error_rows"),
    path("<str:public_id>/", views.customer_detail, name="detail"),
    path("<str:public_id>/edit/", views.customer_edit, name="edit"),
    path("<str:public_id>/delete/", views.customer_delete, name="delete"),
    path("<str:public_id>/restore/", views.customer_restore, name="restore"),
]
