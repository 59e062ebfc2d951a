"""Send invoice, Send credit note and Resend: a dialog that shows whom the email goes to
and takes a CC; billing.services.emails checks and queues it, billing.tasks sends it."""

from collections.abc import Callable

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from core.htmx import done, refuse, render_form_dialog

from .. import emails, services
from ..forms import SendEmailForm
from ..models import CreditNote, DocumentEmail, Invoice
from .shared import invoice_or_404

SEND = "billing.send_invoice"


@permission_required(["billing.view_invoice", SEND], raise_exception=True)
def invoice_send(request: HttpRequest, public_id: str) -> HttpResponse:
    invoice = invoice_or_404(public_id)

    def send(cc: list[str]) -> DocumentEmail:
        return services.email_invoice(invoice=invoice, cc=cc, user=request.user)

    title = "Send invoice"
    return _send_dialog(request, invoice, invoice, title, f"Invoice {invoice.number}", send)


@permission_required(["billing.view_creditnote", SEND], raise_exception=True)
def credit_note_send(request: HttpRequest, public_id: str) -> HttpResponse:
    note = get_object_or_404(
        CreditNote.objects.select_related("invoice", "invoice__customer"), public_id=public_id
    )

    def send(cc: list[str]) -> DocumentEmail:
        return services.email_credit_note(note=note, cc=cc, user=request.user)

    title = "Send credit note"
    return _send_dialog(request, note, note.invoice, title, f"Credit note {note.number}", send)


@require_POST
@permission_required(SEND, raise_exception=True)
def email_resend(request: HttpRequest, public_id: str) -> HttpResponse:
    email = get_object_or_404(
        DocumentEmail.objects.select_related("invoice", "credit_note"), public_id=public_id
    )
    try:
        new = services.email_resend(email=email, user=request.user)
    except emails.EmailRefused as error:
        return refuse(request, str(error), email.document)
    message = f"Sending again to {', '.join(new.to)}."
    return done(request, message, email.document, event="invoiceChanged")


def _send_dialog(
    request: HttpRequest,
    document: Invoice | CreditNote,
    invoice: Invoice,
    title: str,
    name: str,
    send: Callable[[list[str]], DocumentEmail],
) -> HttpResponse:
    """GET shows whom it goes to; POST queues it, or shows why not, the CC kept."""
    form = SendEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            email = send(form.cleaned_data["cc"])
        except emails.EmailRefused as error:
            form.add_error(None, str(error))
        else:
            message = f"{name} is being sent to {', '.join(email.to)}."
            return done(request, message, document, event="invoiceChanged")
    context = {"form": form, "document": document, "title": title, "name": name,
               "to": emails.recipients(invoice.customer)}  # fmt: skip
    return render_form_dialog(request, "billing/_send_email_dialog.html", context)
