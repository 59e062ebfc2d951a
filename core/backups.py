"""Backups of the whole database and their restore, for `manage.py backup` / `restore`.

SQLite: the online backup API copies the database from a fresh read-only connection in one
step, inside one read transaction: with WAL on, writers keep committing meanwhile and the copy
is the database as it was when the step began. (A copy in small steps restarts every time
another connection writes, so under steady writes it never ends: 20 MB took 5 minutes here
against 1 s in one step.) PostgreSQL: `pg_dump --format=custom`, a snapshot by definition.

A backup is written to a temporary file beside PATH and renamed, so PATH never holds half a
backup; it is readable by its owner only, as it holds customer data. A restore goes only into
a database without customers or ledger rows. This module names no app's models or tables
(core imports no app): the commands ask the apps' registry and run `verify_ledger` by name.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import DatabaseError, connections

PG_CLIENT_PACKAGE = "postgresql-client (Debian/Ubuntu: apt-get install postgresql-client)"
# The rows whose presence makes a database "not empty" for a restore.
GUARDED_MODELS = (("customers", "Customer"), ("ledger", "BalanceTransaction"))
# The row counts a restore prints.
COUNTED_MODELS = {
    "customers": ("customers", "Customer"),
    "balance transactions": ("ledger", "BalanceTransaction"),
    "invoices": ("billing", "Invoice"),
    "credit notes": ("billing", "CreditNote"),
}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int  # bytes
    seconds: float


def backup(path: Path, *, using: str = "default") -> BackupResult:
    """Write a consistent snapshot of the database to `path` (replacing it)."""
    connection = connections[using]
    started = time.monotonic()
    with _temporary_beside(path) as partial:
        if connection.vendor == "sqlite":
            _sqlite_backup(Path(connection.settings_dict["NAME"]), partial)
        elif connection.vendor == "postgresql":
            _pg_run("pg_dump", ["--format=custom", f"--file={partial}"], connection.settings_dict)
        else:
            raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
        os.chmod(partial, 0o600)
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, path)
    return BackupResult(path=path, size=path.stat().st_size, seconds=time.monotonic() - started)


def restore(path: Path, *, using: str = "default") -> float:
    """Load the backup at `path` into the (empty) database; returns the seconds it took.
    The caller verifies the ledger afterwards."""
    if not path.is_file():
        raise BackupError(f"No backup at {path}.")
    connection = connections[using]
    refuse_unless_empty(using)
    started = time.monotonic()
    connection.close()  # the copy replaces what this connection has read
    if connection.vendor == "sqlite":
        _sqlite_restore(path, Path(connection.settings_dict["NAME"]))
    elif connection.vendor == "postgresql":
        # --clean --if-exists: a database that was migrated but holds no customers or
        # ledger rows takes the backup's tables in place of its own. One transaction: a
        # restore that fails leaves the database as it was. The ledger's triggers are
        # post-data in the dump (created after the rows are loaded), so they do not
        # refuse the restored rows.
        options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        options += ["--clean", "--if-exists", f"--dbname={connection.settings_dict['NAME']}"]
        _pg_run("pg_restore", [*options, str(path)], connection.settings_dict)
    else:
        raise BackupError(f"Restores into {connection.vendor} databases are not supported.")
    return time.monotonic() - started


def refuse_unless_empty(using: str = "default") -> None:
    for app_label, model_name in GUARDED_MODELS:
        model = apps.get_model(app_label, model_name)
        try:
            found = model._base_manager.using(using).exists()
        except DatabaseError:  # no such table yet: a new database
            found = False
        if found:
            raise BackupError(
                f"The database already holds {model._meta.verbose_name_plural}: restore only "
                "into an empty database (create a new one, point DATABASE_URL or SQLITE_PATH "
                "at it, and run restore again)."
            )


def row_counts(using: str = "default") -> dict[str, int]:
    try:
        return {
            label: apps.get_model(app_label, model_name)._base_manager.using(using).count()
            for label, (app_label, model_name) in COUNTED_MODELS.items()
        }
    except DatabaseError as error:
        raise BackupError(
            f"The restored database lacks this app's tables ({error}): was the file a backup "
            "of this app, written by `manage.py backup`?"
        ) from error


@contextmanager
def _temporary_beside(path: Path) -> Iterator[Path]:
    """A new empty file (mode 0600) in PATH's directory, removed unless renamed."""
    if not path.parent.is_dir():
        raise BackupError(f"No directory {path.parent} to write the backup in.")
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
    finally:
        partial.unlink(missing_ok=True)


def _sqlite_backup(database: Path, destination: Path) -> None:
    if not database.is_file():
        raise BackupError(f"No SQLite database at {database}.")
    source = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=20)
    target = sqlite3.connect(destination)
    try:
        source.backup(target)  # one step: see the module's docstring
    finally:
        target.close()
        source.close()


def _sqlite_restore(backup_file: Path, database: Path) -> None:
    source = sqlite3.connect(f"{backup_file.resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(database, timeout=20)
    try:
        source.backup(target)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{backup_file} is not a SQLite backup: {error}") from error
    finally:
        target.close()
        source.close()


def _pg_run(tool: str, arguments: list[str], database: dict[str, Any]) -> None:
    """Run pg_dump or pg_restore with the credentials in its environment (never on its
    command line, where `ps` shows them to every user of the machine)."""
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(f"{tool} is not installed: install {PG_CLIENT_PACKAGE}.")
    if tool == "pg_dump":
        arguments = [*arguments, database["NAME"]]
    result = subprocess.run(
        [executable, *arguments], env=_pg_environment(database), capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()}")


def _pg_environment(database: dict[str, Any]) -> dict[str, str]:
    environment = dict(os.environ)
    settings = {
        "PGHOST": database.get("HOST"),
        "PGPORT": database.get("PORT"),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
        "PGSSLMODE": database.get("OPTIONS", {}).get("sslmode"),
    }
    environment.update({name: str(value) for name, value in settings.items() if value})
    return environment
