"""The customer page's Billing section: pending items, billing defaults and invoices
created from the customer."""

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from core.htmx import (
    add_service_error,
    done,
    go_to,
    is_fragment,
    refuse,
    render_form_dialog,
)
from customers.selectors import live_customer_or_404
from customers.views import shows_deleted_customer

from .. import dashboard, selectors, services
from ..forms import CustomerBillingDefaultsForm, InvoiceCreateForm, ItemForm
from ..models import InvoiceItem
from .shared import VIEW_INVOICE


@permission_required(VIEW_INVOICE, raise_exception=True)
@vary_on_headers("HX-Request")
@shows_deleted_customer
def customer_billing(request, public_id):
    customer = live_customer_or_404(public_id)
    template = "billing/customer_billing.html"
    if is_fragment(request):
        template += "#section"
    return render(request, template, section_context(customer))


def section_context(customer):
    return {
        "customer": customer,
        "pending_items": selectors.pending_items(customer),
        "pending_count": selectors.pending_count(customer),
        "invoices": selectors.customer_invoices(customer),
        "default_tax_rates": customer.default_tax_rates.all(),
        "customer_coupon": selectors.customer_coupon(customer),
        "summary": dashboard.customer_summary(customer),
    }


@permission_required("billing.add_invoiceitem", raise_exception=True)
def item_add(request, public_id):
    customer = live_customer_or_404(public_id)
    form = ItemForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_add(customer=customer, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            message = f"Added “{item.description}”."
            return done(request, message, customer, event="billingChanged")
    context = {"form": form, "customer": customer}
    return render_form_dialog(request, "billing/_item_dialog.html", context)


@permission_required("billing.delete_invoiceitem", raise_exception=True)
@require_POST
def item_delete(request, public_id, item_id):
    customer = live_customer_or_404(public_id)
    item = get_object_or_404(InvoiceItem, customer=customer, public_id=item_id)
    target = item.invoice or customer
    try:
        services.item_delete(item=item)
    except ValidationError as error:
        return refuse(request, error, target)  # the row's form is no place for it
    event = "invoiceChanged" if item.invoice_id else "billingChanged"
    return done(request, f"Removed “{item.description}”.", target, event=event)


@permission_required("billing.add_invoice", raise_exception=True)
def customer_invoice_create(request, public_id):
    customer = live_customer_or_404(public_id)
    currencies = services.invoice_currencies(customer)
    form = InvoiceCreateForm(request.POST or None, customer=customer, currencies=currencies)
    if request.method == "POST" and form.is_valid():
        try:
            invoice = services.invoice_create(
                customer=customer, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return go_to(request, invoice)
    context = {"form": form, "customer": customer}
    return render_form_dialog(request, "billing/_create_invoice_dialog.html", context)


@permission_required("billing.add_invoice", raise_exception=True)
def customer_billing_defaults(request, public_id):
    customer = live_customer_or_404(public_id)
    held = selectors.customer_coupon(customer)
    initial = {"tax_rates": customer.default_tax_rates.all(), "coupon": held and held.coupon}
    form = CustomerBillingDefaultsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_billing_defaults_set(customer=customer, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return done(request, "Billing defaults updated.", customer, event="billingChanged")
    context = {"form": form, "customer": customer}
    return render_form_dialog(request, "billing/_billing_defaults_dialog.html", context)
