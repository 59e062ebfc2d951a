"""Matching an import's cleaned rows to customers, and the plan that follows: which
rows create a customer, which update one (with only what changes), which are invalid.

A row names its customer by our ID, by the external ID a Stripe export's `id` became,
then (if asked) by account email. The customers, emails and invoice prefixes the rows
name are read in a few queries for all rows (_Lookups), not a query a row.
"""

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypedDict, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from core.validators import METADATA_MAX_KEYS, validate_metadata

from ..models import SHIPPING_DETAILS, Customer, CustomerAlias, TaxId
from .columns import Layout
from .rows import REQUIRED_FOR_NEW, Row

LOOKUP_CHUNK = 2000
REQUIRED_MESSAGES = {"name": "Enter the customer's name.", "email": "Enter the account email."}
T = TypeVar("T")


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


def plan_rows(rows: list[Row], layout: Layout, *, match_by_email: bool, lock: bool = False) -> Plan:
    """What importing the cleaned rows would do: each row matched to the customer it
    updates (or none: a new one) and checked against the others and the database.
    `lock` (in the import's transaction) locks the customers rows update until it ends,
    as an edit on their pages does, so neither overwrites the other's change."""
    plan = Plan()
    lookups = _Lookups(rows, stripe=layout.stripe, match_by_email=match_by_email, lock=lock)
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

    def __init__(self, rows: list[Row], *, stripe: bool, match_by_email: bool, lock: bool) -> None:
        references = {row.reference for row in rows if row.reference}
        emails = {row.values["email"].casefold() for row in rows if row.values.get("email")}
        prefixes = {
            row.values["invoice_prefix"] for row in rows if row.values.get("invoice_prefix")
        }
        if stripe:
            alias_rows = CustomerAlias.objects.values_list("alias", "customer_id")
            aliases = dict(_chunked(alias_rows, "alias", references))
            customers = _customers_by("pk", set(aliases.values()), lock=lock)
            self.by_reference = {
                ref: customers[pk] for ref, pk in aliases.items() if pk in customers
            }
        else:
            self.by_reference = _customers_by("public_id", references, live=False, lock=lock)
        self.by_email: dict[str, list[tuple[int, str]]] = {}
        by_email = Customer.objects.live().values_list("email_key", "pk", "public_id")
        for key, pk, public_id in _chunked(by_email, "email_key", emails):
            self.by_email.setdefault(key, []).append((pk, public_id))
        # The customers rows will update by email, read now rather than a query a row.
        matched = {found[0][0] for found in self.by_email.values() if len(found) == 1}
        self.email_matches = _customers_by("pk", matched, lock=lock) if match_by_email else {}
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


def _customers_by(
    field: str, keys: Iterable[Any], live: bool = True, lock: bool = False
) -> dict[Any, Customer]:
    queryset = Customer.objects.live() if live else Customer.objects.all()
    if lock:  # FOR NO KEY UPDATE, as an invoice locks its customer (docs/decisions.md)
        queryset = queryset.select_for_update(no_key=True).order_by(field)
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
