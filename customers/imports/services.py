"""Customer imports: check a file (nothing is written), then import it all at once.

A check reads and cleans every row, then matches rows to customers: by our ID, by the
external ID a Stripe export's `id` became, then (if asked) by account email. The import
repeats the check inside one transaction and writes every row or none: a failure or a
killed worker leaves no partial rows.
"""

import gc
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypedDict, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..models import SHIPPING_DETAILS, Customer, CustomerAlias, CustomerImport, TaxId
from ..triggers import insert_triggers_deferred
from ..validators import METADATA_MAX_KEYS, validate_metadata
from .columns import Layout, layout_for
from .reader import ImportFileError, read_table, unpacked_size
from .rows import REQUIRED_FOR_NEW, Row, RowCleaner
from .writes import create_customers, update_customers

Status = CustomerImport.Status
LOOKUP_CHUNK = 2000
PROGRESS_EVERY = 2000
REQUIRED_MESSAGES = {"name": "Enter the customer's name.", "email": "Enter the account email."}
# Told (stage, rows done, rows in all) as the work goes on, e.g. a command's progress bar.
Progress = Callable[[str, int, int], None]
T = TypeVar("T")


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
def import_check(
    customer_import: CustomerImport, progress: Progress | None = None
) -> "Plan | None":
    """Counts what importing the file would create, update and leave unchanged, and
    which rows are invalid. Writes nothing but the record."""
    try:
        rows, layout = _clean_rows(customer_import, progress)
        plan = _plan(rows, layout, match_by_email=customer_import.match_by_email)
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
    try:
        with transaction.atomic():
            plan = _plan(rows, layout, match_by_email=customer_import.match_by_email)
            if plan.invalid and not valid_rows_only:
                transaction.set_rollback(True)
            else:
                with insert_triggers_deferred():
                    created = create_customers(plan.creates, layout)
                updated = update_customers(plan.updates, plan.tax_ids)
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
    customer_import: CustomerImport, plan: "Plan", layout: Layout, status: str, **fields: Any
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


class RowError(TypedDict):
    line: int
    column: str
    message: str


class Plan:
    def __init__(self) -> None:
        self.creates: list[Row] = []
        self.updates: list[tuple[Customer, dict[str, Any]]] = []  # with only what changes
        # The updated customers' tax IDs as they are: _Lookups.tax_ids
        self.tax_ids: dict[int, dict[tuple[str, str], int]] = {}
        self.unchanged = 0
        self.invalid = 0
        self.errors: list[RowError] = []

    def refuse(self, row: Row, column: str, message: str) -> None:
        row.errors.append((column, message))

    def settle(self, row: Row) -> bool:
        if row.errors:
            self.invalid += 1
            self.errors.extend(
                {"line": row.line, "column": column, "message": message}
                for column, message in row.errors
            )
            return False
        return True


def _plan(rows: list[Row], layout: Layout, *, match_by_email: bool) -> Plan:
    plan = Plan()
    lookups = _Lookups(rows, stripe=layout.stripe, match_by_email=match_by_email)
    plan.tax_ids = lookups.tax_ids
    # Where each customer, account email and invoice prefix was first seen: its line.
    seen_targets: dict[int, int] = {}
    seen_emails: dict[str, int] = {}
    seen_prefixes: dict[str, int] = {}
    for row in rows:
        target = _target(row, layout, lookups, match_by_email, plan)
        if target is not None:
            if target.pk in seen_targets:
                plan.refuse(row, "id", f"This customer is also on line {seen_targets[target.pk]}.")
            seen_targets.setdefault(target.pk, row.line)
        _check_email(row, target, lookups, seen_emails, match_by_email, plan)
        _check_prefix(row, target, lookups, seen_prefixes, plan)
        if target is None and not any(column == "id" for column, _ in row.errors):
            for name in REQUIRED_FOR_NEW:
                if not row.values.get(name) and name not in row.failed:
                    plan.refuse(row, name, REQUIRED_MESSAGES[name])
        metadata = _merged_metadata(target.metadata if target else {}, row.metadata)
        # Each value was checked in its cell; merged with the customer's, only the number
        # of keys can be wrong.
        if len(metadata) > METADATA_MAX_KEYS:
            try:
                validate_metadata(metadata)
            except ValidationError as error:
                plan.refuse(row, "metadata", " ".join(error.messages))
        _check_shipping(row, target, plan)
        if not plan.settle(row):
            continue
        if target is None:
            row.metadata = metadata
            plan.creates.append(row)
            continue
        changes = {
            name: value
            for name, value in row.values.items()
            if name not in ("created", "tax_ids") and getattr(target, name) != value
        }
        tax_ids = row.values.get("tax_ids")
        if tax_ids is not None and set(tax_ids) != set(lookups.tax_ids.get(target.pk, ())):
            changes["tax_ids"] = tax_ids
        if metadata != target.metadata:
            changes["metadata"] = metadata
        if changes:
            plan.updates.append((target, changes))
        else:
            plan.unchanged += 1
    plan.errors.sort(key=lambda error: error["line"])
    return plan


class _Lookups:
    """The customers a file's rows may name, read in a few queries for all rows."""

    def __init__(self, rows: list[Row], *, stripe: bool, match_by_email: bool) -> None:
        references = {row.reference for row in rows if row.reference}
        emails = {row.values["email"].casefold() for row in rows if row.values.get("email")}
        prefixes = {
            row.values["invoice_prefix"] for row in rows if row.values.get("invoice_prefix")
        }
        if stripe:
            alias_rows = CustomerAlias.objects.values_list("alias", "customer_id")
            aliases = dict(_chunked(alias_rows, "alias", references))
            customers = _customers_by("pk", set(aliases.values()))
            self.by_reference = {
                ref: customers[pk] for ref, pk in aliases.items() if pk in customers
            }
        else:
            self.by_reference = _customers_by("public_id", references, live=False)
        self.by_email: dict[str, list[tuple[int, str]]] = {}
        by_email = Customer.objects.live().values_list("email_key", "pk", "public_id")
        for key, pk, public_id in _chunked(by_email, "email_key", emails):
            self.by_email.setdefault(key, []).append((pk, public_id))
        # The customers rows will update by email, read now rather than a query a row.
        matched = {found[0][0] for found in self.by_email.values() if len(found) == 1}
        self.email_matches = _customers_by("pk", matched) if match_by_email else {}
        by_prefix = Customer.objects.values_list("invoice_prefix", "pk")
        self.by_prefix = dict(_chunked(by_prefix, "invoice_prefix", prefixes))
        # The tax IDs of the customers rows may update, if the file has the column:
        # {customer pk: {(type, value): tax ID pk}}, for the plan and the writes.
        self.tax_ids: dict[int, dict[tuple[str, str], int]] = {}
        if any("tax_ids" in row.values for row in rows):
            pks = {c.pk for c in (*self.by_reference.values(), *self.email_matches.values())}
            tax_ids = TaxId.objects.values_list("customer_id", "type", "value", "pk")
            for customer_pk, tax_type, value, pk in _chunked(tax_ids, "customer_id", pks):
                self.tax_ids.setdefault(customer_pk, {})[tax_type, value] = pk


def _chunked(queryset: QuerySet[Any, T], field: str, keys: Iterable[Any]) -> Iterator[T]:
    """The queryset's rows whose `field` is one of `keys`, LOOKUP_CHUNK keys a query."""
    ordered = sorted(keys)
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        yield from queryset.filter(**{f"{field}__in": ordered[start : start + LOOKUP_CHUNK]})


def _customers_by(field: str, keys: Iterable[Any], live: bool = True) -> dict[Any, Customer]:
    queryset = Customer.objects.live() if live else Customer.objects.all()
    return {getattr(customer, field): customer for customer in _chunked(queryset, field, keys)}


def _target(
    row: Row, layout: Layout, lookups: _Lookups, match_by_email: bool, plan: Plan
) -> Customer | None:
    if row.reference:
        customer = lookups.by_reference.get(row.reference)
        if customer is not None and customer.is_deleted:
            plan.refuse(row, "id", f"Customer {row.reference} is deleted; restore it first.")
            return None
        if customer is None and not layout.stripe:
            plan.refuse(row, "id", f"No customer has the ID {row.reference}.")
        if customer is not None or not layout.stripe:
            return customer
    email = row.values.get("email")
    if match_by_email and email:
        matches = lookups.by_email.get(email.casefold(), [])
        if len(matches) > 1:
            plan.refuse(
                row,
                "email",
                f"{len(matches)} customers have the account email {email}; add an id column "
                "to say which one this row updates.",
            )
        elif matches:
            return lookups.email_matches[matches[0][0]]
    return None


def _check_email(
    row: Row,
    target: Customer | None,
    lookups: _Lookups,
    seen: dict[str, int],
    match_by_email: bool,
    plan: Plan,
) -> None:
    email = row.values.get("email")
    if not email:
        return
    key = email.casefold()
    if key in seen:
        plan.refuse(row, "email", f"The account email {email} is also on line {seen[key]}.")
        return
    seen[key] = row.line
    others = [
        public_id
        for pk, public_id in lookups.by_email.get(key, [])
        if target is None or pk != target.pk
    ]
    if others and not (match_by_email and target is None and len(others) > 1):
        hint = (
            ""
            if match_by_email
            else " Add its ID in an id column to update it, or match customers by email."
        )
        plan.refuse(
            row, "email", f"Customer {others[0]} already has the account email {email}.{hint}"
        )


def _check_prefix(
    row: Row, target: Customer | None, lookups: _Lookups, seen: dict[str, int], plan: Plan
) -> None:
    prefix = row.values.get("invoice_prefix")
    if not prefix:
        return
    owner = lookups.by_prefix.get(prefix)
    if prefix in seen:
        plan.refuse(
            row, "invoice_prefix", f"The invoice prefix {prefix} is also on line {seen[prefix]}."
        )
    elif owner is not None and (target is None or owner != target.pk):
        plan.refuse(row, "invoice_prefix", f"Another customer uses the invoice prefix {prefix}.")
    seen.setdefault(prefix, row.line)


def _merged_metadata(current: Mapping[str, str], given: Mapping[str, str]) -> dict[str, str]:
    merged = dict(current)
    for key, value in given.items():
        if value:
            merged[key] = value
        else:
            merged.pop(key, None)  # as in Stripe, an empty value unsets the key
    return merged


def _check_shipping(row: Row, target: Customer | None, plan: Plan) -> None:
    def value(name: str) -> Any:
        return row.values[name] if name in row.values else getattr(target, name, "")

    if any(value(name) for name in SHIPPING_DETAILS) and not value("shipping_name"):
        plan.refuse(row, "shipping_name", "A shipping address needs the recipient's name.")
