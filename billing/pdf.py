"""Invoice and credit-note PDFs with WeasyPrint, in the customer's language.

Issued documents render from the snapshots taken at finalization, so the same document
always says the same; drafts render from the customer and seller as they are now, marked
DRAFT. WeasyPrint may read our static files and data: URLs, nothing else.
"""

import mimetypes
import re
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from customers.models import AmountTaxDisplay, EntityLogo, TaxExempt

from . import snapshots
from .documents import (
    Formatter,
    babel_locale,
    direction,
    document_language,
    page_size,
    tax_id_label,
)
from .models import (
    CreditNote,
    CreditNoteReason,
    CreditNoteStatus,
    Invoice,
    InvoiceItem,
    InvoiceStatus,
)
from .snapshots import Snapshot, snapshot_address
from .totals import round_half_up

STATIC_DIR = (Path(settings.BASE_DIR) / "static").resolve()


class StaticFilesOnly(URLFetcher):
    """Serves WeasyPrint data: URLs and files under static/; refuses everything else
    (other files, http, ftp, …) and never follows a redirect."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, timeout=2)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = url.partition(":")[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if path.is_relative_to(STATIC_DIR) and path.is_file():
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    url, body=path.read_bytes(), headers={"Content-Type": content_type}
                )
        raise ValueError(f"Not fetched: only our static files may be used ({url[:80]})")


_local = threading.local()


def _styles() -> tuple[CSS, FontConfiguration]:
    """The stylesheet, parsed once per thread with the thread's font configuration
    (WeasyPrint's are not shared between threads): parsing it and loading fonts again
    for every document cost more than laying out a one-page invoice."""
    if not hasattr(_local, "css"):
        _local.fonts = FontConfiguration()
        _local.css = CSS(
            string=(STATIC_DIR / "css" / "pdf.css").read_text(),
            font_config=_local.fonts,
            url_fetcher=StaticFilesOnly(),
            # Its URLs are relative to itself, as in a browser, so that collectstatic's
            # hashed names (make run) can rewrite them.
            base_url=(STATIC_DIR / "css" / "pdf.css").as_uri(),
        )
    return _local.css, _local.fonts


def _render(template: str, doc: dict[str, Any]) -> bytes:
    html = render_to_string(template, {"doc": doc})
    css, fonts = _styles()
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=StaticFilesOnly())
    return document.write_pdf(stylesheets=[css], font_config=fonts)


def invoice_pdf(invoice: Invoice, language: str | None = None) -> bytes:
    """The invoice's PDF as bytes."""
    customer, seller = _parties(invoice)
    language = document_language(customer["preferred_locales"], language)
    with translation.override(language):
        doc = invoice_document(invoice, customer, seller, language)
        return _render("billing/pdf/invoice.html", doc)


def credit_note_pdf(note: CreditNote, language: str | None = None) -> bytes:
    invoice = note.invoice
    customer, seller = _parties(invoice)
    language = document_language(customer["preferred_locales"], language)
    with translation.override(language):
        doc = credit_note_document(note, customer, seller, language)
        return _render("billing/pdf/credit_note.html", doc)


def customer_languages(invoice: Invoice) -> list[str]:
    """The customer's preferred languages its documents follow: as at finalization, or
    as they are now for a draft (as _parties)."""
    customer = _parties(invoice)[0] if not invoice.is_draft else None
    if customer is None:
        return list(invoice.customer.preferred_locales or [])
    return list(customer.get("preferred_locales") or [])


def _parties(invoice: Invoice) -> tuple[Snapshot, Snapshot]:
    if invoice.is_draft:
        return (
            snapshots.customer_snapshot(invoice.customer),
            snapshots.seller_snapshot(invoice.customer.legal_entity),
        )
    # Finalization took both snapshots.
    return cast(Snapshot, invoice.customer_snapshot), cast(Snapshot, invoice.seller_snapshot)


def _common(customer: Snapshot, seller: Snapshot, language: str, draft: bool) -> dict[str, Any]:
    logo = (
        EntityLogo.objects.filter(sha256=seller.get("logo")).first() if seller.get("logo") else None
    )
    # "Page 2 of 3" in the language's word order, as CSS content with page counters.
    counters = {"%(page)s": "counter(page)", "%(pages)s": "counter(pages)"}
    parts = re.split(r"(%\(pages?\)s)", gettext("Page %(page)s of %(pages)s"))
    counter = " ".join(counters.get(part) or _css_string(part) for part in parts if part)
    # Addresses in their country's order with the country named in this language (old
    # snapshots kept only English lines); tax ID types named in it too.
    locale = babel_locale(language)
    return {
        "language": language,
        "direction": direction(language),
        "page_size": page_size(customer.get("address_country"), seller.get("address_country")),
        "page_counter": counter,
        "draft": draft,
        "customer": customer,
        "seller": seller,
        "logo": logo.data_uri if logo else "",
        "seller_address": snapshot_address(seller, "address", locale),
        "customer_address": snapshot_address(customer, "address", locale),
        "shipping_address": snapshot_address(customer, "shipping_address", locale),
        "tax_ids": [
            {"label": tax_id_label(tax_id), "value": tax_id["value"]}
            for tax_id in customer.get("tax_ids", [])
        ],
    }


def _css_string(text: str) -> str:
    if not text:
        return ""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def invoice_document(
    invoice: Invoice, customer: Snapshot, seller: Snapshot, language: str
) -> dict[str, Any]:
    fmt = Formatter(language, invoice.currency)
    # "Exclude tax": lines and discounts shown without the tax included in them.
    exclude_tax = customer.get("amount_tax_display") == AmountTaxDisplay.EXCLUDE_TAX
    lines, subtotal, discount = [], 0, 0
    for line in invoice.lines.all():
        shown = _net if exclude_tax else (lambda amount, _line: amount)
        amount, line_discount = shown(line.amount, line), shown(line.discount_amount, line)
        subtotal += amount
        discount += line_discount
        lines.append({
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": fmt.money(round_half_up(Decimal(amount) / line.quantity)),
            "tax": ", ".join(fmt.percent(t["percentage"]) for t in line.tax_amounts),
            "amount": fmt.money(amount),
            "discount": fmt.negative(line_discount) if line_discount else "",
        })  # fmt: skip
    issued = invoice.finalized_at or timezone.now()
    doc = _common(customer, seller, language, invoice.is_draft)
    # What a paid, void or uncollectible invoice is stamped with; a paid or void one has
    # nothing due, so its headline is the stamp instead of "… due …".
    stamps: dict[str, str] = {
        InvoiceStatus.PAID: gettext("Paid"),
        InvoiceStatus.VOID: gettext("Void"),
        InvoiceStatus.UNCOLLECTIBLE: gettext("Uncollectible"),
    }
    doc.update({
        "status": invoice.status,
        "stamp": stamps.get(invoice.status, ""),
        "settled": invoice.status in (InvoiceStatus.PAID, InvoiceStatus.VOID),
        "number": invoice.number or gettext("DRAFT"),
        "issued": fmt.date(issued),
        "due": fmt.date(invoice.due_date),
        "custom_fields": customer.get("invoice_custom_fields", []),
        "memo": invoice.memo,
        "footer": invoice.footer,
        "lines": lines,
        "has_tax": any(line["tax"] for line in lines),
        "subtotal": fmt.money(subtotal),
        "discount": fmt.negative(discount) if discount else "",
        "coupon": invoice.coupon.name if invoice.coupon else "",
        "total_excluding_tax": fmt.money(invoice.total - invoice.tax) if invoice.tax else "",
        "taxes": [
            {"name": t["display_name"], "percent": fmt.percent(t["percentage"]),
             "inclusive": t["inclusive"], "amount": fmt.money(t["amount"])}
            for t in invoice.tax_amounts
        ],
        "total": fmt.money(invoice.total),
        "applied_balance": fmt.money(invoice.applied_balance) if invoice.applied_balance else "",
        "amount_due": fmt.money(invoice.amount_due),
        "amount_paid": fmt.money(invoice.amount_paid) if invoice.amount_paid else "",
        "credit_notes": fmt.negative(invoice.credit_notes_total)
        if invoice.credit_notes_total else "",
        "amount_remaining": fmt.money(invoice.amount_remaining),
        "reverse_charge": customer.get("tax_exempt") == TaxExempt.REVERSE,
    })  # fmt: skip
    return doc


def _net(amount: int, line: InvoiceItem) -> int:
    """`amount` of this line without the inclusive tax in it."""
    rates = sum(Decimal(t["percentage"]) for t in line.tax_amounts if t["inclusive"])
    return amount - round_half_up(Decimal(amount) * rates / (100 + rates)) if rates else amount


def credit_note_document(
    note: CreditNote, customer: Snapshot, seller: Snapshot, language: str
) -> dict[str, Any]:
    fmt = Formatter(language, note.currency)
    invoice = note.invoice
    doc = _common(customer, seller, language, draft=False)
    reasons: dict[str, str] = {
        CreditNoteReason.DUPLICATE: gettext("Duplicate"),
        CreditNoteReason.FRAUDULENT: gettext("Fraudulent"),
        CreditNoteReason.ORDER_CHANGE: gettext("Order change"),
        CreditNoteReason.PRODUCT_UNSATISFACTORY: gettext("Product unsatisfactory"),
    }
    doc.update({
        "number": note.number,
        "issued": fmt.date(note.created),
        "invoice_number": invoice.number,
        "invoice_issued": fmt.date(invoice.finalized_at),
        "reason": reasons.get(note.reason, ""),
        "void": note.status == CreditNoteStatus.VOID,
        "lines": [
            {"description": line.description if line.invoice_line_id else gettext("Credit"),
             "amount": fmt.money(line.amount)}
            for line in note.lines.all()
        ],
        "amount": fmt.money(note.amount),
        "pre_payment": fmt.money(note.pre_payment_amount) if note.pre_payment_amount else "",
        "credit": fmt.money(note.credit_amount) if note.credit_amount else "",
        "refund": fmt.money(note.refund_amount) if note.refund_amount else "",
        "out_of_band": fmt.money(note.out_of_band_amount) if note.out_of_band_amount else "",
        "memo": note.memo,
    })  # fmt: skip
    return doc
