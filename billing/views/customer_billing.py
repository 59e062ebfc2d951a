"""The customer page's Billing section: pending items, billing defaults and invoices
created from the customer."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from core.forms import validation_messages
from core.htmx import is_fragment, message_only, render_dialog
from customers.selectors import live_customer_or_404

from .. import selectors, services
from ..forms import CustomerBillingDefaultsForm, InvoiceCreateForm, ItemForm
from ..models import CustomerCoupon, InvoiceItem
from .shared import VIEW_INVOICE, changed, form_status, go_to


@permission_required(VIEW_INVOICE, raise_exception=True)
@vary_on_headers("HX-Request")
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
        "customer_coupon": CustomerCoupon.objects.filter(customer=customer)
        .select_related("coupon")
        .first(),
    }


@permission_required("billing.add_invoiceitem", raise_exception=True)
def item_add(request, public_id):
    customer = live_customer_or_404(public_id)
    form = ItemForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_add(customer=customer, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, validation_messages(error))
        else:
            return changed(request, "billingChanged", f"Added “{item.description}”.", customer)
    context = {"form": form, "customer": customer}
    return render_dialog(request, "billing/_item_dialog.html", context, form_status(request))


@permission_required("billing.delete_invoiceitem", raise_exception=True)
@require_POST
def item_delete(request, public_id, item_id):
    customer = live_customer_or_404(public_id)
    item = get_object_or_404(InvoiceItem, customer=customer, public_id=item_id)
    target = item.invoice or customer
    try:
        services.item_delete(item=item)
    except ValidationError as error:
        # Shown as a message: the row's form is no place for it.
        if is_fragment(request):
            return message_only(" ".join(validation_messages(error)))
        messages.error(request, " ".join(validation_messages(error)))
        return redirect(target)
    event = "invoiceChanged" if item.invoice_id else "billingChanged"
    return changed(request, event, f"Removed “{item.description}”.", target)


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
            form.add_error(None, validation_messages(error))
        else:
            return go_to(request, invoice)
    context = {"form": form, "customer": customer}
    return render_dialog(
        request, "billing/_create_invoice_dialog.html", context, form_status(request)
    )


@permission_required("billing.add_invoice", raise_exception=True)
def customer_billing_defaults(request, public_id):
    customer = live_customer_or_404(public_id)
    held = CustomerCoupon.objects.filter(customer=customer).first()
    initial = {"tax_rates": customer.default_tax_rates.all(), "coupon": held and held.coupon}
    form = CustomerBillingDefaultsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_billing_defaults_set(customer=customer, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, validation_messages(error))
        else:
            return changed(request, "billingChanged", "Billing defaults updated.", customer)
    context = {"form": form, "customer": customer}
    return render_dialog(
        request, "billing/_billing_defaults_dialog.html", context, form_status(request)
    )
