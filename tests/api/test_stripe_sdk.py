"""The official Python SDK (stripe 16.1.0) against a live server on the test database:
what Stripe's own client sends and how it reads our answers (lists, search pages, errors,
idempotent retries), which the Django test client in the other files can't show."""

from collections.abc import Callable, Iterator

import pytest
import stripe

from api.keys import api_key_revoke
from customers.models import Customer
from tests.api.conftest import make_key
from tests.factories import make_customer

NEW = {
    "name": "Jenny Rosen",
    "email": "jenny@example.com",
    "address": {"line1": "1 Rue de Rivoli", "city": "Paris", "postal_code": "75001",
                "country": "fr"},
    "shipping": {"name": "Jenny's office", "phone": "+33 1 23 45 67 89",
                 "address": {"line1": "2 Quai d'Orsay", "city": "Paris", "country": "FR"}},
    "metadata": {"plan": "pro", "seats": "5"},
    "preferred_locales": ["fr-CA", "en"],
    "tax_id_data": [{"type": "eu_vat", "value": "DE136695976"}],
}  # fmt: skip


@pytest.fixture(autouse=True)
def _live_roles(flushable_db, roles, monkeypatch):
    """The live server's tests flush the database after each, so the roles are remade for
    each (tests/conftest.py); telemetry off, or the SDK writes ~/.config/stripe."""
    monkeypatch.setattr(stripe, "enable_telemetry", False)


@pytest.fixture
def http() -> Iterator[stripe.HTTPClient]:
    """One HTTP session a test, closed after it: the live server's thread for a kept-alive
    connection holds a database connection (conn_max_age on PostgreSQL) until the socket
    closes, and the test database can't be dropped while it does."""
    client = stripe.RequestsClient()
    yield client
    client.close()


@pytest.fixture
def sdk_for(live_server, http) -> Callable[[str], stripe.StripeClient]:
    """The SDK with the given key; `sdk` below with a Billing staff key."""

    def sdk_with(secret: str) -> stripe.StripeClient:
        return stripe.StripeClient(
            secret,
            base_addresses={"api": live_server.url},
            max_network_retries=0,
            http_client=http,
        )

    return sdk_with


@pytest.fixture
def sdk(sdk_for) -> stripe.StripeClient:
    return sdk_for(make_key()[1])


@pytest.fixture
def legacy(live_server, http, monkeypatch) -> None:
    """The module-level API (stripe.Customer.create …), set up as its users do."""
    monkeypatch.setattr(stripe, "api_key", make_key()[1])
    monkeypatch.setattr(stripe, "api_base", live_server.url)
    monkeypatch.setattr(stripe, "default_http_client", http)


def test_create_retrieve_update_delete(sdk):
    customers = sdk.v1.customers
    created = customers.create(params=NEW)
    assert created.id.startswith("cus_") and created.object == "customer"
    assert created.address.country == "FR" and created.address.line2 is None
    assert created.shipping.name == "Jenny's office"
    assert created.shipping.address.line1 == "2 Quai d'Orsay"
    assert created.metadata.to_dict() == {"plan": "pro", "seats": "5"}
    assert created.preferred_locales == ["fr-CA", "en"]

    fetched = customers.retrieve(created.id, params={"expand": ["tax_ids"]})
    assert isinstance(fetched, stripe.Customer)
    (tax_id,) = fetched.tax_ids.data
    assert isinstance(tax_id, stripe.TaxId)
    assert (tax_id.type, tax_id.value, tax_id.country) == ("eu_vat", "DE136695976", "DE")

    one_unset = customers.update(created.id, params={"metadata": {"plan": ""}})
    assert one_unset.metadata.to_dict() == {"seats": "5"}
    all_unset = customers.update(created.id, params={"metadata": ""})
    assert all_unset.metadata.to_dict() == {}

    deleted = customers.delete(created.id)
    assert deleted.id == created.id and deleted.deleted is True
    assert customers.retrieve(created.id).deleted is True


def test_auto_paging_iter_sees_250_customers_once_newest_first(sdk):
    made = [make_customer().public_id for _ in range(250)]
    seen = [customer.id for customer in sdk.v1.customers.list(params={"limit": 100})
            .auto_paging_iter()]  # fmt: skip
    assert seen == made[::-1]


def test_search_by_email_and_metadata(sdk):
    ids = [make_customer(email=f"s{n}@example.com", metadata={"team": "blue"}).public_id
           for n in range(5)]  # fmt: skip
    make_customer(metadata={"team": "red"})
    customers = sdk.v1.customers
    by_email = customers.search(params={"query": "email:'S3@example.com'"})
    assert [customer.id for customer in by_email.data] == [ids[3]]
    assert by_email.has_more is False and by_email.next_page is None

    query = "metadata['team']:'blue'"
    first = customers.search(params={"query": query, "limit": 2})
    assert len(first.data) == 2 and first.has_more is True and first.next_page
    paged = customers.search(params={"query": query, "limit": 2}).auto_paging_iter()
    assert [customer.id for customer in paged] == ids[::-1]


def test_errors_are_the_sdk_classes(sdk, sdk_for):
    customers = sdk.v1.customers
    named = {"name": "X", "email": "x@example.com"}
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        customers.create(params={**named, "colour": "red"})
    assert unknown.value.param == "colour" and unknown.value.code == "parameter_unknown"
    assert unknown.value.http_status == 400
    with pytest.raises(stripe.InvalidRequestError) as bad_country:
        customers.create(params={**named, "address": {"country": "ZZ"}})
    assert bad_country.value.param == "address[country]"
    with pytest.raises(stripe.InvalidRequestError) as missing:
        customers.retrieve("cus_nope")
    assert missing.value.http_status == 404 and missing.value.code == "resource_missing"
    assert Customer.objects.count() == 0

    with pytest.raises(stripe.AuthenticationError) as wrong:
        sdk_for("sk_test_" + "x" * 40).v1.customers.list()
    assert wrong.value.http_status == 401
    key, secret = make_key(name="Revoked")
    sdk_for(secret).v1.customers.list()
    api_key_revoke(key=key)
    with pytest.raises(stripe.AuthenticationError):
        sdk_for(secret).v1.customers.list()

    support = sdk_for(make_key("Support")[1])
    assert support.v1.customers.list().data == []  # Support reads customers …
    with pytest.raises(stripe.PermissionError) as refused:
        support.v1.customers.create(params=named)  # … but doesn't add them
    assert refused.value.http_status == 403
    assert Customer.objects.count() == 0


def test_idempotency_key_replays_and_refuses_other_params(sdk):
    customers = sdk.v1.customers
    params = {"name": "Once", "email": "once@example.com"}
    first = customers.create(params=params, options={"idempotency_key": "same"})
    again = customers.create(params=params, options={"idempotency_key": "same"})
    assert again.id == first.id
    assert again.last_response.headers.get("Idempotent-Replayed") == "true"
    assert Customer.objects.count() == 1
    with pytest.raises(stripe.IdempotencyError) as other:
        customers.create(params={**params, "name": "Twice"}, options={"idempotency_key": "same"})
    assert other.value.http_status == 400
    assert Customer.objects.count() == 1


def test_rate_limit_is_a_rate_limit_error(sdk, settings):
    settings.API_RATE_LIMIT = 1
    # Three calls: two of them fall in the same second even if a second starts between.
    with pytest.raises(stripe.RateLimitError) as limited:
        for _ in range(3):
            sdk.v1.customers.list()
    assert limited.value.http_status == 429


def test_tax_ids(sdk):
    customer = sdk.v1.customers.create(params={"name": "T", "email": "t@example.com"})
    tax_ids = sdk.v1.customers.tax_ids
    added = tax_ids.create(customer.id, params={"type": "eu_vat", "value": "DE136695976"})
    assert isinstance(added, stripe.TaxId) and added.id.startswith("txi_")
    assert (added.country, added.customer) == ("DE", customer.id)
    assert [txi.id for txi in tax_ids.list(customer.id).auto_paging_iter()] == [added.id]
    assert tax_ids.retrieve(customer.id, added.id).value == "DE136695976"
    with pytest.raises(stripe.InvalidRequestError) as duplicate:
        tax_ids.create(customer.id, params={"type": "eu_vat", "value": "DE136695976"})
    assert duplicate.value.param == "value"
    deleted = tax_ids.delete(customer.id, added.id)
    assert deleted.deleted is True
    assert tax_ids.list(customer.id).data == []


def test_balance_transactions(sdk):
    customer = sdk.v1.customers.create(
        params={"name": "B", "email": "b@example.com", "currency": "eur"}
    )
    transactions = sdk.v1.customers.balance_transactions
    credit = transactions.create(
        customer.id,
        params={"amount": -500, "currency": "EUR", "metadata": {"why": "goodwill"}},
        options={"idempotency_key": "credit-1"},
    )
    assert isinstance(credit, stripe.CustomerBalanceTransaction)
    assert (credit.amount, credit.currency, credit.ending_balance) == (-500, "eur", -500)
    assert credit.type == "adjustment" and credit.metadata.to_dict() == {"why": "goodwill"}
    replayed = transactions.create(
        customer.id,
        params={"amount": -500, "currency": "EUR", "metadata": {"why": "goodwill"}},
        options={"idempotency_key": "credit-1"},
    )
    assert replayed.id == credit.id
    transactions.create(customer.id, params={"amount": 200, "currency": "eur"})
    listed = list(transactions.list(customer.id, params={"limit": 1}).auto_paging_iter())
    assert [txn.amount for txn in listed] == [200, -500]
    described = transactions.update(customer.id, credit.id, params={"description": "Sorry"})
    assert described.description == "Sorry"
    assert sdk.v1.customers.retrieve(customer.id).balance == -300


def test_legacy_module_api(legacy):
    created = stripe.Customer.create(name="Old", email="old@example.com",
                                     metadata={"n": "1"}, idempotency_key="k1")  # fmt: skip
    again = stripe.Customer.create(name="Old", email="old@example.com",
                                   metadata={"n": "1"}, idempotency_key="k1")  # fmt: skip
    assert again.id == created.id
    assert stripe.Customer.retrieve(created.id).email == "old@example.com"
    assert stripe.Customer.modify(created.id, name="New").name == "New"
    assert [c.id for c in stripe.Customer.list(limit=1).auto_paging_iter()] == [created.id]
    assert stripe.Customer.search(query="metadata['n']:'1'").data[0].id == created.id
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        stripe.Customer.create(name="X", email="x@example.com", colour="red")
    assert unknown.value.param == "colour"
    assert stripe.Customer.delete(created.id).deleted is True
