"""API keys: the api_key command, the admin, how a request's key is checked (Bearer, Basic,
revoked, rate limit) and what a key acting as a user may do."""

import base64
import hashlib
from datetime import UTC, datetime
from io import StringIO
from unittest import mock

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command

from api.backends import ApiKeyActorBackend
from api.keys import api_key_create, api_key_revoke
from api.models import ApiKey
from customers.models import Customer
from ledger.models import BalanceTransaction
from tests.api.conftest import Api, make_key
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("api_key", *args, stdout=out)
    return out.getvalue()


def test_create_prints_the_secret_once_and_keeps_only_its_hash():
    printed = run("create", "--name", "Signup flow", "--role", "Ops")
    secret = next(line for line in printed.splitlines() if line.startswith("sk_test_"))
    assert "can't be shown again" in printed and "role Ops" in printed
    key = ApiKey.objects.get()
    assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {getattr(key, field.attname) for field in ApiKey._meta.fields}
    assert key.redacted == f"{secret[:12]}…{secret[-4:]}"
    assert key.actor.groups.get().name == "Ops" and key.actor.has_usable_password() is False


def test_create_for_a_user_and_refusals():
    make_user(username="alice")
    assert "user alice" in run("create", "--name", "Reports", "--user", "alice")
    assert ApiKey.objects.get().user.username == "alice"
    with pytest.raises(CommandError, match="No role named 'Boss'"):
        run("create", "--name", "X", "--role", "Boss")
    with pytest.raises(CommandError, match="No user named 'bob'"):
        run("create", "--name", "X", "--user", "bob")


def test_list_and_revoke():
    assert run("list") == "No API keys.\n"
    ops, _ = make_key("Ops", name="Ops reports")
    make_user(username="alice")
    api_key_create(name="Alice's script", user=User.objects.get(username="alice"))
    listed = run("list").splitlines()
    assert listed[0].split() == ["Name", "Key", "Acts", "as", "Created", "Last", "used", "Revoked"]
    assert ops.redacted in listed[2] and "role Ops" in listed[2] and "never" in listed[2]
    assert "user alice" in listed[1]

    assert "Revoked the API key" in run("revoke", ops.prefix)
    assert "already revoked" in run("revoke", str(ops.pk))
    ops.refresh_from_db()
    assert ops.is_revoked and ops.revoked_at.strftime("%Y-%m-%d") in run("list").splitlines()[2]
    with pytest.raises(CommandError, match="No API key"):
        run("revoke", "sk_test_zzzz")


def test_a_revoked_key_is_refused_and_its_account_loses_its_role():
    key, secret = make_key("Billing staff")
    api = Api(secret)
    assert api.get("/v1/customers").status_code == 200
    assert key.actor.has_perm("customers.add_customer")
    api_key_revoke(key=key)
    answer = api.get("/v1/customers")
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"] == f"Invalid API Key provided: sk_test_****{secret[-4:]}"
    assert not User.objects.get(pk=key.actor_id).has_perm("customers.add_customer")


def test_basic_auth_with_the_key_as_user_name():
    _, secret = make_key()
    api = Api("")
    basic = base64.b64encode(f"{secret}:".encode()).decode()  # curl -u sk_test_…:
    assert api.get("/v1/customers", HTTP_AUTHORIZATION=f"Basic {basic}").status_code == 200
    other_last = "y" if secret.endswith("x") else "x"  # a key one character off
    wrong = base64.b64encode(f"{secret[:-1]}{other_last}:".encode()).decode()
    for header in (f"Basic {wrong}", "Basic not-base64!", "Token abc", ""):
        answer = api.get("/v1/customers", HTTP_AUTHORIZATION=header)
        assert answer.status_code == 401, header
        assert answer.json()["error"]["type"] == "invalid_request_error"


def test_the_rate_limit_answers_429_and_using_a_key_records_when(settings):
    settings.API_RATE_LIMIT = 2
    key, secret = make_key()
    api = Api(secret)
    one_second = datetime(2025, 1, 1, 12, 0, 0, 500, tzinfo=UTC)
    with mock.patch("api.http.timezone.now", return_value=one_second):
        answers = [api.get("/v1/customers") for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert answers[2]["Retry-After"] == "1"
    assert answers[2].json()["error"]["code"] == "rate_limit"
    key.refresh_from_db()
    assert key.last_used_at == one_second
    next_second = datetime(2025, 1, 1, 12, 0, 1, tzinfo=UTC)
    with mock.patch("api.http.timezone.now", return_value=next_second):
        assert api.get("/v1/customers").status_code == 200


def test_a_user_key_has_its_users_permissions_and_changes_are_its_own():
    ops_key, ops_secret = api_key_create(name="Ops script", user=make_user("Ops"))
    ops_api = Api(ops_secret)
    assert ops_api.get("/v1/customers").status_code == 200
    refused = ops_api.post("/v1/customers", {"name": "X", "email": "x@example.com"})
    assert refused.status_code == 403

    # The starting balance is checked by the ledger's service on the key's own account.
    key, secret = api_key_create(name="Billing script", user=make_user("Billing staff"))
    answer = Api(secret).post(
        "/v1/customers",
        {"name": "X", "email": "x@example.com", "balance": "-500", "currency": "eur"},
    )
    assert answer.status_code == 200, answer.content
    customer = Customer.objects.get(public_id=answer.json()["id"])
    assert BalanceTransaction.objects.get(customer=customer).created_by == key.actor
    assert not key.actor.groups.exists()


def test_the_actor_backend_answers_only_for_active_keys_of_active_users(
    django_assert_num_queries,
):
    user = make_user("Billing staff")
    key, _ = api_key_create(name="Script", user=user)
    backend = ApiKeyActorBackend()
    with django_assert_num_queries(0):  # not a key's account: not looked up
        assert backend.has_perm(user, "customers.add_customer") is False
    assert User.objects.get(pk=key.actor_id).has_perm("customers.add_customer")
    user.is_active = False
    user.save()
    assert not User.objects.get(pk=key.actor_id).has_perm("customers.add_customer")
    user.is_active = True
    user.save()
    api_key_revoke(key=key)
    assert not User.objects.get(pk=key.actor_id).has_perm("customers.add_customer")


def test_the_admin_shows_the_secret_once_and_revokes(admin_client):
    ops = Group.objects.get(name="Ops")
    added = admin_client.post("/admin/api/apikey/add/", {"name": "From the admin", "role": ops.pk})
    assert added.status_code == 200 and "no-store" in added["Cache-Control"]
    # Not in a cookie (the messages framework keeps messages in one): nowhere but the page.
    assert "sk_test_" not in str(added.cookies)
    key = ApiKey.objects.get()
    page = added.content.decode()
    secret = page.split(f"{key.prefix}", 1)[1][:36]  # the rest of the secret
    assert key.key_hash == hashlib.sha256(f"{key.prefix}{secret}".encode()).hexdigest()
    assert key.created_by.username == "admin" and key.actor.groups.get() == ops
    assert key.prefix + secret not in admin_client.get("/admin/api/apikey/").content.decode()
    assert (
        key.prefix + secret
        not in admin_client.get(f"/admin/api/apikey/{key.pk}/change/").content.decode()
    )

    both = admin_client.post(
        "/admin/api/apikey/add/",
        {"name": "Both", "role": ops.pk, "user": User.objects.get(username="admin").pk},
    )
    assert "Choose a role or a user, not both." in both.content.decode()
    assert ApiKey.objects.count() == 1

    admin_client.post(
        "/admin/api/apikey/",
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    key.refresh_from_db()
    assert key.is_revoked and not key.actor.groups.exists()


def test_the_keys_account_name_holds_none_of_the_secret():
    key, secret = make_key()
    name = key.actor.username.removeprefix("api-key-")
    assert len(name) == 12 and name not in secret


def test_a_key_of_a_deactivated_user_is_refused_and_errors_show_only_the_last_four():
    user = make_user("Billing staff")
    _, secret = api_key_create(name="Script", user=user)
    assert Api(secret).get("/v1/customers").status_code == 200
    user.is_active = False
    user.save()
    refused = Api(secret).get("/v1/customers")
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == (
        f"Invalid API Key provided: sk_test_****{secret[-4:]}"
    )
    stranger = Api("not-ours-123456").get("/v1/customers").json()["error"]["message"]
    assert stranger == "Invalid API Key provided: ****3456"
