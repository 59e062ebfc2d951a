"""What the billing views share: the invoice getter and the PDF answer (the dialog
answers are core.htmx's)."""

from django.http import Http404, HttpResponse

from customers.reference import DOCUMENT_LANGUAGES

from .. import selectors
from ..models import Invoice

VIEW_INVOICE = "billing.view_invoice"


def invoice_or_404(public_id):
    try:
        return selectors.invoice_detail(Invoice.objects.all(), public_id)
    except Invoice.DoesNotExist:
        raise Http404("No such invoice.") from None


def pdf_language(request):
    """?language=de renders in another supported language than the customer's."""
    language = request.GET.get("language", "")
    return language if language in DOCUMENT_LANGUAGES else None


def pdf_response(content, name, request):
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if request.GET.get("view") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}.pdf"'
    return response
