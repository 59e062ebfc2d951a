from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from core.exports import csv_download
from core.htmx import (
    add_service_error,
    done,
    export_refused,
    go_to,
    is_fragment,
    refuse,
    render_dialog,
    render_form_dialog,
)

from . import exports, selectors, services, tasks
from .forms import BulkDeleteForm, CustomerProfileForms, ImportConfirmForm, ImportUploadForm
from .imports import downloads as import_downloads
from .imports import services as import_services
from .models import Customer, CustomerImport
from .selectors import live_customer_or_404


@permission_required("customers.view_customer", raise_exception=True)
@vary_on_headers("HX-Request")
def customer_list(request):
    filterset = selectors.customer_list(params=request.GET)
    page = selectors.customer_page(filterset)
    # The ledger's balances for the Balance column, in one query for the page.
    prefetch_related_objects(page.items, "balances")
    sort_query = _query_without(request, "after", "before", "sort")
    context = {
        "filterset": filterset,
        "page": page,
        "query": _query_without(request, "after", "before"),
        "sort_query": sort_query + "&" if sort_query else "",
        "is_fragment": is_fragment(request),
    }
    template = "customers/list.html"
    if context["is_fragment"]:
        template += "#table"
    return render(request, template, context)


@permission_required("customers.view_customer", raise_exception=True)
def customer_count(request):
    """The number of customers matching the filters, loaded after the table: counting
    a million rows takes longer than showing the first fifty."""
    filterset = selectors.customer_list(params=request.GET, counting=True)
    return render(request, "customers/list.html#count", {"count": filterset.qs.count()})


def _query_without(request, *names):
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def shows_deleted_customer(view):
    """For the pages of one customer (here, the ledger's and billing's): when the
    customer was deleted, a page saying so, with Restore for those allowed, instead of
    a bare 404. Still a 404 (the customer is not there; restoring brings the page
    back): its invoices and credit notes link to these pages. Only to those who may
    view customers: billing's and the ledger's rights do not show who deleted whom."""

    @wraps(view)
    def page(request, public_id, *args, **kwargs):
        try:
            return view(request, public_id, *args, **kwargs)
        except Http404:
            if not request.user.has_perm("customers.view_customer"):
                raise
            deleted = selectors.deleted_customer(public_id)
            if deleted is None:
                raise
            return render(request, "customers/deleted.html", {"customer": deleted}, status=404)

    return page


@permission_required("customers.view_customer", raise_exception=True)
@shows_deleted_customer
def customer_detail(request, public_id):
    customer = live_customer_or_404(public_id)
    return render(request, "customers/detail.html", {"customer": customer})


@require_POST
@permission_required("customers.restore_customer", raise_exception=True)
def customer_restore(request, public_id):
    customer = selectors.deleted_customer(public_id)
    if customer is None:
        raise Http404("No such deleted customer.")
    services.customers_restore(customers=[customer])
    return go_to(request, customer, f"Restored {customer}.")


@permission_required("customers.change_customer", raise_exception=True)
def customer_edit(request, public_id):
    customer = live_customer_or_404(public_id)
    profile = CustomerProfileForms(request.POST or None, customer=customer)
    if request.method == "POST" and profile.is_valid():
        try:
            services.customer_update(customer=customer, **profile.service_kwargs())
        except ValidationError as error:
            add_service_error(profile.form, error)
        else:
            # No event: the profile shows all over the page (heading, sections), so
            # htmx reloads it whole.
            return done(request, "Customer updated.", customer)
    context = {"profile": profile, "customer": customer}
    return render_form_dialog(request, "customers/_edit_dialog.html", context)


@permission_required("customers.delete_customer", raise_exception=True)
def customer_delete(request, public_id):
    customer = live_customer_or_404(public_id)
    if request.method == "POST":
        services.customer_delete(customer=customer, deleted_by=request.user)
        return go_to(request, reverse("customers:list"), f"Deleted {customer}.")
    return render_dialog(request, "customers/_delete_dialog.html", {"customer": customer})


@require_POST
@permission_required("customers.delete_customer", raise_exception=True)
def customer_bulk_delete(request):
    form = BulkDeleteForm(request.POST, queryset=Customer.objects.live())
    if form.is_valid() and form.cleaned_data["confirm"]:
        count = services.customers_delete(
            customers=form.cleaned_data["customer"], deleted_by=request.user
        )
        message = f"Deleted {count} customer{'s' if count != 1 else ''}."
        return done(request, message, reverse("customers:list"), event="customersChanged")
    # Asking to confirm the selection is no failed form: 200.
    return render_dialog(request, "customers/_bulk_delete_dialog.html", {"form": form})


@permission_required(["customers.view_customer", "customers.export_customer"], raise_exception=True)
def customer_export(request):
    filterset = selectors.customer_list(params=request.GET)
    if not filterset.is_valid():
        return export_refused(request)
    customers = selectors.customers_sorted(filterset)
    every_customer = not filterset.is_filtered
    if request.GET.get("format") == "xlsx":
        return exports.xlsx_response(customers, every_customer=every_customer)
    return exports.csv_response(customers, every_customer=every_customer)


# Files this small are checked and imported within the request; larger ones by the
# worker. An XLSX workbook counts unpacked: 140 KB of one held 1,000,000 rows.
INLINE_IMPORT_BYTES = 256 * 1024


@permission_required("customers.import_customer", raise_exception=True)
def import_new(request):
    bound = request.method == "POST"
    form = ImportUploadForm(request.POST if bound else None, request.FILES if bound else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        record = import_services.import_create(
            data=upload.read(),
            file_name=upload.name,
            user=request.user,
            match_by_email=form.cleaned_data["match_by_email"],
        )
        if import_services.import_size(record) <= INLINE_IMPORT_BYTES:
            import_services.import_check(record)
        else:
            tasks.check_customer_import.enqueue(record.pk)
        return redirect(record)
    return render_form_dialog(request, "customers/_import_dialog.html", {"form": form})


@permission_required("customers.import_customer", raise_exception=True)
@vary_on_headers("HX-Request")
def import_detail(request, public_id):
    """The check's findings and the Import button; while the worker runs, the status
    part polls itself (htmx) until it is done."""
    record = get_object_or_404(CustomerImport, public_id=public_id)
    template = "customers/import.html#status" if is_fragment(request) else "customers/import.html"
    context = {
        "record": record,
        "errors": record.errors[:200],
        "form": ImportConfirmForm(),
        "error_rows": import_downloads.can_download_error_rows(record),
    }
    return render(request, template, context)


@require_POST
@permission_required("customers.import_customer", raise_exception=True)
def import_confirm(request, public_id):
    record = get_object_or_404(CustomerImport, public_id=public_id)
    form = ImportConfirmForm(request.POST)
    form.is_valid()
    valid_rows_only = form.cleaned_data.get("valid_rows_only", False)
    if not record.can_import(valid_rows_only):
        return refuse(request, "This file cannot be imported as it is.", record)
    if import_services.import_size(record) <= INLINE_IMPORT_BYTES:
        try:
            import_services.import_apply(record, valid_rows_only=valid_rows_only)
        except import_services.ImportRefused as refused:
            # Not refuse(): the record has changed (it failed, and says why), so the
            # page is shown again with the message, htmx or not.
            messages.error(request, str(refused))
    else:
        import_services.import_start(record, valid_rows_only=valid_rows_only)
        tasks.apply_customer_import.enqueue(record.pk, valid_rows_only, request.user.pk)
    return redirect(record)


@permission_required("customers.import_customer", raise_exception=True)
def import_template(request):
    """A CSV of the columns an import reads, with one example customer."""
    return csv_download(import_downloads.template_rows(), "customers-import-template.csv")


@permission_required("customers.import_customer", raise_exception=True)
def import_error_rows(request, public_id):
    """The checked file's invalid rows as uploaded, with an `error` column."""
    record = get_object_or_404(CustomerImport, public_id=public_id)
    if not import_downloads.can_download_error_rows(record):
        raise Http404("This import has no invalid rows to download.")
    # The uploaded name, printable characters only (a line break cannot go in a
    # header); csv_download quotes or encodes the rest.
    stem = "".join(c for c in record.file_name.rsplit(".", 1)[0] if c.isprintable())
    stem = stem or "customers"
    return csv_download(import_downloads.error_rows(record), f"{stem}-errors.csv")
