"""The customers' trail records each change once, as whoever made it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from activity.models import Entry
from customers import services
from customers.models import CustomerImport
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db


def test_removing_a_tax_id_removed_meanwhile_records_nothing_more():
    customer = make_customer()
    tax_id = services.tax_id_add(customer=customer, type="eu_vat", value="DE136695976")
    stale = type(tax_id).objects.get(pk=tax_id.pk)  # a second request's copy
    services.tax_id_delete(tax_id=tax_id)
    services.tax_id_delete(tax_id=stale)  # a double submit: nothing left to remove
    assert Entry.objects.filter(kind="customer.tax_id.deleted").count() == 1


def test_an_import_is_recorded_as_whoever_confirmed_it_not_who_uploaded_it():
    uploader, confirmer = make_user("Billing staff"), make_user("Billing staff")
    uploading, confirming = Client(), Client()
    uploading.force_login(uploader)
    confirming.force_login(confirmer)
    upload = SimpleUploadedFile("customers.csv", b"name,email\nAda,ada@example.com\n")
    uploading.post(reverse("customers:import_new"), {"file": upload})
    record = CustomerImport.objects.get()
    confirming.post(reverse("customers:import_confirm", args=[record.public_id]))
    entries = Entry.objects.filter(source="import")
    assert {entry.kind for entry in entries} == {"customer.created", "import.finished"}
    assert {(entry.user, entry.actor) for entry in entries} == {(confirmer, confirmer.username)}


def test_the_worker_imports_as_whoever_confirmed_it():
    from activity.context import acting
    from activity.kinds import Source
    from customers.imports.services import import_check, import_create
    from customers.tasks import apply_customer_import

    uploader, confirmer = make_user("Billing staff"), make_user("Billing staff")
    record = import_create(
        data=b"name,email\nAda,ada@example.com\n", file_name="c.csv", user=uploader
    )
    import_check(record)
    with acting(Source.COMMAND, name="manage.py run_worker"):
        apply_customer_import.call(record.pk, False, confirmer.pk)
    entries = Entry.objects.all()
    assert len(entries) == 2  # the customer, and the import
    assert {(e.source, e.user) for e in entries} == {("import", confirmer)}
