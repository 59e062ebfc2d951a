"""What is changed through the API is recorded as its key's, and API keys themselves are
recorded when made and revoked (by name and redacted key, never the secret)."""

import json

import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from activity import exports
from activity.context import acting
from activity.kinds import Source
from activity.models import Entry
from api.keys import api_key_create, api_key_revoke
from api.models import ApiKey
from tests.api.conftest import Api
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db


def _entries(kind):
    return list(Entry.objects.filter(kind=kind).order_by("id"))


@pytest.fixture
def keyed():
    """An Api client and its key."""
    key, secret = api_key_create(name="Signup flow", role=Group.objects.get(name="Billing staff"))
    return Api(secret), key


def _by_the_key(entry, key):
    return (entry.source, entry.user, entry.actor) == ("api", key.actor, f"API key {key}")


def test_a_customer_created_and_updated_through_the_api_is_the_keys(keyed):
    api, key = keyed
    created = api.post("/v1/customers", [("name", "Ada"), ("email", "ada@example.com")]).json()
    api.post(f"/v1/customers/{created['id']}", [("name", "Ada King"), ("metadata[plan]", "pro")])
    (added,) = _entries("customer.created")
    (updated,) = _entries("customer.updated")
    assert added.customer == updated.customer == created["id"]
    assert _by_the_key(added, key) and _by_the_key(updated, key)
    assert [(c["field"], c["old"], c["new"]) for c in updated.data["changes"]] == [
        ("name", "Ada", "Ada King"),
        ("metadata", {}, {"plan": "pro"}),
    ]


def test_an_api_update_with_the_same_values_records_nothing(keyed):
    api, _key = keyed
    customer = make_customer(name="Same")
    assert api.post(f"/v1/customers/{customer.public_id}", [("name", "Same")]).status_code == 200
    assert _entries("customer.updated") == []


def test_a_refused_api_update_records_nothing(keyed):
    api, _key = keyed
    customer = make_customer()
    answer = api.post(f"/v1/customers/{customer.public_id}", [("email", "not-an-email")])
    assert answer.status_code == 400
    assert _entries("customer.updated") == []


def test_tax_ids_and_deletion_through_the_api_are_the_keys(keyed):
    api, key = keyed
    customer = make_customer()
    path = f"/v1/customers/{customer.public_id}"
    txi = api.post(f"{path}/tax_ids", [("type", "eu_vat"), ("value", "DE136695976")]).json()
    api.delete(f"{path}/tax_ids/{txi['id']}")
    api.delete(path)
    kinds = ["customer.tax_id.created", "customer.tax_id.deleted", "customer.deleted"]
    entries = [entry for kind in kinds for entry in _entries(kind)]
    assert [e.object_id for e in entries] == [txi["id"], txi["id"], customer.public_id]
    assert all(_by_the_key(e, key) for e in entries)


def test_a_balance_transaction_through_the_api_is_the_keys(keyed):
    api, key = keyed
    customer = make_customer()
    path = f"/v1/customers/{customer.public_id}/balance_transactions"
    posted = api.post(path, [("amount", "-500"), ("currency", "eur"), ("description", "Hi")])
    txn = posted.json()["id"]
    api.post(f"{path}/{txn}", [("description", "Goodwill")])
    (created,) = _entries("balance_transaction.created")
    (updated,) = _entries("balance_transaction.updated")
    assert created.object_id == updated.object_id == txn
    assert created.data == {"amount": -500, "currency": "EUR", "type": "adjustment",
                            "description": "Hi"}  # fmt: skip
    assert _by_the_key(created, key) and _by_the_key(updated, key)


# API keys


def test_a_key_made_and_revoked_is_recorded_by_name_and_redacted_key_never_its_secret():
    with acting(Source.COMMAND, name="manage.py api_key"):
        key, secret = api_key_create(name="Signup flow", role=Group.objects.get(name="Ops"))
        api_key_revoke(key=key)
        api_key_revoke(key=key)  # already revoked: nothing more to record
    created, revoked = _entries("api_key.created") + _entries("api_key.revoked")
    assert len(Entry.objects.filter(kind__startswith="api_key.")) == 2
    for entry in (created, revoked):
        assert entry.object_id == key.redacted
        assert (entry.source, entry.actor) == ("command", "manage.py api_key")
    assert created.data == {"name": "Signup flow", "key": key.redacted, "acts_as": "role Ops"}
    assert revoked.data == {"name": "Signup flow", "key": key.redacted}
    assert exports.detail(created.data).endswith("acts as role Ops")
    everything = json.dumps(list(Entry.objects.values("object_id", "data", "actor")))
    assert secret not in everything and secret[len(key.prefix) :] not in everything


def test_keys_made_and_revoked_in_the_admin_are_the_admins(admin_client, admin_user):
    ops = Group.objects.get(name="Ops")
    admin_client.post("/admin/api/apikey/add/", {"name": "From the admin", "role": ops.pk})
    key = ApiKey.objects.get()
    admin_client.post("/admin/api/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    entries = Entry.objects.order_by("id")
    assert [e.kind for e in entries] == ["api_key.created", "api_key.revoked"]
    assert {(e.source, e.user) for e in entries} == {("admin", admin_user)}


def test_a_key_renamed_in_the_admin_is_recorded_with_its_old_name(admin_client, admin_user):
    key, _ = api_key_create(name="Signup", role=Group.objects.get(name="Ops"))
    url = f"/admin/api/apikey/{key.pk}/change/"
    assert admin_client.post(url, {"name": "Signup flow"}).status_code == 302
    assert admin_client.post(url, {"name": "Signup flow"}).status_code == 302  # unchanged
    (renamed,) = _entries("api_key.updated")
    assert renamed.data == {
        "name": "Signup flow",
        "key": key.redacted,
        "changes": [{"field": "name", "label": "Name", "old": "Signup", "new": "Signup flow"}],
    }
    assert (renamed.source, renamed.user) == ("admin", admin_user)


def test_a_key_whose_making_is_rolled_back_leaves_no_entry():
    with pytest.raises(RuntimeError), transaction.atomic():
        api_key_create(name="Rolled back", role=Group.objects.get(name="Ops"))
        raise RuntimeError("the admin's save fails after the key is made")
    assert not Entry.objects.exists() and not ApiKey.objects.exists()


def test_a_user_key_made_names_the_user_it_acts_as():
    user = make_user(username="ada")
    key, _ = api_key_create(name="Ada's scripts", user=user)
    (created,) = _entries("api_key.created")
    assert created.data["acts_as"] == "user ada"
