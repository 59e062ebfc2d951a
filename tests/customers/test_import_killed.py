"""A real `import_customers` process, killed with SIGKILL while it writes: the database
must hold none of its rows, and take the next import as if nothing happened."""

import io
import os
import sqlite3
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from customers.models import Customer, CustomerImport
from customers.selectors import customer_list, customer_page
from customers.triggers import expected_triggers, installed_triggers

ROWS = 50_000
# The write lock is taken when the import's transaction begins, before it matches the
# rows (~0.3 s here); the INSERTs and the search index take ~5 s more. Killed 1 s in,
# it has written some customers in a transaction it never commits.
WRITING_FOR = 1.0


def test_a_killed_import_leaves_no_partial_rows(flushable_db, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(
        "name,email,metadata[plan]\n"
        + "".join(f"Killed {n},killed{n}@example.com,pro\n" for n in range(ROWS))
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_customers", str(path)],
        cwd=settings.BASE_DIR,
        env={**os.environ, **_database_environment()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_writing(process)
        process.kill()
        assert process.wait(timeout=30) == -9
    finally:
        if process.poll() is None:
            process.kill()

    assert not Customer.objects.filter(name__startswith="Killed").exists()
    record = CustomerImport.objects.get()
    assert record.status == CustomerImport.Status.IMPORTING  # it could not say otherwise
    assert expected_triggers() <= installed_triggers()  # dropped for the import on SQLite

    # The next import writes, and its customers are found by search.
    path.write_text("name,email\nAfter the kill,after@example.com\n")
    call_command("import_customers", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert [c.name for c in customer_page(customer_list(params={"q": "after the"}))] == [
        "After the kill"
    ]


def _database_environment():
    """Points the child process at this test's database."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return {"SQLITE_PATH": str(database["NAME"])}
    user, password = database["USER"], database["PASSWORD"]
    host, port, name = database["HOST"] or "localhost", database["PORT"] or 5432, database["NAME"]
    return {"DATABASE_URL": f"postgres://{user}:{password}@{host}:{port}/{name}"}


def _wait_until_writing(process, timeout=60):
    """Returns once the import has held its write transaction for WRITING_FOR seconds."""
    started = time.monotonic()
    writing_since = None
    while time.monotonic() - started < timeout:
        assert process.poll() is None, "the import ended before it could be killed"
        if _import_is_writing():
            writing_since = writing_since or time.monotonic()
            if time.monotonic() - writing_since >= WRITING_FOR:
                return
        else:
            writing_since = None
        time.sleep(0.02)
    raise AssertionError("the import never started writing")


def _import_is_writing():
    if connection.vendor == "sqlite":
        # Another connection holds the write lock: BEGIN IMMEDIATE cannot start.
        probe = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.rollback()
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    with connection.cursor() as cursor:
        # Taken by the first INSERT into the table, held until the transaction ends.
        cursor.execute(
            "SELECT 1 FROM pg_locks JOIN pg_class ON pg_class.oid = pg_locks.relation "
            "WHERE pg_class.relname = 'customers_customer' AND pg_locks.mode = "
            "'RowExclusiveLock' AND pg_locks.pid <> pg_backend_pid()"
        )
        return cursor.fetchone() is not None
