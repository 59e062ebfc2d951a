"""Customer imports: check a file (nothing is written), then import it all at once.

A check reads and cleans every row (rows.py), then matches rows to customers
(matching.py): by our ID, by the external ID a Stripe export's `id` became, then (if
asked) by account email. The import repeats the check inside one transaction and writes
every row or none: a failure or a killed worker leaves no partial rows.
"""

import gc
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from activity import services as activity
from activity.context import acting, current_actor
from activity.kinds import Source

from ..models import CustomerImport
from ..sql import insert_triggers_deferred
from .columns import Layout, layout_for
from .matching import Plan, plan_rows
from .reader import ImportFileError, read_table, unpacked_size
from .rows import Row, RowCleaner
from .writes import create_customers, update_customers

Status = CustomerImport.Status
PROGRESS_EVERY = 2000
# Told (stage, rows done, rows in all) as the work goes on, e.g. a command's progress bar.
Progress = Callable[[str, int, int], None]


class ImportRefused(Exception):
    """The import cannot run (file unreadable, invalid rows); the record says why."""


# A bug while checking still raises (a 500, logged), but the record does not stay
# "checking" with the customers' file kept.
UNEXPECTED = "The check stopped on an unexpected error; nothing was saved."


def import_size(customer_import: CustomerImport) -> int:
    """What checking the file reads: its size, or an XLSX workbook's once unpacked."""
    return unpacked_size(bytes(customer_import.data), customer_import.file_name)


def import_create(
    *, data: bytes, file_name: str, user: User | None = None, match_by_email: bool = False
) -> CustomerImport:
    return CustomerImport.objects.create(
        data=data,
        file_name=file_name[:255],
        file_size=len(data),
        created_by=user,
        match_by_email=match_by_email,
    )


@contextmanager
def _rows_kept_from_the_collector() -> Iterator[None]:
    """Checking keeps a few objects a row. The cyclic garbage collector would scan the
    growing list of rows again and again (a fifth of a 100,000-row check), so
    _clean_rows() freezes what it has made so far (gc.freeze) every PROGRESS_EVERY rows;
    the collector still frees cycles made meanwhile (a form's, an error's). Only in the
    main thread, where the worker and the command run: the freeze is process-wide."""
    try:
        yield
    finally:
        if _in_main_thread():
            gc.unfreeze()


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@_rows_kept_from_the_collector()
def import_check(customer_import: CustomerImport, progress: Progress | None = None) -> Plan | None:
    """Counts what importing the file would create, update and leave unchanged, and
    which rows are invalid. Writes nothing but the record."""
    try:
        rows, layout = _clean_rows(customer_import, progress)
        plan = plan_rows(rows, layout, match_by_email=customer_import.match_by_email)
    except ImportFileError as error:
        _fail(customer_import, str(error))
        return None
    except Exception:
        _fail(customer_import, UNEXPECTED)
        raise
    _record_plan(customer_import, plan, layout, Status.CHECKED)
    return plan


@_rows_kept_from_the_collector()
def import_apply(
    customer_import: CustomerImport,
    *,
    valid_rows_only: bool = False,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Imports the file: every valid row or, unless `valid_rows_only`, nothing if a row
    is invalid. Returns (created, updated)."""
    import_start(customer_import, valid_rows_only=valid_rows_only)
    try:
        rows, layout = _clean_rows(customer_import, progress)
    except ImportFileError as error:
        _fail(customer_import, str(error))
        raise ImportRefused(str(error)) from None
    except Exception:
        _fail(customer_import, UNEXPECTED)
        raise
    if progress:
        progress("saving", 0, customer_import.rows_total)
    import_id = customer_import.public_id
    try:
        with _acting_as_importer(customer_import), transaction.atomic():
            plan = plan_rows(rows, layout, match_by_email=customer_import.match_by_email, lock=True)
            if plan.invalid and not valid_rows_only:
                transaction.set_rollback(True)
            else:
                with insert_triggers_deferred():
                    created = create_customers(plan.creates, layout, import_id)
                updated = update_customers(plan.updates, plan.tax_ids, import_id)
                activity.record(
                    "import.finished",
                    object_id=import_id,
                    data={
                        "name": customer_import.file_name,
                        "counts": {"created": created, "updated": updated},
                    },
                )
    except Exception as error:
        _fail(customer_import, f"The import stopped and nothing was saved: {error}")
        raise
    if plan.invalid and not valid_rows_only:
        _record_plan(customer_import, plan, layout, Status.CHECKED)  # the data changed
        raise ImportRefused(f"{plan.invalid:,} rows are invalid; nothing was imported.")
    _record_plan(
        customer_import, plan, layout, Status.DONE,
        created_count=created, updated_count=updated, finished_at=timezone.now(),
        data=b"",  # the customers are the record now
    )  # fmt: skip
    return created, updated


def _acting_as_importer(customer_import: CustomerImport) -> AbstractContextManager[Any]:
    """What an import writes is its importer's, through the import, whichever runs it
    (the page, the worker, manage.py import_customers): whoever confirmed it (the door's
    signed-in user; the worker's task is given them), else who uploaded it; with neither
    (the command without --user) it keeps the name of what runs it."""
    door = current_actor()
    confirmed_by = door.user if door.user is not None and door.user.is_authenticated else None
    user = confirmed_by or customer_import.created_by
    return acting(Source.IMPORT, user=user, name="" if user else door.name)


def import_start(customer_import: CustomerImport, *, valid_rows_only: bool = False) -> None:
    """Shows the import as running from when it is queued for the worker; its progress
    starts when the worker starts it."""
    customer_import.valid_rows_only = valid_rows_only
    customer_import.status = Status.IMPORTING
    customer_import.rows_done = 0
    customer_import.progress_at = None
    customer_import.save(update_fields=["valid_rows_only", "status", "rows_done", "progress_at"])


def _fail(customer_import: CustomerImport, message: str) -> None:
    customer_import.status = Status.FAILED
    customer_import.failure = message
    customer_import.finished_at = timezone.now()
    customer_import.data = b""
    customer_import.save()


def _clean_rows(
    customer_import: CustomerImport, progress: Progress | None
) -> tuple[list[Row], Layout]:
    table = read_table(bytes(customer_import.data), customer_import.file_name)
    layout = layout_for(table.header)
    if not layout.fields and layout.id_column is None and not layout.metadata:
        raise ImportFileError(
            "No column of this file is a customer field. The first row must name the "
            "columns, like id,name,email (our export) or a Stripe customer export's."
        )
    _save_progress(customer_import, 0, table.row_count)
    cleaner = RowCleaner(table.header, layout)
    rows: list[Row] = []
    last_report = time.monotonic()
    freeze = _in_main_thread()
    for line, cells in table.rows:
        rows.append(cleaner.clean(line, cells))
        if len(rows) % PROGRESS_EVERY:
            continue
        if freeze:
            gc.freeze()
        if time.monotonic() - last_report > 0.5:
            last_report = time.monotonic()
            total = max(table.row_count, len(rows))  # an XLSX sheet may not say
            _save_progress(customer_import, len(rows), total)
            if progress:
                progress("checking", len(rows), total)
    if not rows:
        raise ImportFileError("The file has a header but no customers.")
    _save_progress(customer_import, len(rows), len(rows))
    if progress:
        progress("checking", len(rows), len(rows))
    return rows, layout


def _save_progress(customer_import: CustomerImport, done: int, total: int) -> None:
    customer_import.rows_done, customer_import.rows_total = done, total
    customer_import.progress_at = timezone.now()
    CustomerImport.objects.filter(pk=customer_import.pk).update(
        rows_done=done, rows_total=total, progress_at=customer_import.progress_at
    )


def _record_plan(
    customer_import: CustomerImport, plan: Plan, layout: Layout, status: str, **fields: Any
) -> None:
    """Saves the plan's counts and errors with the new status, and not the file (the
    record's other big field) unless `fields` say so."""
    fields |= {
        "status": status,
        "to_create": len(plan.creates),
        "to_update": len(plan.updates),
        "unchanged": plan.unchanged,
        "invalid": plan.invalid,
        "errors": plan.errors[: CustomerImport.ERRORS_KEPT],
        "ignored_columns": layout.ignored,
    }
    for name, value in fields.items():
        setattr(customer_import, name, value)
    customer_import.save(update_fields=list(fields))
