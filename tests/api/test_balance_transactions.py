"""/v1/customers/{id}/balance_transactions over HTTP, and the ledger services' metadata."""

import logging

import pytest
from django.core.exceptions import ValidationError

from api.models import ApiKey
from billing.services import credit_note_issue
from customers.services import customer_delete
from ledger import services
from ledger.models import BalanceTransaction
from tests.factories import adjust, balance_of, make_customer, make_invoice

pytestmark = pytest.mark.django_db


def _path(customer, *rest):
    return "/".join([f"/v1/customers/{customer.public_id}/balance_transactions", *rest])


def test_create_retrieve_update(api):
    customer = make_customer()
    created = api.post(
        _path(customer),
        [("amount", "-500"), ("currency", "eur"), ("description", "Goodwill"),
         ("metadata[ticket]", "42")],
    )  # fmt: skip
    assert created.status_code == 200, created.content
    body = created.json()
    assert body["id"].startswith("cbtxn_")
    assert {key: body[key] for key in body if key not in ("id", "created")} == {
        "object": "customer_balance_transaction",
        "amount": -500,
        "credit_note": None,
        "currency": "eur",
        "customer": customer.public_id,
        "description": "Goodwill",
        "ending_balance": -500,
        "invoice": None,
        "livemode": False,
        "metadata": {"ticket": "42"},
        "type": "adjustment",
    }
    posted = BalanceTransaction.objects.get(public_id=body["id"])
    assert posted.currency == "EUR" and posted.created_by == ApiKey.objects.get().actor
    assert balance_of(customer, "EUR") == -500
    assert api.get(_path(customer, body["id"])).json() == body

    updated = api.post(
        _path(customer, body["id"]), [("metadata[ticket]", ""), ("metadata[seats]", "5")]
    ).json()
    assert updated["metadata"] == {"seats": "5"} and updated["description"] == "Goodwill"
    cleared = api.post(_path(customer, body["id"]), [("description", ""), ("metadata", "")])
    assert cleared.json()["description"] is None and cleared.json()["metadata"] == {}
    assert balance_of(customer, "EUR") == -500


def test_list_pages_newest_first(api):
    customer = make_customer()
    ids = [adjust(customer, amount).public_id for amount in (-100, -200, 300)]
    first = api.get(_path(customer), [("limit", "2")]).json()
    assert [t["id"] for t in first["data"]] == ids[::-1][:2] and first["has_more"] is True
    assert first["url"] == _path(customer)
    rest = api.get(_path(customer), [("limit", "2"), ("starting_after", ids[1])]).json()
    assert [t["id"] for t in rest["data"]] == [ids[0]] and rest["has_more"] is False
    assert [t["ending_balance"] for t in first["data"]] == [0, -300]


def test_invoice_and_credit_note_are_linked(api):
    customer = make_customer()
    adjust(customer, -500)
    invoice = make_invoice(customer, 1000, finalize=True)
    note = credit_note_issue(invoice=invoice, amount=1000, credit_amount=500)
    listed = api.get(_path(customer)).json()["data"]
    assert [(t["type"], t["invoice"], t["credit_note"]) for t in listed] == [
        ("credit_note", None, note.public_id),
        ("applied_to_invoice", invoice.public_id, None),
        ("adjustment", None, None),
    ]
    applied = invoice.applied_balance_transaction.public_id
    assert api.get(_path(customer, applied)).json()["invoice"] == invoice.public_id


@pytest.mark.parametrize(
    "params, param, code",
    [
        ([("amount", "-500"), ("currency", "eur"), ("colour", "red")], "colour",
         "parameter_unknown"),
        ([("currency", "eur")], "amount", "parameter_missing"),
        ([("amount", "-500")], "currency", "parameter_missing"),
        ([("amount", "0"), ("currency", "eur")], "amount", "parameter_invalid"),
        ([("amount", "1.5"), ("currency", "eur")], "amount", "parameter_invalid_integer"),
        ([("amount", "-500"), ("currency", "xyz")], "currency", "parameter_invalid"),
        ([("amount", "-500"), ("currency", "eur"), ("description", "x" * 351)], "description",
         "parameter_invalid"),
        ([("amount", "-500"), ("currency", "eur"), ("metadata[a]", "x" * 501)], "metadata[a]",
         "parameter_invalid"),
    ],
)  # fmt: skip
def test_create_errors_name_the_parameter(api, params, param, code):
    answer = api.post(_path(make_customer()), params)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["param"], error["code"]) == (param, code)
    assert not BalanceTransaction.objects.exists()


def test_update_takes_only_description_and_metadata(api):
    customer = make_customer()
    posted = adjust(customer, -500)
    refused = api.post(_path(customer, posted.public_id), [("amount", "100")])
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "amount"
    too_long = api.post(_path(customer, posted.public_id), [("description", "x" * 351)])
    assert too_long.json()["error"]["param"] == "description"
    posted.refresh_from_db()
    assert (posted.amount, posted.description) == (-500, "")


def test_unknown_or_deleted_customer_and_another_customers_transaction_are_404(api):
    assert api.get("/v1/customers/cus_nope/balance_transactions").status_code == 404
    gone = make_customer()
    customer_delete(customer=gone, deleted_by=None)
    answer = api.post(_path(gone), [("amount", "-500"), ("currency", "eur")])
    assert answer.status_code == 404 and answer.json()["error"]["param"] == "id"
    owner, other = make_customer(), make_customer()
    cbtxn = adjust(owner, -500).public_id
    for answer in (
        api.get(_path(other, cbtxn)),
        api.post(_path(other, cbtxn), [("description", "Mine now")]),
        api.get(_path(owner, "cbtxn_nope")),
    ):
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "resource_missing"
    assert BalanceTransaction.objects.get(public_id=cbtxn).description == ""


def test_support_reads_but_cannot_write(support_api):
    customer = make_customer()
    cbtxn = adjust(customer, -500).public_id
    assert support_api.get(_path(customer)).status_code == 200
    assert support_api.get(_path(customer, cbtxn)).status_code == 200
    added = support_api.post(_path(customer), [("amount", "-100"), ("currency", "usd")])
    assert added.status_code == 403
    changed = support_api.post(_path(customer, cbtxn), [("description", "x")])
    assert changed.status_code == 403
    assert BalanceTransaction.objects.count() == 1


def test_an_idempotent_retry_posts_once(api):
    customer = make_customer()
    params = [("amount", "-500"), ("currency", "usd")]
    first = api.post(_path(customer), params, HTTP_IDEMPOTENCY_KEY="cbtxn-1")
    again = api.post(_path(customer), params, HTTP_IDEMPOTENCY_KEY="cbtxn-1")
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert BalanceTransaction.objects.count() == 1 and balance_of(customer) == -500


def test_balance_adjust_keeps_metadata():
    posted = adjust(make_customer(), -500, metadata={"ticket": "42"})
    posted.refresh_from_db()
    assert posted.metadata == {"ticket": "42"}
    with pytest.raises(ValidationError):
        adjust(make_customer(), -500, metadata={"k": "x" * 501})


def test_metadata_update_merges_and_removes_keys():
    posted = adjust(make_customer(), -500, metadata={"a": "1", "b": "2"}, description="Kept")
    services.transaction_metadata_update(balance_transaction=posted, changes={"a": "", "c": "3"})
    posted.refresh_from_db()
    assert posted.metadata == {"b": "2", "c": "3"} and posted.description == "Kept"
    with pytest.raises(ValidationError):
        services.transaction_metadata_update(balance_transaction=posted, changes={"[": "x"})


def test_describe_leaves_what_is_not_given():
    posted = adjust(make_customer(), -500, metadata={"a": "1"}, description="Before")
    services.transaction_describe(balance_transaction=posted, description="After")
    posted.refresh_from_db()
    assert (posted.description, posted.metadata) == ("After", {"a": "1"})
    services.transaction_describe(balance_transaction=posted, metadata={})
    posted.refresh_from_db()
    assert (posted.description, posted.metadata) == ("After", {})


def test_an_api_adjustment_is_logged_and_recorded_as_the_keys_account(
    api, caplog, django_capture_on_commit_callbacks
):
    customer = api.post("/v1/customers", [("name", "Logged"), ("email", "l@example.com")]).json()
    caplog.set_level(logging.INFO)
    path = f"/v1/customers/{customer['id']}/balance_transactions"
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(path, [("amount", "-250"), ("currency", "eur")]).json()
    actor = ApiKey.objects.get().actor
    (money,) = [record for record in caplog.records if record.name == "money"]
    access = [record for record in caplog.records if record.name == "access"][-1]
    assert (money.action, money.user_id, money.object) == (
        "transaction.adjustment", actor.pk, created["id"]
    )  # fmt: skip
    assert access.user_id == actor.pk
    assert BalanceTransaction.objects.get(public_id=created["id"]).created_by == actor
