"""Invoice items, invoices and credit notes: pages and dialogs. Thin: a form parses
the input, billing.services decides, the template shows."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from core.forms import validation_messages
from core.htmx import dialog_done, is_fragment, message_only, render_dialog
from core.pagination import paginate
from customers.models import Customer
from customers.reference import DOCUMENT_LANGUAGES
from customers.search import search_customers
from customers.selectors import live_customer_or_404
from customers.services import customer_create

from . import exports, pdf, selectors, services
from .filters import InvoiceFilter
from .forms import (
    CreditNoteForm,
    CustomerBillingDefaultsForm,
    InvoiceCreateForm,
    InvoiceEditForm,
    ItemForm,
    NewCustomerForm,
)
from .models import CreditNote, CustomerCoupon, Invoice, InvoiceItem

VIEW_INVOICE = "billing.view_invoice"
PAGE_SIZE = 50


def _invoice(public_id):
    try:
        return selectors.invoice_detail(Invoice.objects.all(), public_id)
    except Invoice.DoesNotExist:
        raise Http404("No such invoice.") from None


def _changed(request, event, message, fallback):
    """A dialog's success: htmx refreshes the part of the page that changed."""
    if is_fragment(request):
        return dialog_done(event, message)
    return redirect(fallback)


# The customer page's Billing section


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
            return _changed(request, "billingChanged", f"Added “{item.description}”.", customer)
    context = {"form": form, "customer": customer}
    return render_dialog(request, "billing/_item_dialog.html", context, _status(request))


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
    return _changed(request, event, f"Removed “{item.description}”.", target)


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
            return _to(request, invoice)
    context = {"form": form, "customer": customer}
    return render_dialog(request, "billing/_create_invoice_dialog.html", context, _status(request))


def _to(request, obj):
    if is_fragment(request):
        return HttpResponseClientRedirect(obj.get_absolute_url())
    return redirect(obj)


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
            return _changed(request, "billingChanged", "Billing defaults updated.", customer)
    context = {"form": form, "customer": customer}
    return render_dialog(
        request, "billing/_billing_defaults_dialog.html", context, _status(request)
    )


def _status(request):
    return 422 if request.method == "POST" else 200


# Invoices


@permission_required(VIEW_INVOICE, raise_exception=True)
@vary_on_headers("HX-Request")
def invoice_list(request):
    filterset = InvoiceFilter(
        request.GET, queryset=Invoice.objects.select_related("customer").order_by("-created", "-id")
    )
    page = []
    if filterset.is_valid():
        page = paginate(
            filterset.qs,
            after=filterset.form.cleaned_data.get("after"),
            before=filterset.form.cleaned_data.get("before"),
            size=PAGE_SIZE,
        )
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
    filterset = InvoiceFilter(request.GET, queryset=Invoice.objects.all())
    if not filterset.is_valid():
        context = {"errors": ["Fix the filters first."]}
        return render(request, "billing/_error.html", context, status=400)
    if request.GET.get("format") == "xlsx":
        return exports.invoices_xlsx_response(filterset.qs)
    return exports.invoices_csv_response(filterset.qs)


@permission_required("billing.add_invoice", raise_exception=True)
def invoice_create(request):
    """Create invoice from the Invoices page: for a customer found by ID or email, or
    one added here and now."""
    form = InvoiceCreateForm(request.POST or None)
    new_customer = NewCustomerForm(request.POST or None, prefix="new")
    customer = None
    customer_ref = (request.POST.get("customer") or request.GET.get("customer") or "").strip()
    if request.method == "POST" and form.is_valid() and new_customer.is_valid():
        try:
            with transaction.atomic():  # no new customer without its invoice
                customer = _customer_for_invoice(customer_ref, new_customer.cleaned_data)
                invoice = services.invoice_create(
                    customer=customer, created_by=request.user, **form.cleaned_data
                )
        except ValidationError as error:
            form.add_error(None, validation_messages(error))
        else:
            return _to(request, invoice)
    context = {"form": form, "new_customer": new_customer, "customer_ref": customer_ref}
    return render_dialog(request, "billing/_new_invoice_dialog.html", context, _status(request))


@permission_required("billing.add_invoice", raise_exception=True)
def customer_suggestions(request):
    """Customers matching what was typed in Create invoice, as <datalist> options."""
    text = request.GET.get("customer", "").strip()
    matches = []
    if len(text) >= 2:
        matches = search_customers(Customer.objects.live(), text).order_by("-created", "-id")[:8]
    return render(request, "billing/_customer_options.html", {"matches": matches})


def _customer_for_invoice(reference, new_fields):
    if new_fields.get("name") or new_fields.get("email"):
        if reference:
            raise ValidationError("Choose an existing customer or add a new one, not both.")
        return customer_create(fields=new_fields)
    if not reference:
        raise ValidationError("Choose a customer (its ID or account email) or add a new one.")
    matches = list(
        Customer.objects.live().filter(public_id=reference)[:1]
        or Customer.objects.live().filter(email_key=reference.casefold())[:2]
    )
    if len(matches) != 1:
        problem = "Several customers have" if matches else "No customer has"
        raise ValidationError(f"{problem} the ID or email “{reference}”.")
    return matches[0]


@permission_required(VIEW_INVOICE, raise_exception=True)
@vary_on_headers("HX-Request")
def invoice_detail(request, public_id):
    invoice = _invoice(public_id)
    template = "billing/invoice_detail.html"
    if is_fragment(request):
        template += "#invoice"
    return render(request, template, {"invoice": invoice})


@permission_required("billing.change_invoice", raise_exception=True)
def invoice_edit(request, public_id):
    invoice = _invoice(public_id)
    initial = {"days_until_due": invoice.days_until_due, "coupon": invoice.coupon,
               "memo": invoice.memo, "footer": invoice.footer}  # fmt: skip
    form = InvoiceEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.invoice_update(invoice=invoice, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, validation_messages(error))
        else:
            return _changed(request, "invoiceChanged", "Draft updated.", invoice)
    context = {"form": form, "invoice": invoice}
    return render_dialog(request, "billing/_invoice_edit_dialog.html", context, _status(request))


@permission_required("billing.change_invoice", raise_exception=True)
def line_add(request, public_id):
    invoice = _invoice(public_id)
    customer = invoice.customer
    form = ItemForm(request.POST or None, customer=customer, currency=invoice.currency)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_add(customer=customer, invoice=invoice, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, validation_messages(error))
        else:
            return _changed(request, "invoiceChanged", "Line added.", invoice)
    context = {"form": form, "customer": customer, "invoice": invoice}
    return render_dialog(request, "billing/_item_dialog.html", context, _status(request))


# What each action on an invoice does, asks and says.
INVOICE_ACTIONS = {
    "finalize": (services.invoice_finalize, "Finalize invoice",
                 "Finalizing numbers the invoice, freezes it and applies the customer's "
                 "credit balance in its currency. It cannot be edited afterwards.",
                 "Invoice {number} finalized."),
    "pay": (services.invoice_mark_paid, "Mark as paid",
            "Record that the customer paid the amount remaining outside the app.",
            "Invoice {number} marked as paid."),
    "void": (services.invoice_void, "Void invoice",
             "Voiding cancels the invoice for good; credit it took from the balance goes back.",
             "Invoice {number} voided."),
    "uncollectible": (services.invoice_mark_uncollectible, "Mark as uncollectible",
                      "Record that you don't expect this invoice to be paid. It can still be "
                      "paid or voided later.", "Invoice {number} marked as uncollectible."),
    "delete": (services.invoice_delete, "Delete draft",
               "The draft is deleted; its lines go back to the customer's pending items.",
               "Draft deleted."),
}  # fmt: skip


@permission_required("billing.change_invoice", raise_exception=True)
def invoice_action(request, public_id, action):
    if action not in INVOICE_ACTIONS:
        raise Http404("No such action.")
    service, title, explanation, done = INVOICE_ACTIONS[action]
    invoice = _invoice(public_id)
    errors = []
    if request.method == "POST":
        try:
            result = service(invoice=invoice)
        except ValidationError as error:
            errors = validation_messages(error)
        else:
            if action == "delete":
                return _to(request, invoice.customer)
            return _changed(request, "invoiceChanged", done.format(number=result.number), result)
    context = {"invoice": invoice, "action_name": action, "title": title,
               "explanation": explanation, "errors": errors}  # fmt: skip
    return render_dialog(
        request, "billing/_invoice_action_dialog.html", context, 422 if errors else 200
    )


# PDFs


@permission_required(VIEW_INVOICE, raise_exception=True)
def invoice_pdf(request, public_id):
    invoice = _invoice(public_id)
    language = _pdf_language(request)
    name = invoice.number or f"draft-{invoice.public_id}"
    return _pdf_response(pdf.invoice_pdf(invoice, language), name, request)


@permission_required("billing.view_creditnote", raise_exception=True)
def credit_note_pdf(request, public_id):
    note = _credit_note(public_id)
    return _pdf_response(pdf.credit_note_pdf(note, _pdf_language(request)), note.number, request)


def _pdf_language(request):
    """?language=de renders in another supported language than the customer's."""
    language = request.GET.get("language", "")
    return language if language in DOCUMENT_LANGUAGES else None


def _pdf_response(content, name, request):
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if request.GET.get("view") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}.pdf"'
    return response


# Credit notes


@permission_required("billing.add_creditnote", raise_exception=True)
def credit_note_create(request, public_id):
    invoice = _invoice(public_id)
    lines = list(invoice.lines.all())
    form = CreditNoteForm(request.POST or None, invoice=invoice, lines=lines)
    if request.method == "POST" and form.is_valid():
        try:
            note = services.credit_note_issue(
                invoice=invoice, created_by=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            # The refund limit beside the refund field; the rest at the dialog's top.
            for field, errors in error.update_error_dict({}).items():
                form.add_error("refund_amount" if field == "refund_amount" else None, errors)
        else:
            return _changed(
                request, "invoiceChanged", f"Credit note {note.number} issued.", invoice
            )
    context = {"form": form, "invoice": invoice}
    return render_dialog(request, "billing/_credit_note_dialog.html", context, _status(request))


def _credit_note(public_id):
    return get_object_or_404(
        CreditNote.objects.select_related("invoice", "invoice__customer").prefetch_related("lines"),
        public_id=public_id,
    )


@permission_required("billing.view_creditnote", raise_exception=True)
def credit_note_detail(request, public_id):
    return render(request, "billing/credit_note_detail.html", {"note": _credit_note(public_id)})


@permission_required("billing.change_creditnote", raise_exception=True)
def credit_note_void(request, public_id):
    note = _credit_note(public_id)
    errors = []
    if request.method == "POST":
        try:
            services.credit_note_void(credit_note=note, created_by=request.user)
        except ValidationError as error:
            errors = validation_messages(error)
        else:
            return _changed(request, "invoiceChanged", f"Credit note {note.number} voided.", note)
    context = {"note": note, "errors": errors}
    return render_dialog(
        request, "billing/_credit_note_void_dialog.html", context, 422 if errors else 200
    )
