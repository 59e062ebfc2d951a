import pytest
from django.urls import reverse

from customers.services import customer_delete
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def test_support_can_search_customers_in_the_admin(support_client):
    make_customer(name="Findable", aliases=["crm-55"])
    url = reverse("admin:customers_customer_changelist")
    assert "Findable" in support_client.get(url, {"q": "findable"}).content.decode()
    assert "Findable" in support_client.get(url, {"q": "crm-55"}).content.decode()


def test_support_is_read_only_in_the_admin(support_client):
    customer = make_customer(name="Locked")
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    page = support_client.get(url).content.decode()
    assert "Save" not in page and "Locked" in page
    response = support_client.post(url, {"name": "Changed"})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.name == "Locked"


def test_nobody_can_hard_delete_a_customer_in_the_admin(admin_client):
    customer = make_customer()
    url = reverse("admin:customers_customer_delete", args=[customer.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert type(customer).objects.filter(pk=customer.pk).exists()


def test_support_sees_and_restores_a_deleted_customer(support_client, support_user):
    customer = make_customer(name="Restorable")
    customer_delete(customer=customer, deleted_by=support_user)
    url = reverse("admin:customers_customer_changelist")
    assert "Restorable" in support_client.get(url, {"status": "deleted"}).content.decode()
    response = support_client.post(
        url, {"action": "restore", "_selected_action": [customer.pk]}, follow=True
    )
    assert "Restored 1 customer" in response.content.decode()
    customer.refresh_from_db()
    assert customer.deleted_at is None


def test_admin_export_needs_the_export_permission(support_client, ops_client):
    make_customer(name="Exported", metadata={"k": "v"})
    url = reverse("admin:customers_customer_export")
    assert support_client.get(url).status_code == 403
    assert ops_client.get(url).status_code == 200
    form = {"format": "0", "resource": "0", "customerresource_name": "on"}
    response = ops_client.post(url, form)
    assert response.status_code == 200, response.content[:500]
    assert b"Exported" in response.content


def test_billing_staff_cannot_edit_in_the_admin(client):
    from tests.factories import make_user

    client.force_login(make_user("Billing staff", is_staff=True))
    customer = make_customer(name="Kept")
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    assert client.post(url, {"name": "Changed"}).status_code == 403
    customer.refresh_from_db()
    assert customer.name == "Kept"


def test_admin_search_uses_the_indexed_search_and_external_ids(support_client, billing_client):
    ada = make_customer(name="Ada Lovelace", aliases=["crm-42"])
    make_customer(name="Grace Hopper")
    url = reverse("admin:customers_customer_changelist")
    for term in ("lovel", "LOVELACE", ada.public_id, "crm-42"):
        body = support_client.get(url, {"q": term}).content.decode()
        assert "Ada Lovelace" in body and "Grace Hopper" not in body, term
    autocomplete = billing_client.get(
        reverse("admin:autocomplete"),
        {"term": "hopp", "app_label": "billing", "model_name": "customercoupon",
         "field_name": "customer"},
    )  # fmt: skip
    assert [r["text"] for r in autocomplete.json()["results"]] == ["Grace Hopper"]
