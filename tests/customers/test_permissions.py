import pytest
from django.urls import reverse

from tests.factories import make_customer, make_user, profile_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    return make_customer()


def _urls(customer):
    cid = customer.public_id
    return {
        "list": ("get", reverse("customers:list")),
        "detail": ("get", reverse("customers:detail", args=[cid])),
        "add": ("post", reverse("ledger:customer_add")),
        "edit": ("post", reverse("customers:edit", args=[cid])),
        "delete": ("post", reverse("customers:delete", args=[cid])),
        "bulk_delete": ("post", reverse("customers:bulk_delete")),
        "export": ("get", reverse("customers:export")),
    }


ALLOWED = {
    "Billing staff": {"list", "detail", "add", "edit", "delete", "bulk_delete"},
    "Ops": {"list", "detail", "export"},
    "Support": {"list", "detail"},
    None: set(),
}


@pytest.mark.parametrize("role", list(ALLOWED))
def test_each_role_gets_403_outside_its_permissions(client, customer, role):
    client.force_login(make_user(role))
    for name, (method, url) in _urls(customer).items():
        if name in ALLOWED[role]:
            continue
        data = profile_post_data() if method == "post" else None
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (role, name)


@pytest.mark.parametrize("role", ["Billing staff", "Ops", "Support"])
def test_each_role_can_use_what_it_is_allowed(client, customer, role):
    client.force_login(make_user(role))
    for name, (method, url) in _urls(customer).items():
        if name in ALLOWED[role] and method == "get":
            assert client.get(url).status_code == 200, (role, name)


def test_support_sees_no_buttons_it_cannot_use(support_client, customer):
    page = support_client.get(reverse("customers:list")).content.decode()
    assert "Add customer" not in page and ">Delete<" not in page and "Export" not in page
    detail = support_client.get(customer.get_absolute_url()).content.decode()
    assert "Actions" not in detail and "Edit information" not in detail


def test_ops_sees_export_but_not_add_or_delete(ops_client, customer):
    page = ops_client.get(reverse("customers:list")).content.decode()
    assert "Export" in page
    assert "Add customer" not in page and 'id="bulk-delete"' not in page


def test_billing_staff_sees_add_and_delete(billing_client, customer):
    page = billing_client.get(reverse("customers:list")).content.decode()
    assert "Add customer" in page and 'id="bulk-delete"' in page
    detail = billing_client.get(customer.get_absolute_url()).content.decode()
    assert "Edit information" in detail and "Delete customer" in detail


def test_signed_out_users_go_to_login(client, customer):
    response = client.get(customer.get_absolute_url())
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_csrf_is_enforced(billing_user, customer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(billing_user)
    response = client.post(reverse("customers:delete", args=[customer.public_id]))
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.deleted_at is None
