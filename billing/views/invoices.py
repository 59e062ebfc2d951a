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

from .. import exports, pdf, selectors, services
from ..customer_lookup import customer_to_invoice
from ..filters import STATUS_TABS
from ..forms import InvoiceCreateForm, InvoiceEditForm, ItemForm, NewCustomerForm
from .shared import VIEW_INVOICE, invoice_or_404, pdf_download


@permission_required(VIEW_INVOICE, raise_exception=True)
@vary_on_headers("HX-Request")
def invoice_list(request):
    filterset = selectors.invoice_list(params=request.GET)
    page = selectors.invoice_page(filterset)
    tab_query = _query_without(request, "after", "before", "status")
    context = {"filterset": filterset, "page": page, "is_fragment": is_fragment(request),
               "query": _query_without(request, "after", "before"),
               "tabs": _tabs(request.GET.get("status", ""), tab_query)}  # fmt: skip
    template = "billing/invoice_list.html"
    if is_fragment(request):
        template += "#table"
    return render(request, template, context)


@permission_required(VIEW_INVOICE, raise_exception=True)
def invoice_overview(request):
    """The Invoices page's figures, loaded after its table (counting takes longer than
    showing fifty rows): the range shown ("51–100 of 7,214"), each tab's count and the
    outstanding and past-due totals per currency."""
    filterset = selectors.invoice_list(params=request.GET)
    counts = selectors.invoice_tab_counts(request.GET)
    total = selectors.invoice_count_for(counts, request.GET.get("status", ""))
    first = selectors.invoice_offset(filterset, request.GET.get("first", "")) + 1
    shown = _whole_number(request.GET.get("shown"), most=selectors.PAGE_SIZE)
    filterset.qs  # noqa: B018 (runs the Customer filter, which says if it was cut short)
    match = filterset.customer_match
    context = {"counts": counts, "total": total, "first": first,
               "last": min(first + shown - 1, total),
               "short_match": match if match and match.cut_short else None,
               "outstanding": selectors.invoice_outstanding(request.GET)}  # fmt: skip
    return render(request, "billing/invoice_list.html#overview", context)


def _tabs(current: str, query: str) -> list[dict[str, object]]:
    """The status tabs: value, label, the page's URL query with the other filters
    kept, and whether it is the one shown."""
    return [
        {"value": value or "all", "label": label, "current": value == current,
         "query": "&".join(part for part in (query, f"status={value}" if value else "") if part)}
        for value, label in STATUS_TABS
    ]  # fmt: skip


def _query_without(request, *names):
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def _whole_number(text: str | None, *, most: int) -> int:
    """A count from the URL: ASCII digits only (isdigit() takes "²", which int()
    refuses), and short (int() refuses over 4,300 digits); anything else is 0."""
    if not text or not text.isascii() or not text.isdecimal() or len(text) > 9:
        return 0
    return min(int(text), most)


@permission_required([VIEW_INVOICE, "billing.export_invoice"], raise_exception=True)
def invoice_export(request):
    filterset = selectors.invoice_list(params=request.GET)
    if not filterset.is_valid():
        return export_refused(request)
    invoices = filterset.qs  # runs the Customer filter, which says if it was cut short
    if filterset.customer_match and filterset.customer_match.cut_short:
        return export_refused(request, filterset.customer_match.cut_short)
    if request.GET.get("format") == "xlsx":
        return exports.invoices_xlsx_response(invoices)
    return exports.invoices_csv_response(invoices)


@permission_required("billing.add_invoice", raise_exception=True)
def invoice_create(request):
    """Create invoice from the Invoices page: for a customer found by ID, email or name,
    or one added here and now."""
    given = request.POST if request.method == "POST" else request.GET
    customer_ref = given.get("customer", "").strip()
    # Who the invoice is for, as the dialog is filled in (it asks again on each change):
    # the currencies offered are that customer's, by the customer page's own rule.
    match = customer_to_invoice(customer_ref)
    adding = any(given.get(f"new-{name}") for name in NewCustomerForm.base_fields)
    if match.one is not None and not adding:
        customer = match.one
        terms = {"customer": customer, "currencies": services.invoice_currencies(customer)}
    else:
        terms = {"currencies": [given.get("new-default_currency", "")]}
    form = InvoiceCreateForm(request.POST or None, initial=_entered(given), **terms)
    new_customer = NewCustomerForm(request.POST or None, prefix="new")
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
    context = {"form": form, "new_customer": new_customer, "customer_ref": customer_ref,
               "match": match, "adding": adding,
               "defaults": {name: form.fields[name].initial for name in _KEPT}}  # fmt: skip
    return render_form_dialog(request, "billing/_new_invoice_dialog.html", context)


_KEPT = ("currency", "days_until_due")


def _entered(given) -> dict[str, str]:
    """What the user chose in the dialog, sent along as it asks again for a customer's
    currencies: the currency (the form keeps it while still offered) and Days until due,
    each unless it is only the default shown for the previous customer (`<name>_default`)."""
    entered = {name: given.get(name, "").strip() for name in _KEPT}
    return {
        name: value
        for name, value in entered.items()
        if value and value != given.get(f"{name}_default", "")
    }


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
    return pdf_download(
        request,
        lambda language: pdf.invoice_pdf(invoice, language),
        name,
        pdf.customer_languages(invoice),
    )
