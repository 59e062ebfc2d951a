from django.urls import path

from . import views

app_name = "billing"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("", views.home, name="home"),
    path("invoices/", views.invoice_list, name="invoices"),
    path("invoices/new/", views.invoice_create, name="invoice_new"),
    path("invoices/export/", views.invoice_export, name="invoice_export"),
    path("invoices/overview/", views.invoice_overview, name="invoice_overview"),
    path("invoices/<str:public_id>/", views.invoice_detail, name="invoice"),
    path("invoices/<str:public_id>/edit/", views.invoice_edit, name="invoice_edit"),
    path("invoices/<str:public_id>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<str:public_id>/lines/new/", views.line_add, name="line_add"),
    path(
        "invoices/<str:public_id>/credit-notes/new/",
        views.credit_note_create,
        name="credit_note_new",
    ),
    path("invoices/<str:public_id>/finalize/", views.invoice_finalize, name="invoice_finalize"),
    path("invoices/<str:public_id>/pay/", views.invoice_mark_paid, name="invoice_mark_paid"),
    path("invoices/<str:public_id>/void/", views.invoice_void, name="invoice_void"),
    path(
        "invoices/<str:public_id>/uncollectible/",
        views.invoice_mark_uncollectible,
        name="invoice_mark_uncollectible",
    ),
    path("invoices/<str:public_id>/delete/", views.invoice_delete, name="invoice_delete"),
    path("invoices/<str:public_id>/send/", views.invoice_send, name="invoice_send"),
    path("credit-notes/<str:public_id>/", views.credit_note_detail, name="credit_note"),
    path("credit-notes/<str:public_id>/void/", views.credit_note_void, name="credit_note_void"),
    path("credit-notes/<str:public_id>/pdf/", views.credit_note_pdf, name="credit_note_pdf"),
    path("credit-notes/<str:public_id>/send/", views.credit_note_send, name="credit_note_send"),
    path("emails/<str:public_id>/resend/", views.email_resend, name="email_resend"),
    # The customer page's Billing section: billing's own routes under a customer.
    path("customers/<str:public_id>/billing/", views.customer_billing, name="customer_billing"),
    path(
        "customers/<str:public_id>/billing/defaults/",
        views.customer_billing_defaults,
        name="customer_defaults",
    ),
    path("customers/<str:public_id>/items/new/", views.item_add, name="item_add"),
    path(
        "customers/<str:public_id>/items/<str:item_id>/delete/",
        views.item_delete,
        name="item_delete",
    ),
    path(
        "customers/<str:public_id>/invoices/new/",
        views.customer_invoice_create,
        name="customer_invoice_new",
    ),
]
