"""Who sees what of a deleted customer and of what deleting leaves open: the deleted
page needs customers.view_customer (billing's and the ledger's pages wrap it), and the
Delete dialog's totals need the right to see invoices or balance transactions."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from customers.services import customer_delete
from tests.factories import adjust, make_customer, make_invoice, make_user

pytestmark = pytest.mark.django_db


def _client_with(*permissions):
    user = make_user(is_staff=True)
    for name in permissions:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("page", "permission"),
    [("billing:customer_billing", "billing.view_invoice"),
     ("ledger:credit_balance", "ledger.view_balancetransaction")],
)  # fmt: skip
def test_a_deleted_customer_is_a_plain_404_without_the_right_to_view_customers(page, permission):
    customer = make_customer(name="Gone Ltd")
    customer_delete(customer=customer, deleted_by=None)
    url = reverse(page, args=[customer.public_id])
    response = _client_with(permission).get(url)
    assert response.status_code == 404
    assert "was deleted" not in response.text and "Gone Ltd" not in response.text
    allowed = _client_with(permission, "customers.view_customer").get(url)
    assert allowed.status_code == 404 and "This customer was deleted" in allowed.text


@pytest.mark.parametrize(
    ("also", "shown", "hidden"),
    [((), [], ["open invoice", "credit balance"]),
     (("billing.view_invoice",), ["1 open invoice"], ["credit balance"]),
     (("ledger.view_balancetransaction",), ["A credit balance of $10.00"], ["open invoice"])],
)  # fmt: skip
def test_the_delete_dialog_shows_only_the_totals_the_user_may_see(htmx, also, shown, hidden):
    customer = make_customer(name="Owing", default_currency="USD")
    make_invoice(customer, 5000, finalize=True)
    adjust(customer, -1000, idempotency_key="k1")
    client = _client_with("customers.view_customer", "customers.delete_customer", *also)
    url = reverse("customers:delete", args=[customer.public_id])
    dialog = client.get(url, **htmx)
    assert dialog.status_code == 200 and "Delete customer" in dialog.text
    assert all(text in dialog.text for text in shown)
    assert not any(text in dialog.text for text in hidden)


@pytest.mark.parametrize(
    ("also", "says"),
    [((), "Someone allowed to restore customers can bring it back."),
     (("customers.restore_customer",), "You can restore it from its page.")],
)  # fmt: skip
def test_the_delete_dialog_says_who_can_restore_as_the_deleted_page_does(htmx, also, says):
    customer = make_customer(name="Leaving")
    client = _client_with("customers.view_customer", "customers.delete_customer", *also)
    dialog = client.get(reverse("customers:delete", args=[customer.public_id]), **htmx).text
    assert says in dialog and "support can restore" not in dialog
