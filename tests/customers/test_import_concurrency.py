"""An import and an edit on the customer page at once: the import reads the customers
its rows update under their row locks, so an edit made meanwhile waits for the import
and is kept, and each one's entry names the values it found."""

import threading

import pytest
from django.db import connection

from activity.models import Entry
from customers.imports import services as imports
from customers.imports.services import import_apply, import_check, import_create
from customers.services import customer_update
from tests.factories import make_customer

# How long the import waits, with its rows planned, for the page's edit to go through
# first; the edit waits for the import's locks instead when it has them.
EDIT_WAIT = 2


@pytest.mark.usefixtures("flushable_db")
def test_an_edit_made_while_an_import_updates_the_customer_is_kept(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks: SQLite's writers already take turns (BEGIN IMMEDIATE)")
    ada = make_customer(name="Ada", email="ada@example.com", phone="")
    grace = make_customer(name="Grace", email="grace@example.com")
    text = (
        "id,phone,email\n"
        f"{ada.public_id},+44 20 7946 0000,ada@example.com\n"
        f"{grace.public_id},,grace@new.example.com\n"
    )
    record = import_create(data=text.encode(), file_name="customers.csv", user=None)
    import_check(record)
    planned, edited = threading.Event(), threading.Event()
    update_customers = imports.update_customers

    def update_after_the_edit(*args, **kwargs):
        planned.set()
        edited.wait(EDIT_WAIT)
        return update_customers(*args, **kwargs)

    monkeypatch.setattr(imports, "update_customers", update_after_the_edit)

    def edit():
        planned.wait(10)
        try:
            customer_update(customer=ada, fields={"email": "ada@new.example.com"})
        finally:
            edited.set()
            connection.close()

    editor = threading.Thread(target=edit)
    editor.start()
    try:
        import_apply(record)
    finally:
        editor.join()
    ada.refresh_from_db()
    assert (ada.phone, ada.email) == ("+44 20 7946 0000", "ada@new.example.com")
    entries = Entry.objects.filter(kind="customer.updated", customer=ada.public_id)
    changes = [c for e in entries.order_by("id") for c in e.data["changes"]]
    assert [(c["field"], c["old"], c["new"]) for c in changes] == [
        ("phone", "", "+44 20 7946 0000"),
        ("email", "ada@example.com", "ada@new.example.com"),
    ]
