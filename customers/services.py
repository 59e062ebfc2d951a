"""Every write to customers goes through these functions."""

import string
from collections.abc import Collection, Iterable, Mapping
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

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
    return _save(Customer(**fields), tax_ids=tax_ids, contacts=contacts, aliases=aliases)


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
    for name, value in fields.items():
        setattr(customer, name, value)
    if metadata_changes is not None:
        merged = {**customer.metadata, **metadata_changes}
        customer.metadata = {key: value for key, value in merged.items() if value != ""}
    return _save(customer, tax_ids=tax_ids, contacts=contacts, aliases=aliases)


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
        return _save_clean(TaxId(customer=customer, type=type, value=value))
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise
        # The database's only refusal here: the customer already has this number.
        raise ValidationError({"value": error.messages}) from None


@transaction.atomic
def tax_id_delete(*, tax_id: TaxId) -> None:
    _lock_live(tax_id.customer)
    tax_id.delete()


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
    return (
        Customer.objects.live()
        .filter(pk__in=ids)
        .update(deleted_at=timezone.now(), deleted_by=deleted_by)
    )


def customer_delete(*, customer: Customer, deleted_by: User | None) -> int:
    return customers_delete(customers=[customer], deleted_by=deleted_by)


@transaction.atomic
def customers_restore(*, customers: Iterable[Customer]) -> int:
    ids = [c.pk for c in customers]
    return Customer.objects.deleted().filter(pk__in=ids).update(deleted_at=None, deleted_by=None)
