import csv
import datetime
import gc
import io

import pytest

from customers.exports import csv_chunks
from customers.imports import services, writes
from customers.imports.services import ImportRefused, import_apply, import_check, import_create
from customers.models import Customer, CustomerAlias, CustomerImport, MetadataKey, TaxExempt
from customers.selectors import customer_list, customer_page
from customers.services import customer_delete
from customers.triggers import expected_triggers, installed_triggers
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db
Status = CustomerImport.Status

STRIPE_HEADER = "id,Description,Email,Name,Created (UTC),Address Country,Currency,plan (metadata)\n"
STRIPE_FILE = STRIPE_HEADER + (
    "cus_Stripe00000001,First customer,ada@example.com,Ada Lovelace,2021-03-04 05:06,GB,usd,"
    "pro\n"
    "cus_Stripe00000002,,grace@example.com,Grace Hopper,2022-11-30 23:59,us,eur,\n"
)


def _checked(text, *, file_name="customers.csv", **options):
    data = text.encode() if isinstance(text, str) else text
    customer_import = import_create(data=data, file_name=file_name, **options)
    import_check(customer_import)
    customer_import.refresh_from_db()
    return customer_import


def _counts(customer_import):
    return (
        customer_import.to_create,
        customer_import.to_update,
        customer_import.unchanged,
        customer_import.invalid,
    )


def _errors(customer_import):
    return [(e["line"], e["column"], e["message"]) for e in customer_import.errors]


def _export():
    return "".join(csv_chunks(Customer.objects.live(), every_customer=True))


# Checking


def test_check_counts_creates_updates_unchanged_and_invalid_and_writes_nothing():
    same = make_customer(name="Same", email="same@example.com")
    renamed = make_customer(name="Old name", email="renamed@example.com")
    text = (
        "id,name,email\n"
        f"{same.public_id},Same,same@example.com\n"
        f"{renamed.public_id},New name,renamed@example.com\n"
        ",Brand new,new@example.com\n"
        ",Broken,not-an-email\n"
    )
    customer_import = _checked(text)
    assert customer_import.status == Status.CHECKED
    assert _counts(customer_import) == (1, 1, 1, 1)
    assert customer_import.rows_total == 4 and customer_import.rows_done == 4
    assert [(e[0], e[1]) for e in _errors(customer_import)] == [(5, "email")]
    assert Customer.objects.count() == 2
    renamed.refresh_from_db()
    assert renamed.name == "Old name"
    assert bytes(customer_import.data) == text.encode()  # kept for the import


def test_progress_is_reported_while_checking():
    calls = []
    customer_import = import_create(data=b"name,email\nA,a@example.com\n", file_name="x.csv")
    import_check(customer_import, progress=lambda *args: calls.append(args))
    assert calls[-1] == ("checking", 1, 1)


def test_unknown_columns_are_listed_as_ignored():
    customer_import = _checked("name,email,favourite colour\nAcme,a@example.com,blue\n")
    assert customer_import.ignored_columns == ["favourite colour"]
    assert _counts(customer_import) == (1, 0, 0, 0)


def test_a_file_of_unknown_columns_fails_with_a_clear_message():
    customer_import = _checked("colour,size\nblue,large\n")
    assert customer_import.status == Status.FAILED
    assert customer_import.failure.startswith("No column of this file is a customer field.")
    assert "id,name,email" in customer_import.failure
    assert customer_import.finished_at is not None and bytes(customer_import.data) == b""


def test_an_unreadable_file_fails_with_the_reader_message():
    customer_import = _checked(b"", file_name="empty.csv")
    assert customer_import.status == Status.FAILED
    assert customer_import.failure == "The file is empty."


def test_a_header_without_rows_fails():
    customer_import = _checked("id,name,email\n")
    assert customer_import.status == Status.FAILED
    assert customer_import.failure == "The file has a header but no customers."


# Importing


def test_one_invalid_row_refuses_the_whole_import():
    existing = make_customer(name="Before", email="before@example.com")
    text = (
        "id,name,email\n"
        f"{existing.public_id},After,before@example.com\n"
        ",New one,new1@example.com\n"
        ",Bad currency row,not an email\n"
    )
    customer_import = _checked(text)
    with pytest.raises(ImportRefused, match="1 rows are invalid; nothing was imported."):
        import_apply(customer_import)
    assert Customer.objects.count() == 1
    existing.refresh_from_db()
    assert existing.name == "Before"
    customer_import.refresh_from_db()
    assert customer_import.status == Status.CHECKED and customer_import.created_count == 0


def test_valid_rows_only_imports_the_valid_rows():
    existing = make_customer(name="Before", email="before@example.com")
    text = (
        "id,name,email\n"
        f"{existing.public_id},After,before@example.com\n"
        ",New one,new1@example.com\n"
        ",New two,new2@example.com\n"
        ",Broken,not an email\n"
    )
    customer_import = _checked(text)
    assert import_apply(customer_import, valid_rows_only=True) == (2, 1)
    assert set(Customer.objects.values_list("name", flat=True)) == {"After", "New one", "New two"}
    customer_import.refresh_from_db()
    assert customer_import.status == Status.DONE
    assert (customer_import.created_count, customer_import.updated_count) == (2, 1)
    assert customer_import.invalid == 1 and customer_import.valid_rows_only
    assert bytes(customer_import.data) == b""


def test_created_customers_get_defaults_search_keys_and_unique_prefixes():
    text = "name,email\nÉcole Zoë,Zoe@Example.com\nAcme,acme@example.com\n"
    import_apply(_checked(text))
    customer = Customer.objects.get(name="École Zoë")
    assert customer.email_key == "zoe@example.com" and customer.name_key == "école zoë"
    assert customer.tax_exempt == TaxExempt.NONE and customer.payment_terms_days == 30
    assert customer.next_invoice_sequence == 1 and customer.legal_entity.is_default
    prefixes = set(Customer.objects.values_list("invoice_prefix", flat=True))
    assert len(prefixes) == 2 and all(len(p) == 8 for p in prefixes)
    for customer in Customer.objects.all():
        customer.full_clean()


def test_created_customers_are_searchable_and_their_metadata_keys_listed():
    text = "name,email,metadata[warehouse]\nZanzibar Traders,z@example.com,Dock 7\n"
    import_apply(_checked(text))
    assert _search("zanzibar") == ["Zanzibar Traders"]
    assert _search("dock 7") == ["Zanzibar Traders"]  # metadata values are searched too
    assert MetadataKey.objects.filter(key="warehouse").exists()
    # The insert triggers are back for customers added afterwards.
    assert expected_triggers() <= installed_triggers()
    make_customer(name="Added later", metadata={"shelf": "B"})
    assert _search("added later") == ["Added later"]
    assert MetadataKey.objects.filter(key="shelf").exists()


def _search(text):
    return [c.name for c in customer_page(customer_list(params={"q": text}))]


def test_the_rows_frozen_for_the_collector_are_unfrozen_even_after_a_failure(monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_EVERY", 1)  # freeze after every row
    text = "name,email\nA,a@example.com\nB,b@example.com\n"
    frozen = []
    real_plan = services.plan_rows
    monkeypatch.setattr(services, "plan_rows", lambda *a, **k: frozen.append(gc.get_freeze_count())
                        or real_plan(*a, **k))  # fmt: skip
    customer_import = _checked(text)
    assert frozen[0] > 0 and gc.get_freeze_count() == 0

    monkeypatch.setattr(services, "create_customers", lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        import_apply(customer_import)
    assert len(frozen) == 2 and frozen[1] > 0 and gc.get_freeze_count() == 0
    assert gc.isenabled()


def test_import_records_who_ran_it():
    user = make_user()
    customer_import = import_create(
        data=b"name,email\nA,a@example.com\n", file_name="a.csv", user=user
    )
    import_check(customer_import)
    import_apply(customer_import)
    customer_import.refresh_from_db()
    assert customer_import.created_by == user and customer_import.finished_at is not None


# Our own export, round trip


def _varied_customers():
    return [
        make_customer(
            name="=HYPERLINK(1)",
            email="formula@example.com",
            description="Line one, with a comma\nline two",
            preferred_locales=["fr-CA", "en"],
            metadata={"tier": "gold", "internal_id": "42"},
            address_country="CA",
            default_currency="CAD",
            phone="+1 514 555 0100",
            tax_ids=[
                {"type": "ca_bn", "value": "123026635"},
                {"type": "eu_vat", "value": "FR40303265045"},
            ],  # fmt: skip
        ),
        make_customer(
            name="Plain Co",
            email="plain@example.com",
            metadata={"tier": "-silver"},
            tax_exempt="exempt",
            payment_terms_days=45,
            next_invoice_sequence=7,
            invoice_footer='Thanks, "friend"',
            shipping_name="Dock 4",
            shipping_city="Lyon",
            shipping_country="FR",
        ),
    ]


def test_an_unedited_export_imports_as_all_unchanged():
    customers = _varied_customers()
    customer_import = _checked(_export())
    assert customer_import.status == Status.CHECKED, customer_import.failure
    assert _counts(customer_import) == (0, 0, len(customers), 0), customer_import.errors
    assert customer_import.ignored_columns == []
    assert import_apply(customer_import) == (0, 0)


def test_an_edited_export_updates_only_the_changed_customer():
    customers = _varied_customers()
    before = {c.pk: Customer.objects.get(pk=c.pk) for c in customers}
    rows = list(csv.reader(io.StringIO(_export(), newline="")))
    header = rows[0]
    plain = next(row for row in rows if row[header.index("name")] == "Plain Co")
    plain[header.index("name")] = "Plain Company"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)

    customer_import = _checked(buffer.getvalue())
    assert _counts(customer_import) == (0, 1, 1, 0), customer_import.errors
    assert import_apply(customer_import) == (0, 1)
    for pk, old in before.items():
        new = Customer.objects.get(pk=pk)
        expected_name = "Plain Company" if old.name == "Plain Co" else old.name
        assert new.name == expected_name
        assert new.name_key == expected_name.casefold()
        for field in ("email", "description", "preferred_locales", "metadata", "created",
                      "invoice_prefix", "next_invoice_sequence", "invoice_footer"):  # fmt: skip
            assert getattr(new, field) == getattr(old, field), field
        assert _tax_ids(new) == _tax_ids(old)


def _tax_ids(customer):
    return list(customer.tax_ids.values_list("type", "value"))


def test_tax_ids_are_created_replaced_and_checked_by_the_tax_id_form():
    kept = make_customer(
        name="Kept",
        tax_ids=[{"type": "eu_vat", "value": "FR40303265045"},
                 {"type": "gb_vat", "value": "GB980780684"}],
    )  # fmt: skip
    text = (
        "id,name,email,tax_ids\n"
        f"{kept.public_id},Kept,{kept.email},eu_vat:FR40303265045; ch_vat:CHE-123.456.788 MWST\n"
        ",New,new@example.com,eu_vat:DE 136 695 976\n"
        ",Bad number,bad@example.com,eu_vat:FR00000000000\n"
        ",Bad type,type@example.com,xx_vat:123\n"
        ",Twice,twice@example.com,gb_vat:GB980780684;gb_vat:GB 980 780 684\n"
    )
    customer_import = _checked(text)
    assert _counts(customer_import) == (1, 1, 0, 3)
    errors = _errors(customer_import)
    assert [(line, column) for line, column, _m in errors] == [
        (4, "tax_ids"), (5, "tax_ids"), (6, "tax_ids")
    ]  # fmt: skip
    assert "This is not a valid" in errors[0][2] and errors[0][2].startswith("eu_vat:FR0")
    assert errors[1][2].startswith("xx_vat:123:") and "type:number" in errors[1][2]
    assert errors[2][2] == "gb_vat:GB 980 780 684 is listed twice."
    old_eu_vat = kept.tax_ids.get(type="eu_vat")

    import_apply(customer_import, valid_rows_only=True)
    assert _tax_ids(kept) == [("eu_vat", "FR40303265045"), ("ch_vat", "CHE-123.456.788 MWST")]
    assert kept.tax_ids.get(type="eu_vat").pk == old_eu_vat.pk  # kept, not made again
    assert _tax_ids(Customer.objects.get(name="New")) == [("eu_vat", "DE136695976")]


def test_an_empty_tax_ids_cell_removes_them_and_a_missing_column_keeps_them():
    customer = make_customer(tax_ids=[{"type": "eu_vat", "value": "FR40303265045"}])
    assert _counts(_checked(f"id,name\n{customer.public_id},Renamed\n")) == (0, 1, 0, 0)
    import_apply(_checked(f"id,name\n{customer.public_id},Renamed\n"))
    assert _tax_ids(customer) == [("eu_vat", "FR40303265045")]
    import_apply(_checked(f"id,tax_ids\n{customer.public_id},\n"))
    assert _tax_ids(customer) == []


def test_a_customer_without_an_account_email_reimports_unchanged():
    # Customers made from the Create invoice dialog with only a name have no email.
    bare = make_customer(name="Bare", email="")
    customer_import = _checked(_export())
    assert _counts(customer_import) == (0, 0, 1, 0), customer_import.errors
    import_apply(customer_import)
    bare.refresh_from_db()
    assert bare.email == ""


def test_an_empty_metadata_cell_unsets_the_key_and_other_keys_stay():
    customer = make_customer(name="Meta", metadata={"a": "1", "b": "2"})
    text = f"id,metadata[a],metadata[c]\n{customer.public_id},,3\n"
    import_apply(_checked(text))
    customer.refresh_from_db()
    assert customer.metadata == {"b": "2", "c": "3"}


def test_a_formula_cell_is_kept_as_data_and_exported_neutralised():
    customer_import = _checked("name,email,metadata[note]\n=1+2,f@example.com,'+3\n")
    import_apply(customer_import)
    customer = Customer.objects.get(email="f@example.com")
    assert customer.name == "=1+2"
    assert customer.metadata == {"note": "+3"}  # the export's leading ' is dropped
    row = next(csv.DictReader(io.StringIO(_export())))
    assert row["name"] == "'=1+2" and row["metadata[note]"] == "'+3"


# Stripe's export


def test_a_stripe_export_creates_customers_with_their_stripe_ids():
    customer_import = _checked(STRIPE_FILE, file_name="unified_customers.csv")
    assert _counts(customer_import) == (2, 0, 0, 0), customer_import.errors
    assert import_apply(customer_import) == (2, 0)

    ada = Customer.objects.get(email="ada@example.com")
    assert ada.name == "Ada Lovelace" and ada.description == "First customer"
    assert ada.default_currency == "USD" and ada.address_country == "GB"
    assert ada.metadata == {"plan": "pro"}
    assert ada.created == datetime.datetime(2021, 3, 4, 5, 6, tzinfo=datetime.UTC)
    assert list(ada.aliases.values_list("alias", flat=True)) == ["cus_Stripe00000001"]
    assert not ada.public_id.startswith("cus_Stripe")

    grace = Customer.objects.get(email="grace@example.com")
    assert grace.default_currency == "EUR" and grace.address_country == "US"
    assert grace.metadata == {}
    assert grace.created == datetime.datetime(2022, 11, 30, 23, 59, tzinfo=datetime.UTC)
    assert CustomerAlias.objects.get(alias="cus_Stripe00000002").customer == grace


def test_the_same_stripe_export_again_is_all_unchanged():
    import_apply(_checked(STRIPE_FILE))
    again = _checked(STRIPE_FILE)
    assert _counts(again) == (0, 0, 2, 0), again.errors
    assert import_apply(again) == (0, 0)
    assert Customer.objects.count() == 2 and CustomerAlias.objects.count() == 2


def test_an_edited_stripe_export_updates_through_the_external_id():
    import_apply(_checked(STRIPE_FILE))
    edited = STRIPE_FILE.replace("Ada Lovelace", "Augusta Ada King").replace(",pro", ",max")
    customer_import = _checked(edited)
    assert _counts(customer_import) == (0, 1, 1, 0), customer_import.errors
    import_apply(customer_import)
    ada = CustomerAlias.objects.get(alias="cus_Stripe00000001").customer
    assert ada.name == "Augusta Ada King" and ada.metadata == {"plan": "max"}


# Matching by email


def test_match_by_email_updates_the_customer_with_that_email():
    existing = make_customer(name="Old", email="Match@Example.com")
    text = "id,name,email\n,New,match@example.com\n"
    customer_import = _checked(text, match_by_email=True)
    assert _counts(customer_import) == (0, 1, 0, 0), customer_import.errors
    import_apply(customer_import)
    existing.refresh_from_db()
    assert existing.name == "New" and Customer.objects.count() == 1


def test_without_match_by_email_an_existing_email_is_an_error_naming_the_customer():
    existing = make_customer(name="Old", email="match@example.com")
    customer_import = _checked("id,name,email\n,New,match@example.com\n")
    assert _counts(customer_import) == (0, 0, 0, 1)
    [(line, column, message)] = _errors(customer_import)
    assert (line, column) == (2, "email")
    assert existing.public_id in message and "match customers by email" in message


def test_a_repeated_email_in_the_file_is_an_error_on_the_second_row():
    text = "name,email\nFirst,dup@example.com\nOther,other@example.com\nSecond,DUP@example.com\n"
    customer_import = _checked(text)
    assert _counts(customer_import) == (2, 0, 0, 1)
    assert _errors(customer_import) == [
        (4, "email", "The account email DUP@example.com is also on line 2.")
    ]


def test_the_same_customer_twice_in_the_file_is_an_error():
    customer = make_customer(name="Twice")
    text = f"id,name\n{customer.public_id},A\n{customer.public_id},B\n"
    customer_import = _checked(text)
    assert _errors(customer_import) == [(3, "id", "This customer is also on line 2.")]


def test_an_unknown_id_is_an_error():
    customer_import = _checked("id,name,email\ncus_doesNotExist,Who,who@example.com\n")
    assert _counts(customer_import) == (0, 0, 0, 1)
    assert _errors(customer_import) == [(2, "id", "No customer has the ID cus_doesNotExist.")]


def test_a_deleted_customer_is_not_updated():
    customer = make_customer(name="Gone")
    customer_delete(customer=customer, deleted_by=make_user())
    customer_import = _checked(f"id,name\n{customer.public_id},Back\n")
    assert _errors(customer_import) == [
        (2, "id", f"Customer {customer.public_id} is deleted; restore it first.")
    ]


def test_new_rows_need_a_name_and_an_email():
    customer_import = _checked("name,email,phone\n,,+1 555\n")
    assert _errors(customer_import) == [
        (2, "name", "Enter the customer's name."),
        (2, "email", "Enter the account email."),
    ]


# Field validation


def test_invalid_cells_are_reported_with_their_line_and_column():
    text = (
        "name,email,default_currency,address_country,preferred_locales,metadata[tier]\n"
        'Good,good@example.com,eur,fr,"fr, en",gold\n'
        "Bad email,not-an-email,,,,\n"
        "Bad currency,c@example.com,ZZZ,,,\n"
        "Bad country,d@example.com,,XX,,\n"
        "Bad locale,e@example.com,,,xx-YY,\n"
        'Bad metadata,f@example.com,,,,"two\nlines"\n'
    )
    customer_import = _checked(text)
    assert _counts(customer_import) == (1, 0, 0, 5)
    # One error per cell (the repeated metadata message has its own test below).
    errors = list({error[:2]: error for error in _errors(customer_import)}.values())
    assert [(line, column) for line, column, _m in errors] == [
        (3, "email"),
        (4, "default_currency"),
        (5, "address_country"),
        (6, "preferred_locales"),
        (7, "metadata"),
    ]
    assert "valid email" in errors[0][2]
    assert "ZZZ" in errors[1][2]
    assert "XX" in errors[2][2]
    assert "xx-YY" in errors[3][2]
    assert "line breaks" in errors[4][2]
    import_apply(customer_import, valid_rows_only=True)
    good = Customer.objects.get()
    assert (good.default_currency, good.address_country) == ("EUR", "FR")
    assert good.preferred_locales == ["fr", "en"] and good.metadata == {"tier": "gold"}


def test_a_metadata_key_over_40_characters_is_one_error():
    long_key = "k" * 41
    customer_import = _checked(f"name,email,metadata[{long_key}]\nAcme,a@example.com,v\n")
    assert customer_import.invalid == 1
    assert _errors(customer_import) == [
        (2, "metadata", f"Metadata key “{long_key}” must be 1 to 40 characters.")
    ]


def test_metadata_over_50_keys_once_merged_with_the_customers_is_refused():
    customer = make_customer(metadata={f"k{n}": "v" for n in range(49)})
    text = f"id,metadata[k0],metadata[new1]\n{customer.public_id},,v\n"  # unset one, add one
    assert _counts(_checked(text)) == (0, 1, 0, 0)
    text = f"id,metadata[new1],metadata[new2]\n{customer.public_id},v,v\n"
    assert _errors(_checked(text)) == [(2, "metadata", "Metadata can have at most 50 keys.")]


def test_a_blank_cell_for_a_long_metadata_key_is_fine():
    long_key = "k" * 41
    customer_import = _checked(f"name,email,metadata[{long_key}]\nAcme,a@example.com,\n")
    assert _counts(customer_import) == (1, 0, 0, 0), customer_import.errors


def test_a_row_with_more_cells_than_the_header_is_an_error():
    customer_import = _checked("name,email\nAcme,a@example.com,surplus\n")
    assert _errors(customer_import) == [(2, "", "This row has 3 cells; the header names 2.")]


def test_error_line_numbers_count_line_breaks_inside_cells():
    text = 'name,email,description\nAcme,a@example.com,"two\nlines"\nBroken,nope,\n'
    customer_import = _checked(text)
    assert [(e[0], e[1]) for e in _errors(customer_import)] == [(4, "email")]


# Crashes


def test_a_crash_while_writing_leaves_no_customers(monkeypatch):
    existing = make_customer(name="Untouched", email="untouched@example.com")
    rows = "".join(f",Crash {n},crash{n}@example.com\n" for n in range(5))
    text = f"id,name,email\n{existing.public_id},Touched,untouched@example.com\n" + rows
    customer_import = _checked(text)
    assert _counts(customer_import) == (5, 1, 0, 0)

    monkeypatch.setattr(writes, "WRITE_BATCH", 2)
    calls = []
    real_new_prefixes = writes.unused_invoice_prefixes

    def crashing_new_prefixes(count):
        # Called once a batch, before its INSERT: the second call comes after the
        # first batch of customers is written within the import's transaction.
        calls.append(count)
        if len(calls) == 2:
            assert Customer.objects.filter(email__startswith="crash").count() == 2
            raise RuntimeError("worker killed")
        return real_new_prefixes(count)

    monkeypatch.setattr(writes, "unused_invoice_prefixes", crashing_new_prefixes)
    with pytest.raises(RuntimeError, match="worker killed"):
        import_apply(customer_import)
    assert calls == [2, 2]
    assert not Customer.objects.filter(email__startswith="crash").exists()
    assert Customer.objects.count() == 1
    existing.refresh_from_db()
    assert existing.name == "Untouched"
    assert expected_triggers() <= installed_triggers()  # dropped for the import, if SQLite


def test_a_crash_while_checking_fails_the_record_and_drops_the_file(monkeypatch):
    """A bug still answers 500 (and is logged), but the record does not stay "checking"
    with the customers' file kept (finding 12.3.3)."""

    def crash(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(services, "read_table", crash)
    for run in (import_check, import_apply):
        customer_import = import_create(data=b"name\nAcme\n", file_name="customers.csv")
        with pytest.raises(RuntimeError, match="a bug"):
            run(customer_import)
        customer_import.refresh_from_db()
        assert customer_import.status == Status.FAILED and bytes(customer_import.data) == b""
        assert customer_import.failure == services.UNEXPECTED
        assert services.UNEXPECTED == "The check stopped on an unexpected error; nothing was saved."


@pytest.mark.parametrize(
    "text, line",
    [
        ("name,email,metadata[plan]\nAcme,a@example.com,pro\x00\n", 2),  # PostgreSQL refuses
        ("name,email,metadata[pl\x00an]\nAcme,a@example.com,pro\n", 1),  # a JSON key
        ("id,Email,Name\ncus_\x001,a@example.com,Acme\n", 2),  # an external ID
    ],
)
def test_a_nul_character_anywhere_fails_the_file_on_every_database(text, line):
    customer_import = _checked(text)
    assert customer_import.status == Status.FAILED
    assert customer_import.failure.startswith(f"Line {line} has a NUL character")
    assert not Customer.objects.exists()
