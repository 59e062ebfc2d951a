"""/v1/credit_notes driven by the official Python SDK (stripe 16.1.0) against a live server:
preview, create, retrieve, list, list lines and void, and its error classes."""

import pytest
import stripe

from billing.models import CreditNote
from tests.api import test_stripe_sdk
from tests.api.conftest import make_key
from tests.factories import make_customer, make_invoice

# The SDK test module's fixtures: the live server's roles, an HTTP session, the clients.
_live_roles, http = test_stripe_sdk._live_roles, test_stripe_sdk.http
sdk, sdk_for = test_stripe_sdk.sdk, test_stripe_sdk.sdk_for


@pytest.fixture
def invoice():
    """Finalized (open) with two lines: 1000 and 2500 owed."""
    return make_invoice(make_customer(name="Jenny Rosen"), 1000, 2500, finalize=True)


def test_preview_create_list_void(sdk, invoice):
    notes = sdk.v1.credit_notes
    line = invoice.lines.order_by("created", "id").last()
    params = {
        "invoice": invoice.public_id,
        "reason": "order_change",
        "memo": "One seat less",
        "lines": [{"type": "invoice_line_item", "invoice_line_item": line.public_id,
                   "amount": 700}],
    }  # fmt: skip
    preview = notes.preview(params={**params, "expand": ["customer"]})
    assert isinstance(preview, stripe.CreditNote) and preview.id.startswith("cnprv_")
    assert preview.amount == 700 and preview.customer.id == invoice.customer.public_id
    assert not CreditNote.objects.exists()

    created = notes.create(params=params)
    assert created.id.startswith("cn_") and created.number == preview.number
    assert (created.status, created.type, created.reason) == (
        "issued",
        "pre_payment",
        "order_change",
    )
    (credited,) = created.lines.data
    assert isinstance(credited, stripe.CreditNoteLineItem)
    assert (credited.invoice_line_item, credited.amount) == (line.public_id, 700)

    fetched = notes.retrieve(created.id, params={"expand": ["customer"]})
    assert fetched.memo == "One seat less" and fetched.customer.name == "Jenny Rosen"
    listed = notes.list(params={"invoice": invoice.public_id})
    assert [note.id for note in listed.auto_paging_iter()] == [created.id]
    assert [item.id for item in notes.line_items.list(created.id).data] == [credited.id]

    voided = notes.void_credit_note(created.id)
    assert voided.status == "void" and voided.voided_at is not None
    with pytest.raises(stripe.InvalidRequestError) as again:
        notes.void_credit_note(created.id)
    assert "already void" in str(again.value.user_message)


def test_errors_are_the_sdk_classes(sdk, sdk_for, invoice):
    notes = sdk.v1.credit_notes
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        notes.create(params={"invoice": invoice.public_id, "amount": 5000})
    assert too_much.value.param == "amount" and too_much.value.http_status == 400
    with pytest.raises(stripe.InvalidRequestError) as missing:
        notes.retrieve("cn_nope")
    assert missing.value.http_status == 404 and missing.value.code == "resource_missing"
    support = sdk_for(make_key("Support")[1]).v1.credit_notes
    with pytest.raises(stripe.PermissionError):
        support.create(params={"invoice": invoice.public_id, "amount": 100})
    assert not CreditNote.objects.exists()
