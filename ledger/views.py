from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.views.decorators.vary import vary_on_headers

from core.forms import validation_messages
from core.htmx import (
    add_service_error,
    done,
    export_refused,
    is_fragment,
    render_form_dialog,
)
from core.money_format import format_money
from customers.forms import CustomerProfileForms
from customers.selectors import customer_duplicates, live_customer_or_404
from customers.views import shows_deleted_customer

from . import exports, selectors, services
from .charts import balance_charts
from .forms import AdjustBalanceForm, StartingBalanceForm, TransactionDescriptionForm
from .models import BalanceTransaction


def _amount_words(posted):
    """'$10.00 credit': what a posting did, for messages (never its cbtxn_ ID, which
    staff do not see)."""
    kind = "credit" if posted.amount < 0 else "debit"
    return f"{format_money(abs(posted.amount), posted.currency)} {kind}"


def _transaction(customer, transaction_id):
    return get_object_or_404(
        BalanceTransaction.objects.select_related("customer"),
        customer=customer,
        public_id=transaction_id,
    )


@permission_required("customers.add_customer", raise_exception=True)
def customer_add(request):
    """The Add customer dialog: the profile and, for whoever may post to the ledger, a
    starting balance. It is the ledger's because it writes both, and customers imports
    nothing from the ledger."""
    profile = CustomerProfileForms(request.POST or None)
    profile_valid = profile.is_valid()  # False when not posted
    starting = StartingBalanceForm(
        request.POST or None,
        prefix="starting_balance",
        # Without a currency of its own, the starting balance is in the customer's.
        customer_currency=(
            profile.form.cleaned_data.get("default_currency") if profile.form.is_bound else None
        ),
    )
    duplicates = []
    if profile_valid & starting.is_valid():
        form = profile.form
        opening = starting.cleaned_data["signed_amount"]
        if not form.cleaned_data["create_anyway"]:
            duplicates = customer_duplicates(
                name=form.cleaned_data["name"], email=form.cleaned_data["email"]
            )
        if not duplicates:
            try:
                customer = services.customer_create_with_balance(
                    **profile.service_kwargs(),
                    opening_amount=opening,
                    opening_currency=starting.cleaned_data["currency"],
                    created_by=request.user,
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return done(request, f"Added {customer}.", customer, event="customersChanged")
    context = {"profile": profile, "starting": starting, "duplicates": duplicates}
    return render_form_dialog(request, "ledger/_customer_add_dialog.html", context)


@permission_required("ledger.view_balancetransaction", raise_exception=True)
@vary_on_headers("HX-Request")
@shows_deleted_customer
def credit_balance(request, public_id):
    """The Credit balance section: balances and history. A fragment for htmx (the
    customer page refreshes it after a change), a page of its own otherwise."""
    customer = live_customer_or_404(public_id)
    filters, history = selectors.customer_history(customer, request.GET, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "customer": customer,
        "balances": selectors.customer_balances(customer),
        "balance_charts": balance_charts(customer),
        "filters": filters,
        "history": history,
        "query": query.urlencode(),  # the filters, for the export and the other pages
    }
    template = "ledger/credit_balance.html"
    if is_fragment(request):
        template += "#section"
    return render(request, template, context)


@permission_required("ledger.add_balancetransaction", raise_exception=True)
def balance_adjust(request, public_id):
    customer = live_customer_or_404(public_id)
    form = AdjustBalanceForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            posted = services.balance_adjust(
                customer=customer,
                amount=form.cleaned_data["signed_amount"],
                currency=form.cleaned_data["currency"],
                internal_note=form.cleaned_data["internal_note"],
                created_by=request.user,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            message = f"Balance adjusted: {_amount_words(posted)}."
            return done(request, message, customer, event="balanceChanged")
    context = {"form": form, "customer": customer}
    return render_form_dialog(request, "ledger/_adjust_balance_dialog.html", context)


@permission_required("ledger.add_balancetransaction", raise_exception=True)
def transaction_reverse(request, public_id, transaction_id):
    customer = live_customer_or_404(public_id)
    original = _transaction(customer, transaction_id)
    errors = []
    if request.method == "POST":
        try:
            reversal = services.transaction_reverse(
                original=original,
                created_by=request.user,
                idempotency_key=f"reverse-{original.public_id}",
            )
        except ValidationError as error:
            errors = validation_messages(error)
        else:
            message = f"Adjustment reversed: {_amount_words(reversal)} posted."
            return done(request, message, customer, event="balanceChanged")
    context = {"customer": customer, "original": original, "errors": errors}
    return render_form_dialog(request, "ledger/_reverse_dialog.html", context)


@permission_required("ledger.change_balancetransaction", raise_exception=True)
def transaction_edit(request, public_id, transaction_id):
    customer = live_customer_or_404(public_id)
    posted = _transaction(customer, transaction_id)
    initial = {"description": posted.description, "metadata": posted.metadata}
    form = TransactionDescriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.transaction_describe(balance_transaction=posted, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            message = "Transaction updated."
            return done(request, message, customer, event="balanceChanged")
    context = {"form": form, "customer": customer, "posted": posted}
    return render_form_dialog(request, "ledger/_transaction_dialog.html", context)


@permission_required(
    ["ledger.view_balancetransaction", "ledger.export_balancetransaction"], raise_exception=True
)
def transactions_export(request, public_id):
    """The customer's balance transactions as CSV (streamed) or, with ?format=xlsx,
    XLSX, oldest first, filtered by TransactionFilter: amounts in minor units (as
    stored) and in major units."""
    customer = live_customer_or_404(public_id)
    filterset = selectors.transaction_list(customer=customer, params=request.GET)
    if not filterset.is_valid():
        return export_refused(request)
    if request.GET.get("format") == "xlsx":
        return exports.transactions_xlsx_response(filterset.qs, customer)
    return exports.transactions_csv_response(filterset.qs, customer)
