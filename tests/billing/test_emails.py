"""The invoice and credit-note emails (billing/emails.py), sent through a real SMTP server
(aiosmtpd on a free port) and read back with the email package: recipients, language,
parts, the attached PDF, header encodings, and the refusals."""

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from billing import emails
from billing.documents import Formatter
from billing.emails import EmailRefused, credit_note_email, invoice_email, recipients
from billing.services import credit_note_issue, invoice_mark_paid
from customers.models import Customer, LegalEntity
from tests.billing.smtp import header_addresses, received
from tests.factories import make_customer, make_invoice


def _contacts():
    return [
        {"name": "Books", "email": "books@acme.example", "billing_emails": True},
        {"name": "News", "email": "news@acme.example", "billing_emails": False,
         "update_emails": True},
        {"name": "Legal", "email": "legal@acme.example", "billing_emails": True,
         "legal_emails": True},
    ]  # fmt: skip


@pytest.fixture
def invoice(db):
    customer = make_customer(name="Acme", email="ap@acme.example", contacts=_contacts(),
                             preferred_locales=["fr-CA", "en"], default_currency="EUR")  # fmt: skip
    return make_invoice(customer, 123456, currency="EUR", finalize=True)


def test_invoice_reaches_the_account_email_billing_contacts_and_cc(smtp, invoice):
    invoice_email(invoice, cc=["boss@acme.example"]).send()
    message, envelope_to, _ = received(smtp)
    billing = ["ap@acme.example", "books@acme.example", "legal@acme.example"]
    assert header_addresses(message, "To") == billing
    assert header_addresses(message, "Cc") == ["boss@acme.example"]
    assert envelope_to == [*billing, "boss@acme.example"]  # not news@ (Updates only)
    assert message["Bcc"] is None and message["Reply-To"] is None
    assert message["From"].addresses[0].addr_spec == "billing@seller.example"
    assert message["From"].addresses[0].display_name == invoice.legal_entity.name


def test_invoice_has_both_parts_and_the_pdf_named_after_its_number(smtp, invoice):
    invoice_email(invoice).send()
    message, _, _ = received(smtp)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    fmt = Formatter("fr-CA", "EUR")
    for part in (text, html):
        assert invoice.number in part
        assert fmt.money(invoice.amount_remaining) in part
        assert fmt.date(invoice.due_date) in part
    assert '<html lang="fr-CA" dir="ltr">' in html
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"{invoice.number}.pdf"
    assert attachment.get_content().startswith(b"%PDF")


@pytest.mark.parametrize("language", ["fr", "de", "ja", "ar"])
def test_subject_and_body_in_the_customers_language(smtp, db, language):
    customer = make_customer(preferred_locales=[language], default_currency="EUR")
    invoice = make_invoice(customer, 5000, currency="EUR", finalize=True)
    invoice_email(invoice).send()
    message, _, _ = received(smtp)
    seller = invoice.legal_entity.name
    with translation.override(language):
        subject = gettext("Invoice %(number)s from %(seller)s")
        intro = gettext("Please find your invoice attached as a PDF.")
    assert subject != "Invoice %(number)s from %(seller)s"  # translated
    # (strip: Python's parser keeps the space of a header folded right after its colon)
    assert message["Subject"].strip() == subject % {"number": invoice.number, "seller": seller}
    text = message.get_body(("plain",)).get_content()
    assert intro in text
    assert Formatter(language, "EUR").money(5000) in text
    direction = "rtl" if language == "ar" else "ltr"
    assert f'dir="{direction}"' in message.get_body(("html",)).get_content()


def test_credit_note_email_in_the_customers_language(smtp, db):
    customer = make_customer(preferred_locales=["de"], default_currency="EUR")
    invoice = make_invoice(customer, 10000, currency="EUR", finalize=True)
    invoice_mark_paid(invoice=invoice)
    note = credit_note_issue(invoice=invoice, amount=2500, credit_amount=2500)
    credit_note_email(note, cc=["audit@example.com"]).send()
    message, envelope_to, _ = received(smtp)
    assert envelope_to == [customer.email, "audit@example.com"]
    assert message["Subject"].strip() == f"Gutschrift {note.number} von {invoice.legal_entity.name}"
    text = message.get_body(("plain",)).get_content()
    assert Formatter("de", "EUR").money(2500) in text and invoice.number in text
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == f"{note.number}.pdf"
    assert attachment.get_content().startswith(b"%PDF")


def test_non_ascii_names_are_encoded_utf8_in_the_headers(smtp, db):
    customer = make_customer(name="Zoë Ωmega", preferred_locales=["fr"])
    LegalEntity.objects.filter(pk=customer.legal_entity_id).update(name="Société Générale 株式会社")
    invoice = make_invoice(customer, 1000, finalize=True)
    invoice_email(invoice).send()
    message, _, raw = received(smtp)
    headers = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    assert headers.isascii()
    assert b"=?utf-8?" in headers
    assert message["From"].addresses[0].display_name == "Société Générale 株式会社"
    assert "Société Générale 株式会社" in message["Subject"]
    assert "Zoë Ωmega" in message.get_body(("plain",)).get_content()


def test_names_with_commas_and_quotes_stay_one_display_name(smtp, db):
    customer = make_customer()
    LegalEntity.objects.filter(pk=customer.legal_entity_id).update(name='Acme, "Intl" Ltd')
    invoice_email(make_invoice(customer, 1000, finalize=True)).send()
    message, _, _ = received(smtp)
    (sender,) = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ('Acme, "Intl" Ltd', "billing@seller.example")


def test_newlines_in_customer_and_seller_names_never_reach_the_headers(smtp, db):
    customer = make_customer(email="victim@acme.example")
    # Past the form's single-line rule, as a bad import or a raw update could.
    Customer.objects.filter(pk=customer.pk).update(name="Eve\r\nBcc: thief@evil.example")
    LegalEntity.objects.filter(pk=customer.legal_entity_id).update(
        name="Seller\nBcc: thief@evil.example\r\nX-Injected: 1\u2028Y: 2"
    )
    customer.refresh_from_db()
    invoice = make_invoice(customer, 1000, finalize=True)
    invoice_email(invoice).send()  # no BadHeaderError
    message, envelope_to, _ = received(smtp)
    assert envelope_to == ["victim@acme.example"]
    assert {name.lower() for name in message}.isdisjoint({"bcc", "x-injected", "y"})
    # The name is text inside From's display name and the Subject, nowhere else.
    assert {name for name, value in message.items() if "thief" in value} == {"From", "Subject"}
    clean = "Seller Bcc: thief@evil.example X-Injected: 1 Y: 2"
    assert message["From"].addresses[0].display_name == clean
    assert message["Subject"].endswith(clean)
    html = message.get_body(("html",)).get_content()
    assert "Eve" in html


def test_html_part_escapes_names(smtp, db):
    customer = make_customer(name="<b>Ada</b> & Co")
    invoice_email(make_invoice(customer, 1000, finalize=True)).send()
    message, _, _ = received(smtp)
    html = message.get_body(("html",)).get_content()
    assert "&lt;b&gt;Ada&lt;/b&gt; &amp; Co" in html and "<b>Ada" not in html
    assert "<b>Ada</b> & Co" in message.get_body(("plain",)).get_content()


def test_reply_to_is_the_legal_entitys_email_when_it_has_one(smtp, invoice):
    LegalEntity.objects.filter(pk=invoice.legal_entity_id).update(email="accounts@seller.example")
    invoice.refresh_from_db()
    invoice_email(invoice).send()
    message, envelope_to, _ = received(smtp)
    assert header_addresses(message, "Reply-To") == ["accounts@seller.example"]
    assert "accounts@seller.example" not in envelope_to


def test_no_reply_to_when_the_legal_entity_has_no_email(smtp, invoice):
    assert invoice.legal_entity.email == ""
    invoice_email(invoice).send()
    message, _, _ = received(smtp)
    assert message["Reply-To"] is None


def test_cc_already_in_to_or_repeated_is_sent_once(db, invoice):
    message = invoice_email(invoice, cc=["BOOKS@acme.example", " x@example.com", "X@example.com"])
    assert message.cc == ["x@example.com"]
    assert message.recipients().count("books@acme.example") == 1


def test_recipients_are_the_account_email_then_billing_contacts_each_once(db):
    customer = make_customer(email="AP@acme.example", contacts=[
        {"name": "Same", "email": "ap@ACME.example", "billing_emails": True},
        *_contacts(),
    ])  # fmt: skip
    assert recipients(customer) == ["AP@acme.example", "books@acme.example", "legal@acme.example"]


def test_a_customer_with_only_contacts_gets_it_at_the_contacts(db):
    customer = make_customer(email="", contacts=_contacts())
    message = invoice_email(make_invoice(customer, 1000, finalize=True))
    assert message.to == ["books@acme.example", "legal@acme.example"]


@pytest.fixture
def no_rendering(monkeypatch):
    """Refusals come before the PDF is rendered (and so before anything is sent)."""

    def refuse(*args, **kwargs):
        raise AssertionError("rendered a PDF")

    monkeypatch.setattr(emails.pdf, "invoice_pdf", refuse)
    monkeypatch.setattr(emails.pdf, "credit_note_pdf", refuse)


def test_customer_without_any_email_is_refused(db, no_rendering):
    customer = make_customer(name="Nobody Ltd", email="", contacts=[_contacts()[1]])
    invoice = make_invoice(customer, 1000, finalize=True)
    with pytest.raises(EmailRefused, match="Nobody Ltd has no email address"):
        invoice_email(invoice)
    assert mail.outbox == []


@pytest.mark.parametrize(
    "address",
    [
        "not-an-address",
        "boss@",
        "Boss <boss@acme.example>",
        "a@acme.example\nBcc: thief@evil.example",
        "a@acme.example, thief@evil.example",
    ],
)
def test_invalid_cc_is_refused_naming_it(db, invoice, no_rendering, address):
    with pytest.raises(EmailRefused, match="is not a valid email address") as refused:
        invoice_email(invoice, cc=["ok@acme.example", address])
    assert repr(address) in str(refused.value)
    assert mail.outbox == []


def test_invalid_cc_on_a_credit_note_is_refused(db, invoice, no_rendering):
    invoice_mark_paid(invoice=invoice)
    note = credit_note_issue(invoice=invoice, amount=100, credit_amount=100)
    with pytest.raises(EmailRefused, match="'nope'"):
        credit_note_email(note, cc=["nope"])


def test_a_single_cc_string_is_one_address_not_letters(db, invoice):
    assert invoice_email(invoice, cc="boss@acme.example").cc == ["boss@acme.example"]


def test_draft_is_refused(db, no_rendering):
    draft = make_invoice(make_customer(), 1000)
    with pytest.raises(EmailRefused, match="draft"):
        invoice_email(draft)


def test_stored_invalid_account_email_is_refused_not_sent(db, no_rendering):
    customer = make_customer()
    invoice = make_invoice(customer, 1000, finalize=True)
    Customer.objects.filter(pk=customer.pk).update(email="ap@acme.example\nBcc: x@evil.example")
    invoice.customer.refresh_from_db()
    with pytest.raises(EmailRefused, match="is not valid"):
        invoice_email(invoice)


def test_paid_invoice_says_paid_instead_of_an_amount_due(db, invoice):
    body = invoice_email(invoice_mark_paid(invoice=invoice)).body
    with translation.override("fr-CA"):
        assert gettext("Paid") in body and gettext("Amount due") not in body


def test_credited_invoice_shows_what_was_due_and_what_remains(db, invoice):
    credit_note_issue(invoice=invoice, amount=23456)
    invoice.refresh_from_db()
    message = invoice_email(invoice)
    fmt = Formatter("fr-CA", "EUR")
    with translation.override("fr-CA"):
        due, remaining = gettext("Amount due"), gettext("Amount remaining")
    assert f"{due}: {fmt.money(123456)}" in message.body
    assert f"{remaining}: {fmt.money(100000)}" in message.body
    html = message.alternatives[0].content
    assert fmt.money(123456) in html and fmt.money(100000) in html
