"""/v1/invoices driven by the official SDK (stripe 16.1.0) against a live server: items in
two currencies, create, finalize, pay, void, mark uncollectible, the lines and the PDF."""

from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
import stripe

from tests.api.conftest import make_key
from tests.api.test_stripe_sdk import _live_roles, http, sdk_for  # noqa: F401  (fixtures)
from tests.factories import make_customer, make_item


@pytest.fixture
def secret() -> str:
    return make_key()[1]


@pytest.fixture
def sdk(sdk_for, secret) -> stripe.StripeClient:  # noqa: F811
    return sdk_for(secret)


def test_two_currencies_finalize_pay_void_uncollectible(sdk):
    customer = make_customer()
    for amount, currency in ((1000, "EUR"), (400, "EUR"), (2500, "USD")):
        make_item(customer, amount, currency)
    invoices = sdk.v1.invoices
    euros = invoices.create(params={"customer": customer.public_id, "currency": "eur",
                                    "collection_method": "send_invoice",
                                    "days_until_due": 10, "auto_advance": False})  # fmt: skip
    dollars = invoices.create(params={"customer": customer.public_id, "currency": "usd"})
    assert (euros.status, euros.currency, euros.total) == ("draft", "eur", 1400)
    assert (dollars.currency, dollars.total) == ("usd", 2500)
    assert [line.amount for line in euros.lines.data] == [1000, 400]

    opened = invoices.finalize_invoice(euros.id)
    assert opened.status == "open" and opened.number
    paid = invoices.pay(euros.id, params={"paid_out_of_band": True})
    assert (paid.status, paid.amount_paid, paid.amount_remaining) == ("paid", 1400, 0)
    with pytest.raises(stripe.InvalidRequestError) as refused:
        invoices.pay(dollars.id, params={"payment_method": "pm_card_visa"})
    assert refused.value.param == "payment_method"

    invoices.finalize_invoice(dollars.id)
    assert invoices.mark_uncollectible(dollars.id).status == "uncollectible"
    assert invoices.void_invoice(dollars.id).status == "void"
    listed = invoices.list(params={"customer": customer.public_id, "status": "void"})
    assert [invoice.id for invoice in listed.data] == [dollars.id]


def test_lines_paging_delete_and_pdf(sdk, secret):
    customer = make_customer(default_currency="EUR")
    for amount in (100, 200, 300):
        make_item(customer, amount, "EUR")
    invoice = sdk.v1.invoices.create(params={"customer": customer.public_id})
    first = sdk.v1.invoices.line_items.list(invoice.id, params={"limit": 2})
    assert first.has_more and first.data[0].object == "line_item"
    every = [line.amount for line in first.auto_paging_iter()]
    assert every == [100, 200, 300]

    # urllib closes each connection (the live server's thread holds a database one while open).
    signed = Request(invoice.invoice_pdf, headers={"Authorization": f"Bearer {secret}"})
    with urlopen(signed) as pdf:
        assert pdf.status == 200 and pdf.read().startswith(b"%PDF")
    with pytest.raises(HTTPError) as unsigned:
        urlopen(invoice.invoice_pdf)
    assert unsigned.value.code == 401
    unsigned.value.close()

    deleted = sdk.v1.invoices.delete(invoice.id)
    assert deleted.deleted is True and deleted.id == invoice.id
    with pytest.raises(stripe.InvalidRequestError) as missing:
        sdk.v1.invoices.retrieve(invoice.id)
    assert missing.value.http_status == 404
