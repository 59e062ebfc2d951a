import pytest
from django.core.exceptions import ValidationError

from customers import services
from customers.models import Contact, Customer, CustomerAlias, TaxId
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db


def test_create_saves_customer_with_tax_ids_contacts_and_aliases():
    customer = make_customer(
        tax_ids=[{"type": "eu_vat", "value": "DE136695976"}],
        contacts=[{"name": "AP", "email": "ap@example.com", "legal_emails": True}],
        aliases=["crm-1"],
    )
    assert [(t.type, t.value) for t in customer.tax_ids.all()] == [("eu_vat", "DE136695976")]
    assert customer.contacts.get().email_preferences == ["Billing", "Legal"]
    assert customer.aliases.get().alias == "crm-1"


def test_create_is_all_or_nothing():
    with pytest.raises(ValidationError):
        make_customer(name="Half", tax_ids=[{"type": "eu_vat", "value": "nonsense"}])
    assert not Customer.objects.filter(name="Half").exists()
    assert not TaxId.objects.exists()


def test_alias_taken_by_another_customer_rolls_back_everything():
    make_customer(aliases=["crm-1"])
    with pytest.raises(ValidationError):
        make_customer(name="Second", aliases=["crm-1"])
    assert not Customer.objects.filter(name="Second").exists()
    assert CustomerAlias.objects.count() == 1


def test_update_replaces_related_rows():
    customer = make_customer(
        tax_ids=[{"type": "eu_vat", "value": "DE136695976"}],
        contacts=[{"name": "AP", "email": "ap@example.com"}],
        aliases=["a", "b"],
    )
    kept = customer.tax_ids.get()
    services.customer_update(
        customer=customer,
        fields={"name": "Renamed"},
        tax_ids=[
            {"type": "eu_vat", "value": "DE136695976"},
            {"type": "us_ein", "value": "911144442"},
        ],
        contacts=[],
        aliases=["b", "c"],
    )
    customer.refresh_from_db()
    assert customer.name == "Renamed"
    assert customer.tax_ids.count() == 2 and customer.tax_ids.filter(pk=kept.pk).exists()
    assert not Contact.objects.filter(customer=customer).exists()
    assert sorted(customer.aliases.values_list("alias", flat=True)) == ["b", "c"]


def test_delete_leaves_a_tombstone_with_who_and_when():
    user = make_user()
    customer = make_customer()
    assert services.customer_delete(customer=customer, deleted_by=user) == 1
    customer.refresh_from_db()
    assert customer.deleted_at is not None and customer.deleted_by == user
    assert Customer.objects.filter(pk=customer.pk).exists()
    assert not Customer.objects.live().filter(pk=customer.pk).exists()


def test_deleting_twice_counts_once():
    customer = make_customer()
    services.customers_delete(customers=[customer], deleted_by=None)
    assert services.customers_delete(customers=[customer], deleted_by=None) == 0


def test_deleted_customer_cannot_be_edited_until_restored():
    customer = make_customer()
    services.customer_delete(customer=customer, deleted_by=None)
    with pytest.raises(ValidationError):
        services.customer_update(customer=customer, fields={"name": "Nope"})
    assert services.customers_restore(customers=[customer]) == 1
    services.customer_update(customer=customer, fields={"name": "Back"})
    customer.refresh_from_db()
    assert customer.name == "Back" and customer.deleted_at is None


def test_services_refuse_fields_staff_cannot_set():
    with pytest.raises(TypeError):
        make_customer(public_id="cus_chosen")
    customer = make_customer()
    with pytest.raises(TypeError):
        services.customer_update(customer=customer, fields={"deleted_at": None})


def test_long_text_is_refused_by_the_service_not_only_the_form():
    with pytest.raises(ValidationError) as error:
        make_customer(description="x" * 5001)
    assert "description" in error.value.message_dict


def test_who_deleted_a_customer_cannot_be_erased():
    from django.db.models import ProtectedError

    user = make_user()
    services.customer_delete(customer=make_customer(), deleted_by=user)
    with pytest.raises(ProtectedError):
        user.delete()


def test_duplicate_check_folds_case_beyond_ascii():
    from customers.selectors import customer_duplicates

    existing = make_customer(name="Émile Straße", email="EMILE@BÜRO.example")
    assert customer_duplicates(name="émile strasse", email="") == [existing]
    assert customer_duplicates(name="", email="emile@büro.EXAMPLE") == [existing]


def test_tax_id_add_compacts_the_value_and_refuses_a_duplicate():
    customer = make_customer()
    added = services.tax_id_add(customer=customer, type="eu_vat", value="de 136 695 976")
    assert (added.customer, added.value) == (customer, "DE136695976")
    with pytest.raises(ValidationError) as duplicate:
        services.tax_id_add(customer=customer, type="eu_vat", value="DE136695976")
    assert list(duplicate.value.error_dict) == ["value"]
    with pytest.raises(ValidationError) as invalid:
        services.tax_id_add(customer=customer, type="eu_vat", value="DE136695977")
    assert list(invalid.value.error_dict) == ["value"]
    assert customer.tax_ids.count() == 1


def test_tax_ids_of_a_deleted_customer_cannot_change():
    customer = make_customer(tax_ids=[{"type": "eu_vat", "value": "DE136695976"}])
    services.customer_delete(customer=customer, deleted_by=None)
    with pytest.raises(ValidationError):
        services.tax_id_add(customer=customer, type="gb_vat", value="GB980780684")
    with pytest.raises(ValidationError):
        services.tax_id_delete(tax_id=customer.tax_ids.get())
    assert customer.tax_ids.count() == 1


def test_tax_id_delete_removes_only_that_tax_id():
    customer = make_customer(
        tax_ids=[
            {"type": "eu_vat", "value": "DE136695976"},
            {"type": "gb_vat", "value": "GB980780684"},
        ]
    )
    services.tax_id_delete(tax_id=customer.tax_ids.get(type="eu_vat"))
    assert [t.type for t in customer.tax_ids.all()] == ["gb_vat"]


def test_metadata_changes_merge_into_the_row_as_locked_not_as_read():
    customer = make_customer(metadata={"a": "1", "drop": "x"})
    stale = Customer.objects.get(pk=customer.pk)  # read before another change lands
    services.customer_update(customer=customer, fields={}, metadata_changes={"c": "3"})
    changes = {"b": "2", "drop": ""}
    updated = services.customer_update(customer=stale, fields={}, metadata_changes=changes)
    assert updated.metadata == {"a": "1", "b": "2", "c": "3"}
