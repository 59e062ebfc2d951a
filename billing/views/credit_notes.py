"""Credit notes: issuing one against an invoice, its page, voiding it and its PDF."""

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render

from core.forms import validation_messages
from core.htmx import add_service_error, done, render_form_dialog

from .. import pdf, services
from ..forms import CreditNoteForm
from ..models import CreditNote
from .shared import invoice_or_404, pdf_download


@permission_required("billing.add_creditnote", raise_exception=True)
def credit_note_create(request, public_id):
    invoice = invoice_or_404(public_id)
    lines = list(invoice.lines.all())
    form = CreditNoteForm(request.POST or None, invoice=invoice, lines=lines)
    if request.method == "POST" and form.is_valid():
        try:
            note = services.credit_note_issue(
                invoice=invoice, created_by=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_error(form, error)  # the refund limit beside the refund field
        else:
            message = f"Credit note {note.number} issued."
            return done(request, message, invoice, event="invoiceChanged")
    context = {"form": form, "invoice": invoice}
    return render_form_dialog(request, "billing/_credit_note_dialog.html", context)


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
            message = f"Credit note {note.number} voided."
            return done(request, message, note, event="invoiceChanged")
    context = {"note": note, "errors": errors}
    return render_form_dialog(request, "billing/_credit_note_void_dialog.html", context)


@permission_required("billing.view_creditnote", raise_exception=True)
def credit_note_pdf(request, public_id):
    note = _credit_note(public_id)
    return pdf_download(
        request,
        lambda language: pdf.credit_note_pdf(note, language),
        note.number,
        pdf.customer_languages(note.invoice),
    )
