"""What the billing views share: the invoice getter and the PDF answer (the dialog
answers are core.htmx's)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render

from customers.reference import normalize_language_tag

from .. import documents, selectors
from ..models import Invoice

VIEW_INVOICE = "billing.view_invoice"


def invoice_or_404(public_id):
    try:
        return selectors.invoice_detail(Invoice.objects.all(), public_id)
    except Invoice.DoesNotExist:
        raise Http404("No such invoice.") from None


def pdf_download(request, render_pdf, name, preferred_locales):
    """The PDF in the customer's language, or in ?language= (any supported tag, in any
    case: `fr-ca`); an unsupported ?language= is a 400 page that names it and offers the
    languages there are, not a document in another language than was asked for."""
    requested = request.GET.get("language", "").strip()
    language = normalize_language_tag(requested) if requested else None
    if requested and language is None:
        context = {"requested": requested, "path": request.path,
                   "languages": documents.language_menu(preferred_locales)}  # fmt: skip
        return render(request, "billing/pdf/unsupported_language.html", context, status=400)
    return pdf_response(render_pdf(language), name, request)


def pdf_response(content, name, request):
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if request.GET.get("view") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}.pdf"'
    return response
