"""The invoice, reminder and credit-note emails, composed but not sent: in the document's
language (the PDF's choice), a plain-text and an HTML part, the PDF attached, Reply-To the
seller's email when it has one. Sending, retries and the record of what was sent are the
caller's.

Every refusal (a draft, no address to send to, a bad CC address) is an EmailRefused raised
before anything is rendered or sent. Names reach the headers only as display names cleaned of
line breaks and control characters, so a name never adds a header.
"""

import unicodedata
from collections.abc import Callable, Iterable
from email.utils import formataddr, parseaddr
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from customers.models import Contact, Customer

from . import pdf
from .documents import Formatter, babel_locale, direction, document_language
from .models import CreditNote, CreditNoteStatus, Invoice, InvoiceStatus
from .models.emails import DocumentEmailReminder
from .snapshots import snapshot_address


class EmailRefused(ValueError):
    """Why this email cannot be sent, in words for the person sending it."""


def header_text(text: str) -> str:
    """`text` on one line: line breaks (any Unicode kind) and other whitespace runs become
    one space, control characters go."""
    text = " ".join(str(text).split())
    return "".join(c for c in text if unicodedata.category(c) != "Cc")


def recipients(customer: Customer) -> list[str]:
    """Who gets the customer's billing emails: the account email, then the contacts whose
    preferences include Billing; each address once (compared without case)."""
    addresses = [customer.email, *customer.contacts.filter(billing_emails=True)
                 .order_by("id").values_list("email", flat=True)]  # fmt: skip
    return _unique(addresses)


def recipients_by_customer(customers: Iterable[Customer]) -> dict[int, list[str]]:
    """recipients() of many customers, by customer pk, in one query (a batch of reminders)."""
    addresses = {customer.pk: [customer.email] for customer in customers}
    contacts = (
        Contact.objects.filter(customer__in=addresses, billing_emails=True)
        .order_by("id")
        .values_list("customer_id", "email")
    )
    for customer_pk, email in contacts:
        addresses[customer_pk].append(email)
    return {pk: _unique(found) for pk, found in addresses.items()}


def _unique(addresses: Iterable[str]) -> list[str]:
    """The addresses stripped, without blanks, each once (the first spelling, without case)."""
    found: dict[str, str] = {}
    for address in addresses:
        if address := (address or "").strip():
            found.setdefault(address.lower(), address)
    return list(found.values())


def invoice_email(invoice: Invoice, *, cc: Iterable[str] = ()) -> EmailMultiAlternatives:
    if invoice.is_draft:
        raise EmailRefused(
            f"Invoice {invoice.public_id} is a draft: finalize it before emailing it."
        )

    def context(fmt: Formatter, seller: str) -> dict[str, Any]:
        stamps: dict[str, str] = {
            InvoiceStatus.PAID: gettext("Paid"),
            InvoiceStatus.VOID: gettext("Void"),
            InvoiceStatus.UNCOLLECTIBLE: gettext("Uncollectible"),
        }
        return {
            "subject": gettext("Invoice %(number)s from %(seller)s")
            % {"number": invoice.number, "seller": seller},
            "number": invoice.number,
            "stamp": stamps.get(invoice.status, ""),
            "settled": invoice.status in (InvoiceStatus.PAID, InvoiceStatus.VOID),
            # As the PDF's totals: what was due, then what is left after payments and credits.
            "amount_due": fmt.money(invoice.amount_due),
            "amount_remaining": fmt.money(invoice.amount_remaining)
            if invoice.amount_remaining != invoice.amount_due
            else "",
            "due_date": fmt.date(invoice.due_date),
        }

    return _compose("invoice", invoice, invoice.currency, cc, context,
                    partial(pdf.invoice_pdf, invoice))  # fmt: skip


# The reminder's first line, by which reminder it is (translated when the email is built).
REMINDER_LINES = {
    DocumentEmailReminder.BEFORE_DUE: gettext_noop("This invoice is due on %(date)s."),
    DocumentEmailReminder.AFTER_DUE: gettext_noop("This invoice was due on %(date)s."),
}


def reminder_email(
    invoice: Invoice, when: str, *, cc: Iterable[str] = ()
) -> EmailMultiAlternatives:
    """The reminder that `invoice` is due soon (`when` "before_due") or overdue
    ("after_due"): what remains to pay, the due date and the PDF. Only an open invoice
    is reminded of: one paid or voided since the reminder was queued is refused."""
    if invoice.status != InvoiceStatus.OPEN:
        raise EmailRefused(
            f"Invoice {invoice.number or invoice.public_id} is "
            f"{invoice.get_status_display().lower()}: only open invoices get reminders."
        )
    line = REMINDER_LINES[DocumentEmailReminder(when)]

    def context(fmt: Formatter, seller: str) -> dict[str, Any]:
        return {
            "subject": gettext("Reminder: invoice %(number)s from %(seller)s")
            % {"number": invoice.number, "seller": seller},
            "number": invoice.number,
            "due_line": gettext(line) % {"date": fmt.date(invoice.due_date)},
            "amount_remaining": fmt.money(invoice.amount_remaining),
            "due_date": fmt.date(invoice.due_date),
        }

    return _compose("reminder", invoice, invoice.currency, cc, context,
                    partial(pdf.invoice_pdf, invoice))  # fmt: skip


def credit_note_email(note: CreditNote, *, cc: Iterable[str] = ()) -> EmailMultiAlternatives:
    def context(fmt: Formatter, seller: str) -> dict[str, Any]:
        return {
            "subject": gettext("Credit note %(number)s from %(seller)s")
            % {"number": note.number, "seller": seller},
            "number": note.number,
            "invoice_number": note.invoice.number,
            "stamp": gettext("Void") if note.status == CreditNoteStatus.VOID else "",
            "amount": fmt.money(note.amount),
        }

    return _compose("credit_note", note.invoice, note.currency, cc, context,
                    partial(pdf.credit_note_pdf, note))  # fmt: skip


def _compose(
    kind: str,
    invoice: Invoice,
    currency: str,
    cc: Iterable[str],
    context: Callable[[Formatter, str], dict[str, Any]],
    attachment: Callable[[str], bytes],
) -> EmailMultiAlternatives:
    """The email of `kind` about the invoice (or one of its credit notes): recipients
    checked first, then, in the document's language, its template filled by
    `context(formatter, seller name)` and `attachment(language)`, the PDF."""
    copies, to = _checked_cc(cc), _to(invoice.customer)
    language = document_language(pdf.customer_languages(invoice))
    seller = header_text((invoice.seller_snapshot or {}).get("name", ""))
    with translation.override(language):
        filled = context(Formatter(language, currency), seller)
        return _message(kind, filled, invoice=invoice, language=language, to=to, cc=copies,
                        attachment=attachment(language))  # fmt: skip


def _checked_cc(cc: Iterable[str]) -> list[str]:
    if isinstance(cc, str):  # one address, not its letters
        cc = [cc]
    addresses = _unique(cc)
    for address in addresses:
        _check(address, f"{address!r} is not a valid email address: correct or remove it.")
    return addresses


def _check(address: str, message: str) -> None:
    try:
        validate_email(address)
    except ValidationError:
        raise EmailRefused(message) from None


def _to(customer: Customer) -> list[str]:
    to = recipients(customer)
    name = header_text(customer.name) or customer.public_id
    if not to:
        raise EmailRefused(
            f"{name} has no email address: add an account email, or a contact who gets "
            "billing emails."
        )
    for address in to:
        _check(address, f"{name}'s email address {address!r} is not valid: correct it first.")
    return to


def _message(
    kind: str,
    context: dict[str, Any],
    *,
    invoice: Invoice,
    language: str,
    to: list[str],
    cc: list[str],
    attachment: bytes,
) -> EmailMultiAlternatives:
    seller = invoice.seller_snapshot or {}
    customer = invoice.customer_snapshot or {}
    context |= {
        "language": language,
        "direction": direction(language),
        "seller": seller.get("name", ""),
        "seller_address": snapshot_address(seller, "address", babel_locale(language)),
        "customer": customer.get("name", ""),
    }
    # The entity as it is now (not the snapshot): replies go where the seller reads them today.
    reply_to = header_text(invoice.legal_entity.email)
    to_lower = {address.lower() for address in to}
    # The seller's name on our address (DEFAULT_FROM_EMAIL may carry a name of its own).
    sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    message = EmailMultiAlternatives(
        subject=header_text(context["subject"]),
        body=render_to_string(f"billing/email/{kind}.txt", context),
        from_email=formataddr((header_text(context["seller"]), sender)),
        to=to,
        cc=[address for address in cc if address.lower() not in to_lower],
        reply_to=[reply_to] if reply_to else [],
    )
    message.attach_alternative(render_to_string(f"billing/email/{kind}.html", context), "text/html")
    message.attach(f"{context['number']}.pdf", attachment, "application/pdf")
    return message
