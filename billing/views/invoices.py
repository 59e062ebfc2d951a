"""The Invoices page, its export, creating an invoice, and a draft's page, edits and PDF."""

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from core.htmx import (
    add_service_error,
    done,
    export_refused,
    go_to,
    is_fragment,
    render_form_dialog,
)
from customers.models import Customer
from customers.search import search_customers

from .. import exports, pdf, selectors, services
from ..forms import InvoiceCreateForm, InvoiceEditForm, ItemForm, NewCustomerForm
from .shared import VIEW_INVOICE, invoice_or_404, pdf_language, pdf_response


@permission_required(VIEW_INVOICE, raise_exception=True)
@vary_on_headers("HX-Request")
def invoice_list(request):
    filterset = selectors.invoice_list(params=request.GET)
    page = selectors.invoice_page(filterset)
    query = request.GET.copy()
    for cursor in ("after", "before"):
        query.pop(cursor, None)
    context = {"filterset": filterset, "page": page, "query": query.urlencode(),
               "is_fragment": is_fragment(request)}  # fmt: skip
    template = "billing/invoice_list.html"
    if is_fragment(request):
        template += "#table"
    return render(request, template, context)


@permission_required([VIEW_INVOICE, "billing.export_invoice"], raise_exception=True)
def invoice_export(request):
    filterset = selectors.invoice_list(params=request.GET)
    if not filterset.is_valid():
        return export_refused(request)
    if request.GET.get("format") == "xlsx":
        return exports.invoices_xlsx_response(filterset.qs)
    return exports.invoices_csv_response(filterset.qs)


@permission_required("billing.add_invoice", raise_exception=True)
def invoice_create(request):
    """Create invoice from the Invoices page: for a customer found by ID or email, or
    one added here and now."""
    form = InvoiceCreateForm(request.POST or None)
    new_customer = NewCustomerForm(request.POST or None, prefix="new")
    customer_ref = (request.POST.get("customer") or request.GET.get("customer") or "").strip()
    if request.method == "POST" and form.is_valid() and new_customer.is_valid():
        try:
            invoice = services.invoice_create_for_reference(
                reference=customer_ref,
                new_customer=new_customer.cleaned_data,
                created_by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return go_to(request, invoice)
    context = {"form": form, "new_customer": new_customer, "customer_ref": customer_ref}
    return render_form_dialog(request, "billing/_new_invoice_dialog.html", context)


@permission_required("billing.add_invoice", raise_exception=True)
def customer_suggestions(request):
    """Customers matching what was typed in Create invoice, as <datalist> options."""
    text = request.GET.get("customer", "").strip()
    matches = []
    if len(text) >= 2:
        matches = search_customers(Customer.objects.live(), text).order_by("-created", "-id")[:8]
    return render(request, "billing/_customer_options.html", {"matches": matches})


@permission_required(VIEW_INVOICE, raise_exception=True)
@vary_on_headers("HX-Request")
def invoice_detail(request, public_id):
    invoice = invoice_or_404(public_id)
    template = "billing/invoice_detail.html"
    if is_fragment(request):
        template += "#invoice"
    return render(request, template, {"invoice": invoice})


@permission_required("billing.change_invoice", raise_exception=True)
def invoice_edit(request, public_id):
    invoice = invoice_or_404(public_id)
    initial = {"days_until_due": invoice.days_until_due, "coupon": invoice.coupon,
               "memo": invoice.memo, "footer": invoice.footer}  # fmt: skip
    form = InvoiceEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.invoice_update(invoice=invoice, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return done(request, "Draft updated.", invoice, event="invoiceChanged")
    context = {"form": form, "invoice": invoice}
    return render_form_dialog(request, "billing/_invoice_edit_dialog.html", context)


@permission_required("billing.change_invoice", raise_exception=True)
def line_add(request, public_id):
    invoice = invoice_or_404(public_id)
    customer = invoice.customer
    form = ItemForm(request.POST or None, customer=customer, currency=invoice.currency)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_add(customer=customer, invoice=invoice, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return done(request, "Line added.", invoice, event="invoiceChanged")
    context = {"form": form, "customer": customer, "invoice": invoice}
    return render_form_dialog(request, "billing/_item_dialog.html", context)


@permission_required(VIEW_INVOICE, raise_exception=True)
def invoice_pdf(request, public_id):
    invoice = invoice_or_404(public_id)
    name = invoice.number or f"draft-{invoice.public_id}"
    return pdf_response(pdf.invoice_pdf(invoice, pdf_language(request)), name, request)
