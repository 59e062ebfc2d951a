"""The customers' activity: every write through customers.services and the import is
recorded in its own transaction, through each door (page, admin, import, command)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from activity.context import acting
from activity.kinds import Source
from activity.models import Entry
from customers import services
from customers.imports import services as import_services
from customers.imports.services import ImportRefused, import_apply, import_check, import_create
from customers.models import Customer, CustomerImport
from tests.factories import make_customer, make_user, profile_post_data

pytestmark = pytest.mark.django_db


def _entries(kind):
    return list(Entry.objects.filter(kind=kind).order_by("id"))


def _changes(entry):
    return {c["field"]: (c["label"], c["old"], c["new"]) for c in entry.data["changes"]}


# Created, updated


def test_a_created_customer_is_recorded_with_its_name_and_email_and_what_it_was_given():
    customer = make_customer(name="Acme", email="billing@acme.test", phone="+1 512 555 0100")
    (entry,) = _entries("customer.created")
    assert (entry.customer, entry.object_id, entry.invoice) == (customer.public_id,) * 2 + ("",)
    assert (entry.data["name"], entry.data["email"]) == ("Acme", "billing@acme.test")
    given = _changes(entry)
    assert given["phone"] == ("Phone", None, "+1 512 555 0100")
    assert given["invoice_prefix"] == ("Invoice prefix", None, customer.invoice_prefix)
    assert "tax_ids" not in given and "preferred_locales" not in given  # none: left out
    assert entry.source == "command"  # no door: a script or the shell


def test_a_customers_tax_ids_contacts_and_external_ids_at_creation_are_recorded():
    services.customer_create(
        fields={"name": "Acme", "email": "billing@acme.test"},
        tax_ids=[{"type": "eu_vat", "value": "DE136695976"}],
        contacts=[{"name": "Jane", "email": "jane@acme.test", "billing_emails": True}],
        aliases=["crm-1"],
    )
    (entry,) = _entries("customer.created")
    given = _changes(entry)
    assert given["tax_ids"] == ("Tax IDs", None, ["eu_vat DE136695976"])
    assert given["contacts"][2] == ["Jane <jane@acme.test> (Billing)"]
    assert given["aliases"] == ("External IDs", None, ["crm-1"])


def test_an_edit_on_the_page_records_what_changed_as_the_signed_in_user(
    billing_client, billing_user
):
    customer = make_customer(name="Old", aliases=["crm-1"])
    data = profile_post_data(name="New", email=customer.email,
                             invoice_prefix=customer.invoice_prefix)  # fmt: skip
    data.update({"aliases-TOTAL_FORMS": "2", "aliases-INITIAL_FORMS": "1",
                 "aliases-0-alias": "crm-1", "aliases-1-alias": "crm-2"})  # fmt: skip
    response = billing_client.post(reverse("customers:edit", args=[customer.public_id]), data)
    assert response.status_code in (200, 302)
    (entry,) = _entries("customer.updated")
    assert (entry.source, entry.user, entry.actor) == ("page", billing_user, billing_user.username)
    assert entry.customer == entry.object_id == customer.public_id
    assert _changes(entry) == {
        "name": ("Name", "Old", "New"),
        "aliases": ("External IDs", ["crm-1"], ["crm-1", "crm-2"]),
    }


def test_tax_ids_contacts_and_metadata_changes_are_readable_lines():
    customer = make_customer(
        tax_ids=[{"type": "eu_vat", "value": "DE136695976"}], metadata={"plan": "pro"}
    )
    services.customer_update(
        customer=customer,
        fields={"email": "new@example.com", "shipping_name": "Dock 4", "shipping_city": "Köln"},
        tax_ids=[{"type": "gb_vat", "value": "GB980780684"}],
        contacts=[{"name": "Jane", "email": "jane@example.com", "billing_emails": True,
                   "legal_emails": True}],
        metadata_changes={"plan": "", "region": "emea"},
    )  # fmt: skip
    (entry,) = _entries("customer.updated")
    assert _changes(entry) == {
        "email": ("Account email", customer.email, "new@example.com"),
        "shipping_name": ("Recipient name", "", "Dock 4"),
        "shipping_city": ("Shipping city", "", "Köln"),
        "metadata": ("Metadata", {"plan": "pro"}, {"region": "emea"}),
        "tax_ids": ("Tax IDs", ["eu_vat DE136695976"], ["gb_vat GB980780684"]),
        "contacts": ("Contacts", [], ["Jane <jane@example.com> (Billing, Legal)"]),
    }


def test_saving_the_same_values_records_nothing():
    customer = make_customer(tax_ids=[{"type": "eu_vat", "value": "DE136695976"}], aliases=["a"])
    services.customer_update(
        customer=customer,
        fields={"name": customer.name},
        tax_ids=[{"type": "eu_vat", "value": "DE136695976"}],
        contacts=[],
        aliases=["a"],
        metadata_changes={},
    )
    assert _entries("customer.updated") == []


def test_an_update_refused_after_saving_the_customer_records_nothing():
    customer = make_customer(name="Kept")
    with pytest.raises(ValidationError):
        services.customer_update(
            customer=customer,
            fields={"name": "Renamed"},
            contacts=[{"name": "No email", "email": "not-an-email"}],
        )
    assert _entries("customer.updated") == []
    customer.refresh_from_db()
    assert customer.name == "Kept"


# Tax IDs


def test_a_tax_id_added_and_removed_is_recorded():
    customer = make_customer()
    tax_id = services.tax_id_add(customer=customer, type="eu_vat", value="de 136 695 976")
    services.tax_id_delete(tax_id=tax_id)
    added, removed = _entries("customer.tax_id.created") + _entries("customer.tax_id.deleted")
    for entry in (added, removed):
        assert (entry.customer, entry.object_id) == (customer.public_id, tax_id.public_id)
        assert entry.data == {"type": "eu_vat", "value": "DE136695976"}


def test_a_refused_tax_id_records_nothing():
    customer = make_customer()
    with pytest.raises(ValidationError):
        services.tax_id_add(customer=customer, type="eu_vat", value="nonsense")
    assert _entries("customer.tax_id.created") == []


# Deleted, restored


def test_bulk_delete_on_the_page_records_each_customer_deleted(billing_client, billing_user):
    first, second, _kept = make_customer(), make_customer(), make_customer()
    ids = [first.public_id, second.public_id]
    billing_client.post(reverse("customers:bulk_delete"), {"customer": ids, "confirm": "1"})
    entries = _entries("customer.deleted")
    assert sorted(e.customer for e in entries) == sorted(ids)
    assert {(e.source, e.user) for e in entries} == {("page", billing_user)}
    assert {e.data["name"] for e in entries} == {first.name, second.name}


def test_only_the_customers_actually_deleted_or_restored_are_recorded():
    gone, live = make_customer(), make_customer()
    services.customer_delete(customer=gone, deleted_by=None)
    assert services.customers_delete(customers=[gone, live], deleted_by=None) == 1
    assert [e.customer for e in _entries("customer.deleted")] == [gone.public_id, live.public_id]
    assert services.customers_restore(customers=[gone, make_customer()]) == 1
    assert [e.customer for e in _entries("customer.restored")] == [gone.public_id]


def test_the_admin_restore_action_is_recorded_as_the_admin(support_client, support_user):
    customer = make_customer()
    services.customer_delete(customer=customer, deleted_by=support_user)
    support_client.post(
        reverse("admin:customers_customer_changelist"),
        {"action": "restore", "_selected_action": [customer.pk]},
    )
    (entry,) = _entries("customer.restored")
    assert (entry.customer, entry.source, entry.user) == (customer.public_id, "admin", support_user)


# Import

FILE = "name,email,tax_ids\nAda,ada@example.com,\nGrace,grace@example.com,eu_vat:DE136695976\n"


def _imported(text, user=None, **kwargs):
    record = import_create(data=text.encode(), file_name="customers.csv", user=user)
    import_check(record)
    import_apply(record, **kwargs)
    return record


def test_an_import_on_the_page_is_recorded_as_the_importer_through_the_import(
    billing_client, billing_user
):
    upload = SimpleUploadedFile("customers.csv", FILE.encode(), "text/csv")
    billing_client.post(reverse("customers:import_new"), {"file": upload})
    record = CustomerImport.objects.get()
    billing_client.post(reverse("customers:import_confirm", args=[record.public_id]))
    record.refresh_from_db()
    assert record.status == CustomerImport.Status.DONE
    created = _entries("customer.created")
    assert sorted(e.customer for e in created) == sorted(
        Customer.objects.values_list("public_id", flat=True)
    )
    assert {e.object_id == e.customer for e in created} == {True}
    (finished,) = _entries("import.finished")
    for entry in (*created, finished):
        assert (entry.source, entry.user, entry.actor) == (
            "import",
            billing_user,
            billing_user.username,
        )
    assert {e.data["import"] for e in created} == {record.public_id}
    assert finished.object_id == record.public_id and finished.customer == ""
    assert finished.data == {"name": "customers.csv", "counts": {"created": 2, "updated": 0}}


def test_imported_updates_record_the_old_values_as_the_plan_read_them():
    ada = make_customer(name="Ada", email="ada@example.com", metadata={"plan": "pro"})
    unchanged = make_customer(name="Same", email="same@example.com")
    text = (
        "id,name,tax_ids,metadata[plan]\n"
        f"{ada.public_id},Ada King,eu_vat:DE136695976,\n"
        f"{unchanged.public_id},Same,,\n"
    )
    record = _imported(text)
    (entry,) = _entries("customer.updated")
    assert (entry.customer, entry.object_id) == (ada.public_id, ada.public_id)
    assert entry.data["import"] == record.public_id
    assert _changes(entry) == {
        "name": ("Name", "Ada", "Ada King"),
        "tax_ids": ("Tax IDs", [], ["eu_vat DE136695976"]),
        "metadata": ("Metadata", {"plan": "pro"}, {}),
    }
    (finished,) = _entries("import.finished")
    assert finished.data["counts"] == {"created": 0, "updated": 1}


def test_the_worker_imports_as_the_importer():
    from customers.tasks import apply_customer_import

    importer = make_user("Billing staff")
    record = import_create(data=FILE.encode(), file_name="customers.csv", user=importer)
    import_check(record)
    with acting(Source.WORKER):
        apply_customer_import.call(record.pk, False)
    entries = Entry.objects.all()
    assert len(entries) == 3  # two customers, and the import
    assert {(e.source, e.user) for e in entries} == {("import", importer)}


def test_the_import_command_without_a_user_keeps_the_commands_name(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(FILE)
    with acting(Source.COMMAND, name="manage.py import_customers"):
        call_command("import_customers", str(path), stdout=io.StringIO())
    entries = Entry.objects.all()
    assert len(entries) == 3
    assert {(e.source, e.user, e.actor) for e in entries} == {
        ("import", None, "manage.py import_customers")
    }


def test_a_refused_import_records_nothing():
    with pytest.raises(ImportRefused):
        _imported(FILE + "Bad,not-an-email,\n")
    assert not Entry.objects.exists()


def test_an_import_that_fails_while_writing_records_nothing(monkeypatch):
    def fail(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_services, "update_customers", fail)
    with pytest.raises(RuntimeError):
        _imported(FILE)
    assert not Customer.objects.exists()
    assert not Entry.objects.exists()


# Commands


def test_the_demo_data_command_records_its_customers_as_a_command():
    with acting(Source.COMMAND, name="manage.py seed_demo"):
        call_command("seed_demo", "--customers", "3", stdout=io.StringIO())
    entries = _entries("customer.created")
    assert len(entries) == Customer.objects.count() > 0
    assert {(e.source, e.actor) for e in entries} == {("command", "manage.py seed_demo")}


def test_the_trail_stays_and_shows_on_a_deleted_customers_page(billing_client):
    customer = make_customer(name="Gone Ltd")
    services.customer_update(customer=customer, fields={"name": "Gone Limited"})
    billing_client.post(reverse("customers:delete", args=[customer.public_id]))
    response = billing_client.get(reverse("customers:detail", args=[customer.public_id]))
    assert response.status_code == 404  # the deleted customer's page
    content = response.content.decode()
    assert "This customer was deleted" in content
    assert 'id="activity"' in content
    for label in ("Customer deleted", "Customer updated", "Customer created"):
        assert label in content
    assert "Gone Limited" in content
    kinds = Entry.objects.filter(customer=customer.public_id).values_list("kind", flat=True)
    assert set(kinds) == {"customer.created", "customer.updated", "customer.deleted"}
