"""`manage.py backup` while adjustments keep coming, then `manage.py restore` into a new,
empty database: the copy is a prefix of the live ledger and `verify_ledger` is clean."""

import io
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from contextlib import closing, contextmanager

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ledger.models import BalanceTransaction
from ledger.triggers import expected_triggers
from tests.factories import adjust, make_customer

CUSTOMERS = 5
BEFORE_BACKUP = 100  # adjustments made before the backup starts
AFTER_BACKUP = 250  # and at least these after it ends, so the backup ran amid writes
RESTORE_DATABASE = "backup_restore"  # PostgreSQL: created and dropped by the test

TRANSACTIONS = (
    "SELECT id, customer_id, currency, amount, ending_balance "
    "FROM ledger_balancetransaction ORDER BY id"
)
BALANCES = "SELECT customer_id, currency, amount FROM ledger_customerbalance"
TRIGGERS = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
    "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal",
}


@pytest.mark.usefixtures("flushable_db")
def test_a_backup_taken_while_adjusting_restores_to_a_clean_prefix(tmp_path):
    customers = [make_customer() for _ in range(CUSTOMERS)]
    adjusted, stop = threading.Semaphore(0), threading.Event()
    errors: list[Exception] = []

    def adjust_until_stopped():
        try:
            n = 0
            while not stop.is_set():
                n += 1
                adjust(customers[n % CUSTOMERS], n if n % 3 else -2 * n, "USD")
                adjusted.release()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    writer = threading.Thread(target=adjust_until_stopped)
    writer.start()
    try:
        for _ in range(BEFORE_BACKUP):
            assert adjusted.acquire(timeout=30)
        path = tmp_path / "billing.backup"
        call_command("backup", str(path), stdout=io.StringIO())
        while adjusted.acquire(blocking=False):  # made while the backup ran
            pass
        for _ in range(AFTER_BACKUP):
            assert adjusted.acquire(timeout=30)
    finally:
        stop.set()
        writer.join()
    assert errors == []

    # Readable by its owner only; no temporary file left beside it.
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["billing.backup"]

    with _empty_database(tmp_path) as (environment, connect):
        result = subprocess.run(
            [sys.executable, "manage.py", "restore", str(path)],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert "Ledger OK" in result.stdout
        with closing(connect()) as restored:
            restored_rows = _rows(restored, TRANSACTIONS)
            restored_balances = _rows(restored, BALANCES)
            restored_triggers = {name for (name,) in _rows(restored, TRIGGERS[connection.vendor])}

    assert expected_triggers() <= restored_triggers  # the ledger still guards itself
    connection.ensure_connection()
    live_rows = _rows(connection.connection, TRANSACTIONS)
    assert BEFORE_BACKUP <= len(restored_rows) <= len(live_rows) - AFTER_BACKUP
    assert restored_rows == live_rows[: len(restored_rows)]
    assert f"balance transactions: {len(restored_rows):,}" in result.stdout
    sums: dict[tuple[int, str], int] = {}
    for _id, customer_id, currency, amount, _ending in restored_rows:
        sums[customer_id, currency] = sums.get((customer_id, currency), 0) + amount
    assert {(c, cur): amount for c, cur, amount in restored_balances} == sums


@pytest.mark.usefixtures("flushable_db")
def test_restore_refuses_a_database_that_holds_customers(tmp_path):
    adjust(make_customer(), 500, "USD")
    path = tmp_path / "billing.backup"
    call_command("backup", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="restore only into an empty database"):
        call_command("restore", str(path), stdout=io.StringIO())
    assert BalanceTransaction.objects.count() == 1


def test_restore_of_a_missing_file_says_so(tmp_path):
    with pytest.raises(CommandError, match="No backup at"):
        call_command("restore", str(tmp_path / "nothing.backup"))


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only"
)
@pytest.mark.django_db
def test_backup_without_pg_dump_names_the_package(tmp_path, monkeypatch):
    monkeypatch.setattr("core.backups.shutil.which", lambda name: None)
    with pytest.raises(CommandError, match="pg_dump is not installed: install postgresql-client"):
        call_command("backup", str(tmp_path / "billing.backup"))
    assert list(tmp_path.iterdir()) == []


def _rows(dbapi_connection, query):
    with closing(dbapi_connection.cursor()) as cursor:
        cursor.execute(query)
        return [tuple(row) for row in cursor.fetchall()]


@contextmanager
def _empty_database(tmp_path):
    """(environment for a manage.py child process pointed at a new empty database,
    a function opening a DB-API connection to it)."""
    environment = {**os.environ, "DJANGO_SECRET_KEY": "test-only-backup-restore"}
    if connection.vendor == "sqlite":
        target = tmp_path / "restored.sqlite3"
        environment.pop("DATABASE_URL", None)
        environment["SQLITE_PATH"] = str(target)
        yield environment, lambda: sqlite3.connect(target)
        return

    import psycopg

    database = connection.settings_dict
    credentials = {
        "user": database["USER"],
        "password": database["PASSWORD"],
        "host": database["HOST"] or "localhost",
        "port": database["PORT"] or 5432,
    }

    def admin(statement):
        with psycopg.connect(dbname="postgres", autocommit=True, **credentials) as admin:
            admin.execute(statement)

    admin(f"DROP DATABASE IF EXISTS {RESTORE_DATABASE} WITH (FORCE)")
    admin(f"CREATE DATABASE {RESTORE_DATABASE}")
    try:
        url = "postgres://{user}:{password}@{host}:{port}/".format(**credentials)
        environment["DATABASE_URL"] = url + RESTORE_DATABASE
        yield environment, lambda: psycopg.connect(dbname=RESTORE_DATABASE, **credentials)
    finally:
        admin(f"DROP DATABASE IF EXISTS {RESTORE_DATABASE} WITH (FORCE)")
