"""Send invoice, Send credit note and Resend through the client: the dialog, CC errors
inline with the input kept, the permission, the Emails card."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from billing.models import DocumentEmail, DocumentEmailStatus
from billing.services import credit_note_issue, invoice_void
from tests.factories import make_customer, make_invoice, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _invoice(**customer):
    customer.setdefault("email", "ada@example.com")
    return make_invoice(make_customer(**customer), 1000, finalize=True)


def _send_url(invoice):
    return reverse("billing:invoice_send", args=[invoice.public_id])


def test_billing_staff_may_send_invoices():
    assert (
        Group.objects.get(name="Billing staff")
        .permissions.filter(codename="send_invoice", content_type__app_label="billing")
        .exists()
    )
    for role in ("Ops", "Support"):
        assert not Group.objects.get(name=role).permissions.filter(codename="send_invoice")


def test_the_dialog_shows_the_recipients_and_a_cc_field(billing_client):
    invoice = _invoice()
    response = billing_client.get(_send_url(invoice), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and "Send invoice" in page
    assert "ada@example.com" in page and 'name="cc"' in page


def test_without_javascript_the_dialog_is_a_page(billing_client):
    page = billing_client.get(_send_url(_invoice())).content.decode()
    assert "<html" in page and "ada@example.com" in page


def test_sending_queues_the_email_and_tells_the_page(billing_client, billing_user):
    invoice = _invoice()
    response = billing_client.post(
        _send_url(invoice), {"cc": "boss@example.com, Boss@example.com"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204
    assert "invoiceChanged" in response["HX-Trigger"]
    [record] = DocumentEmail.objects.all()
    assert record.to == ["ada@example.com"] and record.cc == ["boss@example.com"]
    assert record.created_by == billing_user and record.status == DocumentEmailStatus.QUEUED


def test_without_javascript_sending_redirects_to_the_invoice(billing_client):
    invoice = _invoice()
    response = billing_client.post(_send_url(invoice), {"cc": ""})
    assert response.status_code == 302 and response.url == invoice.get_absolute_url()
    assert DocumentEmail.objects.count() == 1


@pytest.mark.parametrize(
    ("cc", "error"),
    [
        ("boss@example.com, not-an-address", "Not an email address: not-an-address."),
        ("a@b", "Not an email address: a@b."),
        (", ".join(f"p{n}@example.com" for n in range(11)), "At most 10 CC addresses."),
    ],
)
def test_a_bad_cc_is_shown_beside_the_field_with_the_input_kept(billing_client, cc, error):
    invoice = _invoice()
    response = billing_client.post(_send_url(invoice), {"cc": cc}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 422
    assert error in page and f'value="{cc}"' in page
    assert not DocumentEmail.objects.exists()


def test_a_customer_without_an_address_cannot_be_sent_to(billing_client):
    invoice = _invoice(email="")
    page = billing_client.get(_send_url(invoice)).content.decode()
    assert "no email address to send to" in page
    response = billing_client.post(_send_url(invoice), {"cc": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "has no email address" in response.content.decode()
    assert not DocumentEmail.objects.exists()


def test_sending_needs_the_send_permission(ops_client):
    invoice = _invoice()
    assert ops_client.get(_send_url(invoice)).status_code == 403
    assert ops_client.post(_send_url(invoice), {"cc": ""}).status_code == 403
    assert not DocumentEmail.objects.exists()
    assert "Send invoice" not in ops_client.get(invoice.get_absolute_url()).content.decode()


def test_the_send_permission_alone_does_not_show_an_invoice():
    user = make_user()
    user.user_permissions.add(*Group.objects.get(name="Billing staff").permissions.filter(
        codename="send_invoice"))  # fmt: skip
    client = Client()
    client.force_login(user)
    assert client.get(_send_url(_invoice())).status_code == 403


def test_the_invoice_page_offers_send_for_issued_invoices_only(billing_client):
    draft = make_invoice(make_customer(), 1000)
    assert "Send invoice" not in billing_client.get(draft.get_absolute_url()).content.decode()
    invoice = _invoice()
    assert "Send invoice" in billing_client.get(invoice.get_absolute_url()).content.decode()
    invoice_void(invoice=invoice)
    assert "Send invoice" not in billing_client.get(invoice.get_absolute_url()).content.decode()
    response = billing_client.post(_send_url(invoice), {"cc": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "void invoice cannot be emailed" in response.text


def test_the_emails_card_lists_each_email_with_its_status(billing_client):
    invoice = _invoice()
    billing_client.post(_send_url(invoice), {"cc": "boss@example.com"})
    DocumentEmail.objects.create(
        kind="invoice", invoice=invoice, to=["old@example.com"], status="failed",
        last_error="The mail server answered 550: Mailbox unavailable",
    )  # fmt: skip
    response = billing_client.get(invoice.get_absolute_url(), HTTP_HX_REQUEST="true")
    card = response.content.decode().split('id="emails"')[1]
    assert "ada@example.com" in card and "CC boss@example.com" in card
    assert "Queued" in card
    assert "Failed</span>: The mail server answered 550: Mailbox unavailable" in card
    assert card.count(">Resend</button>") == 1  # a queued email is not resent


def test_resend_queues_a_copy_and_refreshes_the_page(billing_client):
    invoice = _invoice()
    failed = DocumentEmail.objects.create(
        kind="invoice", invoice=invoice, to=["ada@example.com"], cc=["boss@example.com"],
        status="failed", last_error="gone",
    )  # fmt: skip
    url = reverse("billing:email_resend", args=[failed.public_id])
    assert billing_client.get(url).status_code == 405
    response = billing_client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and "invoiceChanged" in response["HX-Trigger"]
    again = DocumentEmail.objects.get(resend_of=failed)
    assert again.status == DocumentEmailStatus.QUEUED and again.cc == ["boss@example.com"]


def test_resend_that_is_refused_says_why_and_records_nothing(billing_client):
    invoice = _invoice()
    failed = DocumentEmail.objects.create(
        kind="invoice", invoice=invoice, to=["ada@example.com"], status="failed"
    )
    invoice_void(invoice=invoice)
    url = reverse("billing:email_resend", args=[failed.public_id])
    response = billing_client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and "cannot be emailed" in response["HX-Trigger"]
    response = billing_client.post(url)
    assert response.status_code == 302 and response.url == invoice.get_absolute_url()
    assert DocumentEmail.objects.count() == 1


def test_resend_needs_the_send_permission(support_client):
    invoice = _invoice()
    failed = DocumentEmail.objects.create(
        kind="invoice", invoice=invoice, to=["ada@example.com"], status="failed"
    )
    url = reverse("billing:email_resend", args=[failed.public_id])
    assert support_client.post(url).status_code == 403
    assert DocumentEmail.objects.count() == 1


def test_a_credit_note_is_sent_from_its_page_and_listed_there(billing_client):
    invoice = _invoice()
    note = credit_note_issue(invoice=invoice, amount=500)
    page = billing_client.get(note.get_absolute_url()).content.decode()
    assert "Send credit note" in page and "Not emailed yet." in page
    url = reverse("billing:credit_note_send", args=[note.public_id])
    dialog = billing_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Send credit note" in dialog and "ada@example.com" in dialog
    response = billing_client.post(url, {"cc": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    [record] = note.emails.all()
    assert record.invoice == invoice and record.kind == "credit_note"
    card = billing_client.get(note.get_absolute_url()).content.decode().split('id="emails"')[1]
    assert "Credit note" in card and "ada@example.com" in card
    invoice_card = billing_client.get(invoice.get_absolute_url()).content.decode()
    assert note.number in invoice_card.split('id="emails"')[1]
