"""The import's writes: new customers with one prepared INSERT a batch, changed ones
with one prepared UPDATE, and their external IDs and tax IDs; and an activity entry for each
customer, a batch at a time."""

import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connections
from django.utils import timezone

from activity import services as activity

from .. import sql
from ..models import (
    FOLDED_FIELDS,
    Customer,
    CustomerAlias,
    LegalEntity,
    TaxId,
    new_customer_ids,
)
from ..services import customer_changes, tax_id_lines, unused_invoice_prefixes
from .columns import Layout
from .rows import Row

WRITE_BATCH = 1000
PASSED_AS_THEY_ARE = {"CharField", "TextField", "PositiveSmallIntegerField",
                      "PositiveIntegerField", "ForeignKey"}  # fmt: skip
CUSTOMER_FIELDS = {f.name: f for f in Customer._meta.concrete_fields}
# {customer pk: {(type, value): tax ID pk}}: a customer's tax IDs as they are.
TaxIdsNow = Mapping[int, Mapping[tuple[str, str], int]]


def create_customers(rows: Sequence[Row], layout: Layout, import_id: str) -> int:
    """Inserts the new customers with one prepared INSERT per batch. bulk_create would
    send 27 rows per statement (SQLite's 999 parameters) and prepare each value through
    a model instance; the rows are clean already, so this writes what save() would.
    Each is recorded as created by the import `import_id` (its public ID)."""
    connection = connections[Customer.objects.db]
    fields = [f for f in Customer._meta.concrete_fields if not f.primary_key]
    fixed: dict[str, Any] = {
        f.attname: f.get_default() for f in fields if not (f.has_default() and callable(f.default))
    }
    fixed["legal_entity_id"] = LegalEntity.objects.default().pk
    fixed |= {"preferred_locales": [], "invoice_custom_fields": [], "created": timezone.now()}
    fixed = {f.attname: f.get_db_prep_save(fixed[f.attname], connection) for f in fields
             if f.attname in fixed}  # fmt: skip
    # Text, numbers and keys go to the database driver as they are; JSON and dates are
    # prepared as save() prepares them.
    prepared = {f.attname: f for f in fields if f.get_internal_type() not in PASSED_AS_THEY_ARE}
    metadata_field = prepared.pop("metadata")
    row_params = operator.itemgetter(*(f.attname for f in fields))
    for start in range(0, len(rows), WRITE_BATCH):
        batch = rows[start : start + WRITE_BATCH]
        public_ids = new_customer_ids(len(batch))
        without_prefix = sum(1 for row in batch if not row.values.get("invoice_prefix"))
        prefixes = unused_invoice_prefixes(without_prefix)
        params: list[tuple[Any, ...]] = []
        references: dict[str, str] = {}
        tax_ids: dict[str, tuple[tuple[str, str], ...]] = {}
        for row, public_id in zip(batch, public_ids, strict=True):
            values = fixed | row.values  # tax_ids, not a column, is left out below
            values["public_id"] = public_id
            values["metadata"] = metadata_field.get_db_prep_save(row.metadata, connection)
            values["invoice_prefix"] = values["invoice_prefix"] or prefixes.pop()
            for key, name in FOLDED_FIELDS.items():
                values[key] = values[name].casefold()
            for name in row.values.keys() & prepared.keys():
                values[name] = prepared[name].get_db_prep_save(values[name], connection)
            params.append(row_params(values))
            if layout.stripe and row.reference:
                references[public_id] = row.reference
            if row.values.get("tax_ids"):
                tax_ids[public_id] = row.values["tax_ids"]
        sql.customers_insert(connection.alias, fields, params)
        activity.record_all(
            (
                activity.entry(
                    "customer.created",
                    customer=public_id,
                    object_id=public_id,
                    data={"import": import_id},
                )
                for public_id in public_ids
            ),
            connection.alias,
        )
        if references or tax_ids:
            pks = dict(
                Customer.objects.filter(
                    public_id__in=references.keys() | tax_ids.keys()
                ).values_list("public_id", "pk")
            )
            CustomerAlias.objects.bulk_create(
                CustomerAlias(customer_id=pks[public_id], alias=alias)
                for public_id, alias in references.items()
            )
            _add_tax_ids({pks[public_id]: pairs for public_id, pairs in tax_ids.items()})
    return len(rows)


def update_customers(
    updates: Sequence[tuple[Customer, dict[str, Any]]], tax_ids_now: TaxIdsNow, import_id: str
) -> int:
    """`tax_ids_now`: {customer pk: {(type, value): tax ID pk}} as the plan read them.
    Each change is recorded, its old value as the plan read it, by the import `import_id`."""
    connection = connections[Customer.objects.db]
    for start in range(0, len(updates), WRITE_BATCH):
        batch = updates[start : start + WRITE_BATCH]
        names: set[str] = set()
        tax_ids: dict[int, tuple[tuple[str, str], ...]] = {}
        entries: list[dict[str, Any]] = []
        for customer, changes in batch:
            entries.append(_updated_entry(customer, changes, tax_ids_now, import_id))
            for name, value in changes.items():
                if name == "tax_ids":
                    tax_ids[customer.pk] = value
                else:
                    setattr(customer, name, value)
                    names.add(name)
            customer.set_search_keys()
        if names:
            fields = [CUSTOMER_FIELDS[name] for name in [*names, *FOLDED_FIELDS]]
            rows = [
                (*(f.get_db_prep_save(getattr(c, f.attname), connection) for f in fields), c.pk)
                for c, _ in batch
            ]
            sql.customers_update(connection.alias, fields, rows)
        if tax_ids:
            # As on the customer page: the tax IDs kept stay as they were.
            stale: list[int] = []
            missing: dict[int, list[tuple[str, str]]] = {}
            for customer_pk, wanted in tax_ids.items():
                now = tax_ids_now.get(customer_pk, {})
                stale += [pk for pair, pk in now.items() if pair not in wanted]
                missing[customer_pk] = [pair for pair in wanted if pair not in now]
            TaxId.objects.filter(pk__in=stale).delete()
            _add_tax_ids(missing)
        activity.record_all(entries)
    return len(updates)


def _updated_entry(
    customer: Customer, changes: Mapping[str, Any], tax_ids_now: TaxIdsNow, import_id: str
) -> dict[str, Any]:
    """The customer.updated entry of an imported row, made before the row's changes are
    set on `customer`: its values are the old ones."""
    before = {name: getattr(customer, name) for name in changes if name != "tax_ids"}
    after = dict(changes)
    if "tax_ids" in changes:
        before["tax_ids"] = tax_id_lines(tax_ids_now.get(customer.pk, {}))
        after["tax_ids"] = tax_id_lines(changes["tax_ids"])
    return activity.entry(
        "customer.updated",
        customer=customer.public_id,
        object_id=customer.public_id,
        data={"changes": customer_changes(before, after), "import": import_id},
    )


def _add_tax_ids(pairs_by_customer: Mapping[int, Iterable[tuple[str, str]]]) -> None:
    """{customer pk: [(type, value), …]}, each pair cleaned by the tax ID form already."""
    TaxId.objects.bulk_create(
        TaxId(customer_id=pk, type=tax_type, value=value)
        for pk, pairs in pairs_by_customer.items()
        for tax_type, value in pairs
    )
