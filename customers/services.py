"""Every write to customers goes through these functions."""

import copy
import string
from collections.abc import Collection, Iterable, Mapping
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.text import capfirst

from activity import services as activity
from core.ids import random_strings

from .models import (
    PROFILE_FIELDS,
    Contact,
    Customer,
    CustomerAlias,
    LegalEntity,
    TaxId,
)

PREFIX_ALPHABET = string.ascii_uppercase + string.digits

M = TypeVar("M", bound=Model)


def unused_invoice_prefixes(count: int) -> list[str]:
    """`count` random invoice prefixes no customer has, checked in one query a draw."""
    prefixes: set[str] = set()
    while len(prefixes) < count:
        wanted = set(random_strings(PREFIX_ALPHABET, 8, count - len(prefixes)))
        wanted -= set(
            Customer.objects.filter(invoice_prefix__in=wanted).values_list(
                "invoice_prefix", flat=True
            )
        )
        prefixes |= wanted
    return list(prefixes)


@transaction.atomic
def customer_create(
    *,
    fields: Mapping[str, Any],
    tax_ids: Iterable[Mapping[str, str]] = (),
    contacts: Iterable[Mapping[str, Any]] = (),
    aliases: Collection[str] = (),
) -> Customer:
    """Create a customer with its tax IDs, contacts and external IDs, all or nothing.

    `fields` maps profile field names (and `created`, for imports) to values;
    tax_ids and contacts are lists of dicts, aliases a list of strings.
    """
    _check_field_names(fields, allowed={*PROFILE_FIELDS, "created"})
    customer = _save(Customer(**fields), tax_ids=tax_ids, contacts=contacts, aliases=aliases)
    activity.record(
        "customer.created",
        customer=customer.public_id,
        object_id=customer.public_id,
        data={
            "name": customer.name,
            "email": customer.email,
            "changes": customer_changes({}, _given_values(customer)),
        },
    )
    return customer


def _given_values(customer: Customer) -> dict[str, Any]:
    """What a new customer has beyond a blank one's defaults: its entry's "changes"."""
    blank = profile_values(Customer())
    values = profile_values(customer) | related_lines(customer, RELATED_LISTS)
    return {name: value for name, value in values.items() if value != blank.get(name, [])}


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    fields: Mapping[str, Any],
    tax_ids: Iterable[Mapping[str, str]] | None = None,
    contacts: Iterable[Mapping[str, Any]] | None = None,
    aliases: Collection[str] | None = None,
    metadata_changes: Mapping[str, str] | None = None,
) -> Customer:
    """Update a live customer; related lists given replace what the customer had.
    `metadata_changes` are merged into the metadata as it is under the row's lock (as in
    Stripe, an empty value removes its key), so concurrent changes of other keys stay."""
    _check_field_names(fields, allowed=set(PROFILE_FIELDS))
    customer = _lock_live(customer)
    lists = dict(zip(RELATED_LISTS, (tax_ids, contacts, aliases), strict=True))
    given = [name for name, rows in lists.items() if rows is not None]
    before = profile_values(customer) | related_lines(customer, given)
    for name, value in fields.items():
        setattr(customer, name, value)
    if metadata_changes is not None:
        merged = {**customer.metadata, **metadata_changes}
        customer.metadata = {key: value for key, value in merged.items() if value != ""}
    customer = _save(customer, tax_ids=tax_ids, contacts=contacts, aliases=aliases)
    after = profile_values(customer) | related_lines(customer, given)
    if changes := customer_changes(before, after):
        activity.record(
            "customer.updated",
            customer=customer.public_id,
            object_id=customer.public_id,
            data={"changes": changes},
        )
    return customer


_PROFILE = {f.name: f for f in Customer._meta.concrete_fields if f.name in PROFILE_FIELDS}
# The labels of a "customer.updated" entry's changes: the fields' verbose names as the
# customer form shows them, a shipping field named so (both addresses have a "City").
CHANGE_LABELS = {
    **{name: capfirst(str(field.verbose_name)) for name, field in _PROFILE.items()},
    **{
        name: f"Shipping {field.verbose_name}"
        for name, field in _PROFILE.items()
        if name.startswith("shipping_") and name not in ("shipping_name", "shipping_phone")
    },
    "tax_ids": "Tax IDs",
    "contacts": "Contacts",
    "aliases": "External IDs",
}


def profile_values(customer: Customer) -> dict[str, Any]:
    """The customer's profile as plain values (a legal entity by its key), copied, so
    that later changes to the customer leave them as they were."""
    return {
        name: copy.deepcopy(field.value_from_object(customer)) for name, field in _PROFILE.items()
    }


RELATED_LISTS = ("tax_ids", "contacts", "aliases")


def related_lines(customer: Customer, names: Iterable[str]) -> dict[str, list[str]]:
    """The customer's tax IDs, contacts or external IDs (those `names` say) as readable
    lines, for the changes of an entry: `eu_vat DE123456789`, `Jane <jane@example.com>
    (Billing)`, the external ID itself."""
    lines: dict[str, list[str]] = {}
    if "tax_ids" in names:
        lines["tax_ids"] = tax_id_lines(customer.tax_ids.values_list("type", "value"))
    if "contacts" in names:
        lines["contacts"] = [_contact_line(contact) for contact in customer.contacts.all()]
    if "aliases" in names:
        lines["aliases"] = list(customer.aliases.values_list("alias", flat=True))
    return lines


def tax_id_lines(pairs: Iterable[tuple[str, str]]) -> list[str]:
    return [f"{tax_type} {value}" for tax_type, value in pairs]


def _contact_line(contact: Contact) -> str:
    wanted = ", ".join(contact.email_preferences)
    return f"{contact} ({wanted})" if wanted else str(contact)


def customer_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The "changes" of a customer.updated entry; a legal entity is named, not numbered."""
    changes = activity.changes(before, after, CHANGE_LABELS)
    for change in changes:
        if change["field"] == "legal_entity":
            named = LegalEntity.objects.in_bulk([change["old"], change["new"]])
            for end in ("old", "new"):
                change[end] = str(named[change[end]]) if change[end] in named else None
    return changes


def _lock_live(customer: Customer) -> Customer:
    """The customer's row, locked until the transaction ends; a deleted one is refused."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.is_deleted:
        raise ValidationError("A deleted customer cannot be edited. Restore it first.")
    return customer


@transaction.atomic
def tax_id_add(*, customer: Customer, type: str, value: str) -> TaxId:
    """Add one tax ID to a live customer. The value is checked and compacted as the
    page does (TaxId.clean); the same type and value twice is refused."""
    customer = _lock_live(customer)
    try:
        tax_id = _save_clean(TaxId(customer=customer, type=type, value=value))
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise
        # The database's only refusal here: the customer already has this number.
        raise ValidationError({"value": error.messages}) from None
    _record_tax_id("customer.tax_id.created", customer, tax_id)
    return tax_id


@transaction.atomic
def tax_id_delete(*, tax_id: TaxId) -> None:
    customer = _lock_live(tax_id.customer)
    deleted, _ = tax_id.delete()
    if deleted:  # not again when a concurrent request removed it first
        _record_tax_id("customer.tax_id.deleted", customer, tax_id)


def _record_tax_id(kind: str, customer: Customer, tax_id: TaxId) -> None:
    activity.record(
        kind,
        customer=customer.public_id,
        object_id=tax_id.public_id,
        data={"type": tax_id.type, "value": tax_id.value},
    )


def _check_field_names(fields: Mapping[str, Any], *, allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Not customer profile fields: {', '.join(sorted(unknown))}")


def _save(
    customer: Customer,
    *,
    tax_ids: Iterable[Mapping[str, str]] | None,
    contacts: Iterable[Mapping[str, Any]] | None,
    aliases: Collection[str] | None,
) -> Customer:
    if not customer.invoice_prefix:
        (customer.invoice_prefix,) = unused_invoice_prefixes(1)
    if customer.legal_entity_id is None:
        customer.legal_entity = LegalEntity.objects.default()
    customer.full_clean()
    customer.save()
    _replace_related(customer, tax_ids=tax_ids, contacts=contacts, aliases=aliases)
    return customer


def _replace_related(
    customer: Customer,
    *,
    tax_ids: Iterable[Mapping[str, str]] | None,
    contacts: Iterable[Mapping[str, Any]] | None,
    aliases: Collection[str] | None,
) -> None:
    if tax_ids is not None:
        wanted = {(row["type"], row["value"]) for row in tax_ids}
        existing = {(t.type, t.value): t for t in customer.tax_ids.all()}
        for key, tax_id in existing.items():
            if key not in wanted:
                tax_id.delete()
        for tax_type, value in sorted(wanted - existing.keys()):
            _save_clean(TaxId(customer=customer, type=tax_type, value=value))
    if contacts is not None:
        customer.contacts.all().delete()
        for row in contacts:
            _save_clean(Contact(customer=customer, **row))
    if aliases is not None:
        customer.aliases.exclude(alias__in=aliases).delete()
        kept = set(customer.aliases.values_list("alias", flat=True))
        for alias in aliases:
            if alias not in kept:
                _save_clean(CustomerAlias(customer=customer, alias=alias))


def _save_clean(obj: M) -> M:
    obj.full_clean(exclude=["customer"])
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise ValidationError(f"“{obj}” is already used.") from None
    return obj


@transaction.atomic
def customers_delete(*, customers: Iterable[Customer], deleted_by: User | None) -> int:
    """Tombstone customers: they leave the list but their records stay for invoices
    and ledger entries. Returns how many were deleted now."""
    ids = [c.pk for c in customers]
    changing = _locked(Customer.objects.live().filter(pk__in=ids))
    count = (
        Customer.objects.live()
        .filter(pk__in=changing)
        .update(deleted_at=timezone.now(), deleted_by=deleted_by)
    )
    _record_each("customer.deleted", changing, count)
    return count


def customer_delete(*, customer: Customer, deleted_by: User | None) -> int:
    return customers_delete(customers=[customer], deleted_by=deleted_by)


@transaction.atomic
def customers_restore(*, customers: Iterable[Customer]) -> int:
    ids = [c.pk for c in customers]
    changing = _locked(Customer.objects.deleted().filter(pk__in=ids))
    count = (
        Customer.objects.deleted().filter(pk__in=changing).update(deleted_at=None, deleted_by=None)
    )
    _record_each("customer.restored", changing, count)
    return count


def _locked(customers: QuerySet[Customer]) -> dict[int, tuple[str, str]]:
    """{pk: (public ID, name)} of the customers, their rows locked until the transaction
    ends, so that an UPDATE under the same filter changes exactly these."""
    return {
        pk: (public_id, name)
        for pk, public_id, name in customers.select_for_update().values_list(
            "pk", "public_id", "name"
        )
    }


def _record_each(kind: str, changed: Mapping[int, tuple[str, str]], count: int) -> None:
    if count != len(changed):  # the lock holds the filter: this is a bug, not a race
        raise RuntimeError(f"{kind}: {count} rows changed, {len(changed)} locked.")
    activity.record_all(
        activity.entry(kind, customer=public_id, object_id=public_id, data={"name": name})
        for public_id, name in changed.values()
    )
