"""Each action on an invoice has its own URL, URL name and permission."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from billing.models import Invoice, InvoiceStatus
from tests.factories import make_invoice, make_user

pytestmark = pytest.mark.django_db


def _client_with(*codenames):
    user = make_user()
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="billing", codename__in=codenames)
    )
    client = Client()
    client.force_login(user)
    return client


def test_each_action_has_its_own_url_name_and_keeps_its_path():
    paths = {
        "billing:invoice_finalize": "/invoices/in_1/finalize/",
        "billing:invoice_mark_paid": "/invoices/in_1/pay/",
        "billing:invoice_void": "/invoices/in_1/void/",
        "billing:invoice_mark_uncollectible": "/invoices/in_1/uncollectible/",
        "billing:invoice_delete": "/invoices/in_1/delete/",
    }
    assert {name: reverse(name, args=["in_1"]) for name in paths} == paths


def test_deleting_a_draft_needs_the_delete_permission_not_change():
    invoice = make_invoice(None, 1000)
    client = _client_with("view_invoice", "change_invoice")
    url = reverse("billing:invoice_delete", args=[invoice.public_id])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert Invoice.objects.filter(pk=invoice.pk).exists()
    page = client.get(invoice.get_absolute_url()).content.decode()
    assert "Finalize" in page and "Delete draft" not in page


def test_the_delete_permission_alone_deletes_a_draft_but_changes_nothing_else():
    invoice = make_invoice(None, 1000)
    client = _client_with("view_invoice", "delete_invoice")
    finalize = reverse("billing:invoice_finalize", args=[invoice.public_id])
    assert client.post(finalize).status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.DRAFT
    response = client.post(reverse("billing:invoice_delete", args=[invoice.public_id]))
    assert response.status_code == 302
    assert not Invoice.objects.filter(pk=invoice.pk).exists()


@pytest.mark.parametrize(
    "name", ["invoice_mark_paid", "invoice_void", "invoice_mark_uncollectible"]
)
def test_issued_invoice_actions_need_the_change_permission(name):
    invoice = make_invoice(None, 1000, finalize=True)
    client = _client_with("view_invoice", "delete_invoice")
    assert client.post(reverse(f"billing:{name}", args=[invoice.public_id])).status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN
