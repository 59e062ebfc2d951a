"""The activity of invoices, credit notes and emails: one entry per change, in the change's
transaction, naming the invoice's customer and the invoice, who acted and through which door."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activity import exports
from activity.models import Entry
from billing import services
from billing.models import DocumentEmail, DocumentEmailStatus, Invoice
from billing.services import customer_billing_defaults_set
from billing.services.emails import NO_RECIPIENT
from billing.services.finalize import NOTHING_DUE, PAID_BY_BALANCE, PAID_TOO_SMALL
from billing.services.invoices import PAID_OUT_OF_BAND
from billing.services.items import item_update
from tests.api.conftest import Api, make_key
from tests.factories import (
    adjust,
    make_coupon,
    make_customer,
    make_invoice,
    make_item,
    make_tax_rate,
)

pytestmark = pytest.mark.django_db


def _kinds(**filters):
    """The kinds of the entries naming an invoice, oldest first."""
    entries = Entry.objects.exclude(invoice="").filter(**filters).order_by("id")
    return list(entries.values_list("kind", flat=True))


def _entry(kind, **filters):
    """The one entry of `kind`."""
    return Entry.objects.get(kind=kind, **filters)


def _names_invoice(entry, invoice, object_id=None):
    assert (entry.customer, entry.invoice, entry.object_id) == (
        invoice.customer.public_id,
        invoice.public_id,
        object_id or invoice.public_id,
    )


def _by_page(entry, user):
    assert (entry.source, entry.user, entry.actor) == ("page", user, user.username)


# Drafts, through the pages


def test_a_draft_created_through_the_page_is_recorded_with_its_currency(
    billing_client, billing_user
):
    customer = make_customer(default_currency="EUR")
    make_item(customer, 1000, "EUR")
    url = reverse("billing:customer_invoice_new", args=[customer.public_id])
    assert billing_client.post(url, {"currency": "EUR"}).status_code == 302
    entry = _entry("invoice.created")
    _names_invoice(entry, Invoice.objects.get())
    assert entry.data == {"currency": "EUR", "counts": {"pending items billed": 1}}
    _by_page(entry, billing_user)


def test_editing_a_draft_records_what_changed_and_saving_the_same_records_nothing(
    billing_client, billing_user
):
    invoice = make_invoice(make_customer(payment_terms_days=30), 10000)
    make_coupon(percent_off="10", name="Spring")
    coupon = make_coupon(percent_off="10", name="Launch")
    url = reverse("billing:invoice_edit", args=[invoice.public_id])
    data = {"days_until_due": "7", "coupon": coupon.pk, "memo": "Thanks", "footer": ""}
    assert billing_client.post(url, data).status_code == 302
    assert billing_client.post(url, data).status_code == 302  # the same again
    entry = _entry("invoice.updated")
    _names_invoice(entry, invoice)
    _by_page(entry, billing_user)
    assert entry.data == {
        "changes": [
            {"field": "memo", "label": "Memo", "old": "", "new": "Thanks"},
            {"field": "days_until_due", "label": "Days until due", "old": 30, "new": 7},
            {"field": "coupon", "label": "Coupon", "old": None, "new": "Launch"},
        ]
    }


def test_adding_and_removing_a_draft_line_records_the_line(billing_client, billing_user, htmx):
    invoice = make_invoice(None, 1000, currency="EUR")
    url = reverse("billing:line_add", args=[invoice.public_id])
    data = {"description": "Extra", "quantity": "2", "unit_amount": "2.50"}
    assert billing_client.post(url, data, **htmx).status_code == 204
    line = invoice.lines.get(description="Extra")
    remove = reverse("billing:item_delete", args=[invoice.customer.public_id, line.public_id])
    assert billing_client.post(remove, **htmx).status_code == 204
    added, removed = Entry.objects.filter(kind="invoice.updated").order_by("id")
    expected = {"description": "Extra", "quantity": 2, "unit_amount": 250, "amount": 500,
                "discountable": False, "tax_rates": []}  # fmt: skip
    assert added.data == {"line_added": expected, "currency": "EUR"}
    assert removed.data == {"line_removed": expected, "currency": "EUR"}
    for entry in (added, removed):
        _names_invoice(entry, invoice)
        _by_page(entry, billing_user)


def test_changing_a_draft_line_records_its_values_before_and_after():
    invoice = make_invoice(None, 1000)
    line = invoice.lines.get()
    item_update(item=line, description="Design", quantity=3)
    item_update(item=line, quantity=3)  # unchanged: no entry
    entry = _entry("invoice.updated")
    _names_invoice(entry, invoice)
    assert entry.data == {
        "description": "Design",
        "changes": [
            {"field": "description", "label": "Line description", "old": "Consulting",
             "new": "Design"},
            {"field": "quantity", "label": "Line quantity", "old": 1, "new": 3},
            {"field": "amount", "label": "Line amount", "old": 1000, "new": 3000, "money": True},
        ],
        "currency": "USD",
    }  # fmt: skip


def test_a_pending_items_changes_are_no_invoices():
    item = make_item(make_customer(), 1000)
    item_update(item=item, quantity=2)
    services.item_delete(item=item)
    assert not Entry.objects.filter(kind__startswith="invoice.").exists()


def test_deleting_a_draft_is_recorded_and_the_entry_outlives_it(billing_client, billing_user):
    invoice = make_invoice(None, 1000)
    response = billing_client.post(reverse("billing:invoice_delete", args=[invoice.public_id]))
    assert response.status_code == 302 and not Invoice.objects.exists()
    entry = _entry("invoice.deleted")
    _names_invoice(entry, invoice)
    _by_page(entry, billing_user)


# Issued invoices


def test_finalize_pay_through_the_pages(billing_client, billing_user):
    customer = make_customer(invoice_prefix="ACME")
    invoice = make_invoice(customer, 5000)
    billing_client.post(reverse("billing:invoice_finalize", args=[invoice.public_id]))
    billing_client.post(reverse("billing:invoice_mark_paid", args=[invoice.public_id]))
    finalized, paid = Entry.objects.filter(invoice=invoice.public_id).order_by("id")[1:]
    assert (finalized.kind, finalized.data) == (
        "invoice.finalized",
        {"number": "ACME-0001", "amount": 5000, "currency": "USD"},
    )
    assert (paid.kind, paid.data) == (
        "invoice.paid",
        {"number": "ACME-0001", "description": PAID_OUT_OF_BAND, "amount": 5000,
         "currency": "USD"},
    )  # fmt: skip
    for entry in (finalized, paid):
        _names_invoice(entry, invoice)
        _by_page(entry, billing_user)


@pytest.mark.parametrize(
    ("action", "kind", "amount"),
    [("invoice_void", "invoice.voided", 5000),
     ("invoice_mark_uncollectible", "invoice.marked_uncollectible", 3000)],
)  # fmt: skip
def test_void_and_uncollectible_through_the_pages(
    billing_client, billing_user, action, kind, amount
):
    customer = make_customer()
    adjust(customer, -2000)
    invoice = make_invoice(customer, 5000, finalize=True)
    billing_client.post(reverse(f"billing:{action}", args=[invoice.public_id]))
    entry = _entry(kind)
    _names_invoice(entry, invoice)
    _by_page(entry, billing_user)
    assert entry.data == {"number": invoice.number, "amount": amount, "currency": "USD"}


def test_finalize_and_void_through_the_api_name_the_key():
    key, secret = make_key(name="Signup flow")
    api = Api(secret)
    invoice = make_invoice(None, 5000)
    url = f"/v1/invoices/{invoice.public_id}"
    assert api.post(f"{url}/finalize").status_code == 200
    assert api.post(f"{url}/void").status_code == 200
    finalized, voided = (_entry(kind) for kind in ("invoice.finalized", "invoice.voided"))
    for entry in (finalized, voided):
        _names_invoice(entry, invoice)
        assert (entry.source, entry.user, entry.actor) == (
            "api",
            key.actor,
            f"API key Signup flow ({key.redacted})",
        )
    assert finalized.data["amount"] == 5000


@pytest.mark.parametrize(
    ("balance", "description", "postings"),
    [(-5000, PAID_BY_BALANCE, 1), (-4990, PAID_TOO_SMALL, 2), (0, NOTHING_DUE, 0)],
)
def test_an_invoice_the_balance_pays_at_finalizing_is_recorded_paid_after_finalized(
    balance, description, postings
):
    customer = make_customer()
    if balance:
        adjust(customer, balance)
    invoice = make_invoice(customer, 5000 if balance else 0, finalize=True)
    assert invoice.status == "paid"
    # The balance applied (and the amount too small to charge) is posted while finalizing,
    # and its entry names the invoice too.
    posted = ["balance_transaction.created"] * postings
    assert _kinds(invoice=invoice.public_id) == [
        "invoice.created",
        *posted,
        "invoice.finalized",
        "invoice.paid",
    ]
    assert _entry("invoice.paid").data == {"number": invoice.number, "description": description}


def test_a_finalize_that_fails_after_recording_leaves_no_entry(monkeypatch):
    invoice = make_invoice(None, 5000)

    def fail(invoice):
        raise RuntimeError("the mail queue is down")

    monkeypatch.setattr("billing.services.finalize.email_on_finalize", fail)
    with pytest.raises(RuntimeError):
        services.invoice_finalize(invoice=invoice)
    assert _kinds() == ["invoice.created"]
    invoice.refresh_from_db()
    assert invoice.is_draft


def test_refused_actions_record_nothing(billing_client, htmx):
    invoice = make_invoice(None, 5000)
    pay = reverse("billing:invoice_mark_paid", args=[invoice.public_id])
    assert billing_client.post(pay, **htmx).status_code == 422  # a draft
    services.credit_note_issue(invoice=services.invoice_finalize(invoice=invoice), amount=100)
    void = reverse("billing:invoice_void", args=[invoice.public_id])
    assert billing_client.post(void, **htmx).status_code == 422  # has a credit note
    assert _kinds() == ["invoice.created", "invoice.finalized", "credit_note.created"]


# Credit notes


def test_issuing_and_voiding_a_credit_note_through_the_pages(billing_client, billing_user, htmx):
    invoice = make_invoice(None, 5000, finalize=True)
    url = reverse("billing:credit_note_new", args=[invoice.public_id])
    data = {"credit": "amount", "amount": "10", "idempotency_key": "1" * 8 + "-1111-1111-1111-"
            + "1" * 12}  # fmt: skip
    assert billing_client.post(url, data, **htmx).status_code == 204
    assert billing_client.post(url, data, **htmx).status_code == 204  # a double click
    note = invoice.credit_notes.get()
    void = reverse("billing:credit_note_void", args=[note.public_id])
    assert billing_client.post(void, **htmx).status_code == 204
    created, voided = (_entry(kind) for kind in ("credit_note.created", "credit_note.voided"))
    for entry in (created, voided):
        _names_invoice(entry, invoice, object_id=note.public_id)
        _by_page(entry, billing_user)
        assert entry.data == {"number": note.number, "amount": 1000, "currency": "USD"}


def test_a_credit_note_that_leaves_nothing_to_pay_is_recorded_then_the_invoice_paid():
    invoice = make_invoice(None, 5000, finalize=True)
    note = services.credit_note_issue(invoice=invoice, amount=5000)
    assert _kinds(kind__in=["credit_note.created", "invoice.paid"]) == [
        "credit_note.created",
        "invoice.paid",
    ]
    assert _entry("invoice.paid").data == {
        "number": invoice.number,
        "description": f"Credit note {note.number} credited what was left.",
    }


def test_a_credit_note_that_does_not_add_up_records_nothing():
    invoice = services.invoice_mark_paid(invoice=make_invoice(None, 5000, finalize=True))
    with pytest.raises(ValidationError, match="must add up"):
        services.credit_note_issue(invoice=invoice, amount=1000, credit_amount=400)
    assert not Entry.objects.filter(kind__startswith="credit_note.").exists()


# Emails, through a real SMTP server


@pytest.fixture
def smtp_server(smtp, settings):
    """The SMTP server, and tasks run at once (retries too) as the worker runs them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return smtp


def _send_through_the_page(client, invoice, on_commit):
    url = reverse("billing:invoice_send", args=[invoice.public_id])
    with on_commit(execute=True):
        assert client.post(url, {"cc": "boss@example.com"}).status_code == 302
    return DocumentEmail.objects.get()


def test_an_email_sent_from_the_page_is_queued_by_the_user_and_sent_by_the_worker(
    smtp_server, billing_client, billing_user, django_capture_on_commit_callbacks
):
    invoice = make_invoice(make_customer(email="ada@example.com"), 1000, finalize=True)
    email = _send_through_the_page(billing_client, invoice, django_capture_on_commit_callbacks)
    assert email.status == DocumentEmailStatus.SENT and len(smtp_server.envelopes) == 1
    queued, sent = Entry.objects.filter(kind__startswith="email.").order_by("id")
    for entry, kind in ((queued, "email.queued"), (sent, "email.sent")):
        assert entry.kind == kind
        _names_invoice(entry, invoice, object_id=email.public_id)
        assert entry.data == {
            "to": ["ada@example.com"],
            "cc": ["boss@example.com"],
            "kind": "invoice",
            "number": invoice.number,
        }
    assert "cc boss@example.com" in exports.detail(sent.data)
    _by_page(queued, billing_user)
    assert (sent.source, sent.user, sent.actor) == ("worker", None, "")


@pytest.mark.parametrize(
    ("answer", "attempts"),
    [("550 Mailbox unavailable", 1), ("451 Try again later", 4)],
)
def test_an_email_that_fails_is_recorded_once_after_its_last_try(
    smtp_server, billing_client, django_capture_on_commit_callbacks, answer, attempts
):
    smtp_server.answer = answer
    invoice = make_invoice(make_customer(email="ada@example.com"), 1000, finalize=True)
    email = _send_through_the_page(billing_client, invoice, django_capture_on_commit_callbacks)
    assert (email.status, email.attempts) == (DocumentEmailStatus.FAILED, attempts)
    assert _kinds(kind__startswith="email.") == ["email.queued", "email.failed"]
    failed = _entry("email.failed")
    assert failed.source == "worker" and failed.data["error"] == email.last_error
    assert answer.split()[0] in failed.data["error"]


def test_a_credit_note_email_names_the_notes_number(
    smtp_server, django_capture_on_commit_callbacks
):
    invoice = make_invoice(make_customer(email="ada@example.com"), 1000, finalize=True)
    note = services.credit_note_issue(invoice=invoice, amount=100)
    with django_capture_on_commit_callbacks(execute=True):
        email = services.email_credit_note(note=note)
    assert _kinds(kind__startswith="email.") == ["email.queued", "email.sent"]
    for entry in Entry.objects.filter(kind__startswith="email."):
        _names_invoice(entry, invoice, object_id=email.public_id)
        assert entry.data == {"to": ["ada@example.com"], "kind": "credit_note",
                              "number": note.number}  # fmt: skip


def test_finalizing_queues_the_email_or_records_why_it_failed(
    smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.BILLING_EMAIL_ON_FINALIZE = True
    with django_capture_on_commit_callbacks(execute=True):
        sent = make_invoice(make_customer(email="ada@example.com"), 1000, finalize=True)
        unsent = make_invoice(make_customer(email=""), 1000, finalize=True)
    assert _kinds(invoice=sent.public_id, kind__startswith="email.") == [
        "email.queued",
        "email.sent",
    ]
    failed = _entry("email.failed", invoice=unsent.public_id)
    assert failed.object_id == unsent.emails.get().public_id
    assert failed.data == {"to": [], "kind": "invoice", "number": unsent.number,
                           "error": NO_RECIPIENT}  # fmt: skip


def test_an_email_refused_before_queueing_records_nothing(billing_client, htmx):
    invoice = make_invoice(make_customer(email=""), 1000, finalize=True)
    url = reverse("billing:invoice_send", args=[invoice.public_id])
    assert billing_client.post(url, {"cc": ""}, **htmx).status_code == 422
    assert not Entry.objects.filter(kind__startswith="email.").exists()


def test_a_coupon_given_changed_or_taken_in_the_admin_is_a_customer_update(
    billing_client, billing_user
):
    from billing.models import CustomerCoupon

    customer = make_customer()
    ten, five = make_coupon(percent_off="10", name="Ten"), make_coupon(percent_off="5", name="Five")
    add = reverse("admin:billing_customercoupon_add")
    assert billing_client.post(add, {"customer": customer.pk, "coupon": ten.pk}).status_code == 302
    held = CustomerCoupon.objects.get()
    change = reverse("admin:billing_customercoupon_change", args=[held.pk])
    assert billing_client.post(change, {"coupon": five.pk}).status_code == 302
    delete = reverse("admin:billing_customercoupon_delete", args=[held.pk])
    assert billing_client.post(delete, {"post": "yes"}).status_code == 302
    assert not CustomerCoupon.objects.exists()

    entries = Entry.objects.filter(kind="customer.updated", customer=customer.public_id)
    assert [entry.data["changes"] for entry in entries.order_by("id")] == [
        [{"field": "coupon", "label": "Coupon", "old": "", "new": "Ten"}],
        [{"field": "coupon", "label": "Coupon", "old": "Ten", "new": "Five"}],
        [{"field": "coupon", "label": "Coupon", "old": "Five", "new": ""}],
    ]
    assert {(entry.source, entry.user) for entry in entries} == {("admin", billing_user)}


def test_coupons_taken_by_the_admins_delete_action_are_customer_updates(billing_client):
    from billing.models import CustomerCoupon

    coupon = make_coupon(percent_off="10", name="Ten")
    customers = [make_customer(), make_customer()]
    held = [CustomerCoupon.objects.create(customer=c, coupon=coupon) for c in customers]
    changelist = reverse("admin:billing_customercoupon_changelist")
    form = {"action": "delete_selected", "_selected_action": [h.pk for h in held], "post": "yes"}
    assert billing_client.post(changelist, form).status_code == 302
    assert not CustomerCoupon.objects.exists()
    entries = Entry.objects.filter(kind="customer.updated")
    assert sorted(entries.values_list("customer", flat=True)) == sorted(
        c.public_id for c in customers
    )
    assert all(e.data["changes"][0]["old"] == "Ten" for e in entries)


def test_customers_given_or_taken_a_default_tax_rate_in_the_admin_are_customer_updates(
    billing_client, billing_user
):
    from billing.models import TaxRate

    kept, added = make_customer(), make_customer()
    add, form = reverse("admin:billing_taxrate_add"), {"display_name": "VAT", "percentage": "20"}
    response = billing_client.post(add, {**form, "default_for": [kept.pk]})
    assert response.status_code == 302, response.content.decode()[:2000]
    rate = TaxRate.objects.get()
    change = reverse("admin:billing_taxrate_change", args=[rate.pk])
    response = billing_client.post(change, {"display_name": "VAT", "default_for": [added.pk]})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(rate.default_for.all()) == [added]

    def changes(customer):
        entries = Entry.objects.filter(kind="customer.updated", customer=customer.public_id)
        assert {(entry.source, entry.user) for entry in entries} == {("admin", billing_user)}
        return [(c["old"], c["new"]) for e in entries.order_by("id") for c in e.data["changes"]]

    assert changes(kept) == [([], [str(rate)]), ([str(rate)], [])]
    assert changes(added) == [([], [str(rate)])]


def test_the_admin_refuses_a_default_tax_rate_mixing_inclusive_and_exclusive(billing_client):
    from billing.models import TaxRate

    customer = make_customer(name="Acme Ltd")
    customer_billing_defaults_set(customer=customer, tax_rates=[make_tax_rate("20")], coupon=None)
    form = {"display_name": "GST", "percentage": "10", "inclusive": "on",
            "default_for": [customer.pk]}  # fmt: skip
    response = billing_client.post(reverse("admin:billing_taxrate_add"), form)
    assert response.status_code == 200
    assert "Default tax rates must be all inclusive or all exclusive" in response.content.decode()
    assert "Acme Ltd already has exclusive default rates." in response.content.decode()
    assert not TaxRate.objects.filter(display_name="GST").exists()


def test_a_customers_billing_defaults_are_recorded_as_a_customer_update():
    customer = make_customer()
    rate, coupon = make_tax_rate("20"), make_coupon(percent_off="10")
    customer_billing_defaults_set(customer=customer, tax_rates=[rate], coupon=coupon)
    customer_billing_defaults_set(customer=customer, tax_rates=[rate], coupon=coupon)  # same
    entry = _entry("customer.updated", customer=customer.public_id)
    assert entry.object_id == customer.public_id
    assert entry.data == {
        "changes": [
            {"field": "default_tax_rates", "label": "Default tax rates", "old": [],
             "new": [str(rate)]},
            {"field": "coupon", "label": "Coupon", "old": "", "new": coupon.name},
        ]
    }  # fmt: skip
