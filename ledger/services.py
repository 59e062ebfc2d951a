"""The only way to write the ledger. Every function runs in one database
transaction, locks the (customer, currency) balance row it changes and returns the
new BalanceTransaction."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError

from activity import services as activity
from core.money import MAX_MAJOR_UNITS, MoneyError, check_currency, max_typed_amount
from core.money_format import MAX_MINOR_UNITS
from core.money_log import log_money_action
from customers.models import Customer
from customers.services import customer_create

from . import sql
from .models import BalanceTransaction, CustomerBalance, TransactionType


def transaction_post(
    *,
    customer: Customer,
    type: str,
    amount: int,
    currency: str,
    description: str = "",
    internal_note: str = "",
    metadata: dict[str, Any] | None = None,
    created_by: User | None = None,
    idempotency_key: str | None = None,
    invoice: str = "",
) -> BalanceTransaction:
    """Append one transaction of `amount` minor units (negative: credit) and move
    the customer's balance in `currency` by it. `invoice`: the public ID of the invoice
    it is for, if any (the ledger keeps no link to billing; the activity entry names it).

    With an idempotency key, posting the same request again returns the first
    transaction instead of moving money twice, even when both requests race.
    Reversals go through transaction_reverse, which checks they may happen.
    """
    return _post_once(
        customer=customer,
        type=type,
        amount=amount,
        currency=currency,
        description=description,
        internal_note=internal_note,
        metadata=metadata,
        created_by=created_by,
        reverses=None,
        idempotency_key=idempotency_key,
        invoice=invoice,
    )


def _post_once(
    *,
    customer: Customer,
    type: str,
    amount: int,
    currency: str,
    metadata: dict[str, Any] | None,
    reverses: BalanceTransaction | None,
    idempotency_key: str | None,
    invoice: str = "",
    **fields: Any,
) -> BalanceTransaction:
    request = {"type": type, "amount": amount, "currency": currency, "reverses": reverses}
    if idempotency_key:
        existing = _existing(idempotency_key, customer, request)
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return _post(
                customer=customer,
                type=type,
                amount=amount,
                currency=currency,
                metadata=metadata or {},
                reverses=reverses,
                idempotency_key=idempotency_key or "",
                invoice=invoice,
                **fields,
            )
    except IntegrityError:
        # A concurrent request with the same key won the race: return its work.
        existing = _existing(idempotency_key, customer, request) if idempotency_key else None
        if existing is None:
            raise
        return existing


def _existing(
    idempotency_key: str, customer: Customer, request: dict[str, Any]
) -> BalanceTransaction | None:
    """The transaction posted earlier with this key, if it was the same request."""
    existing = BalanceTransaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing is None:
        return None
    reverses = request["reverses"]
    same = (
        existing.customer_id == customer.pk
        and existing.type == request["type"]
        and existing.amount == request["amount"]
        and existing.currency == request["currency"]
        and existing.reverses_id == (reverses.pk if reverses else None)
    )
    if not same:
        raise ValidationError(
            "This form was already submitted with other values. Reopen it to post again."
        )
    return existing


def _post(
    *, customer: Customer, type: str, amount: int, currency: str, invoice: str, **fields: Any
) -> BalanceTransaction:
    try:
        check_currency(currency)
    except MoneyError as error:
        raise ValidationError({"currency": str(error)}) from None
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
        raise ValidationError(
            {"amount": "The amount must be a non-zero whole number of minor units."}
        )
    posted = BalanceTransaction(
        customer=customer, type=type, amount=amount, currency=currency, ending_balance=0, **fields
    )
    # The rules of the fields people type; the rest was checked above or is the
    # database's to enforce (uniqueness, check constraints), which costs no query.
    posted.clean_fields(exclude=_UNCHECKED_FIELDS)
    posted.ending_balance = _locked_balance(customer, currency) + amount
    if abs(amount) > MAX_MINOR_UNITS or abs(posted.ending_balance) > MAX_MINOR_UNITS:
        raise ValidationError(
            {"amount": "This would take the balance beyond what a balance can hold."}
        )
    # Its insert trigger moves the balance row to its ending balance (ledger/triggers.py).
    posted.save(force_insert=True)
    created_by = fields.get("created_by")
    log_money_action(
        f"transaction.{type}",
        customer=customer.public_id,
        object_id=posted.public_id,
        amount=amount,
        currency=currency,
        user_id=created_by.pk if created_by else None,
    )
    activity.record(
        "balance_transaction.created",
        customer=customer.public_id,
        invoice=invoice,
        object_id=posted.public_id,
        data={
            "amount": amount,
            "currency": currency,
            "type": type,
            "description": posted.description,
        },
    )
    return posted


def _locked_balance(customer: Customer, currency: str) -> int:
    """The customer's balance in `currency`, its row locked (and made at the first use
    of the currency). Live customers only."""
    for _attempt in range(2):
        amount = sql.live_balance_lock(customer.pk, currency)
        if amount is not None:
            return amount
        if Customer.objects.deleted().filter(pk=customer.pk).exists():
            raise ValidationError("A deleted customer's balance cannot change. Restore it first.")
        try:
            with transaction.atomic():  # first use of this currency
                CustomerBalance.objects.create(customer=customer, currency=currency)
        except IntegrityError:
            pass  # a concurrent writer created it first
    raise RuntimeError("The balance row could not be created.")


_UNCHECKED_FIELDS = [
    "id", "public_id", "customer", "type", "amount", "currency", "ending_balance", "created_by",
    "created", "reverses", "idempotency_key",
]  # fmt: skip


def balance_for_update(*, customer: Customer, currency: str) -> int:
    """The customer's balance in `currency`, locked until the surrounding transaction
    ends, for a caller that decides from it what to post (an invoice taking its credit).
    Must run inside transaction.atomic()."""
    if connection.get_autocommit():
        raise TransactionManagementError("balance_for_update() must run in transaction.atomic().")
    amount = sql.balance_lock(customer.pk, currency)
    return amount if amount is not None else 0


def balance_adjust(
    *,
    customer: Customer,
    amount: int,
    currency: str,
    internal_note: str = "",
    description: str = "",
    metadata: dict[str, Any] | None = None,
    created_by: User | None = None,
    idempotency_key: str | None = None,
) -> BalanceTransaction:
    """A credit (negative amount) or debit (positive) made by staff."""
    _check_typed(amount, currency)
    return transaction_post(
        customer=customer,
        type=TransactionType.ADJUSTMENT,
        amount=amount,
        currency=currency,
        description=description,
        internal_note=internal_note,
        metadata=metadata,
        created_by=created_by,
        idempotency_key=idempotency_key,
    )


def _check_typed(amount: int, currency: str) -> None:
    """Staff move at most MAX_MAJOR_UNITS at a time; what the system posts is not capped."""
    try:
        limit = max_typed_amount(check_currency(currency))
    except MoneyError as error:
        raise ValidationError({"currency": str(error)}) from None
    if isinstance(amount, int) and abs(amount) > limit:
        raise ValidationError({"amount": f"At most {MAX_MAJOR_UNITS:,} {currency} at a time."})


def balance_open(
    *, customer: Customer, amount: int, currency: str, created_by: User | None = None
) -> BalanceTransaction:
    """The starting balance of a customer created with one."""
    _check_typed(amount, currency)
    return transaction_post(
        customer=customer,
        type=TransactionType.INITIAL,
        amount=amount,
        currency=currency,
        description="Starting balance",
        created_by=created_by,
    )


def transaction_reverse(
    *,
    original: BalanceTransaction,
    created_by: User | None = None,
    internal_note: str = "",
    idempotency_key: str | None = None,
) -> BalanceTransaction:
    """Undo an adjustment with an adjustment of the opposite amount, linked to it.
    An adjustment can be reversed once, and a reversal cannot be reversed."""
    request = {"type": TransactionType.ADJUSTMENT, "amount": -original.amount,
               "currency": original.currency, "reverses": original}  # fmt: skip
    if idempotency_key:
        existing = _existing(idempotency_key, original.customer, request)
        if existing is not None:
            return existing
    with transaction.atomic():
        original = BalanceTransaction.objects.select_for_update().get(pk=original.pk)
        if idempotency_key:
            # A retry that waited for the lock finds the first attempt's reversal.
            existing = _existing(idempotency_key, original.customer, request)
            if existing is not None:
                return existing
        if original.type != TransactionType.ADJUSTMENT or original.reverses_id is not None:
            raise ValidationError(
                "Only an adjustment that is not itself a reversal can be reversed."
            )
        if BalanceTransaction.objects.filter(reverses=original).exists():
            raise ValidationError("This adjustment has already been reversed.")
        return _post_once(
            customer=original.customer,
            type=TransactionType.ADJUSTMENT,
            amount=-original.amount,
            currency=original.currency,
            description=f"Reversal of {original.public_id}",
            internal_note=internal_note,
            metadata=None,
            created_by=created_by,
            reverses=original,
            idempotency_key=idempotency_key,
        )


@transaction.atomic
def transaction_describe(
    *,
    balance_transaction: BalanceTransaction,
    description: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> BalanceTransaction:
    """Change what may change after posting: the description and the metadata (None
    leaves it as it is). Returns the transaction as saved."""
    posted = BalanceTransaction.objects.select_for_update().get(pk=balance_transaction.pk)
    before = _described(posted)
    if description is not None:
        posted.description = description
    if metadata is not None:
        posted.metadata = metadata
    return _save_described(posted, before)


@transaction.atomic
def transaction_metadata_update(
    *, balance_transaction: BalanceTransaction, changes: Mapping[str, str]
) -> BalanceTransaction:
    """Merge `changes` into the metadata, as Stripe's update does: each key is set, and
    a key given "" is removed. Merged under the row's lock, so concurrent updates of
    different keys both stay."""
    posted = BalanceTransaction.objects.select_for_update().get(pk=balance_transaction.pk)
    before = _described(posted)
    merged = {**posted.metadata, **changes}
    posted.metadata = {key: value for key, value in merged.items() if value != ""}
    return _save_described(posted, before)


DESCRIBED_LABELS = {"description": "Description", "metadata": "Metadata"}


def _described(posted: BalanceTransaction) -> dict[str, Any]:
    return {"description": posted.description, "metadata": dict(posted.metadata)}


def _save_described(posted: BalanceTransaction, before: dict[str, Any]) -> BalanceTransaction:
    posted.clean_fields(exclude=_UNCHECKED_FIELDS)
    posted.save(update_fields=["description", "metadata"])
    if changes := activity.changes(before, _described(posted), DESCRIBED_LABELS):
        customer = Customer.objects.values_list("public_id", flat=True).get(pk=posted.customer_id)
        activity.record(
            "balance_transaction.updated",
            customer=customer,
            object_id=posted.public_id,
            data={"changes": changes},
        )
    return posted


def customer_create_with_balance(
    *,
    opening_amount: int | None = None,
    opening_currency: str = "",
    created_by: User | None = None,
    **customer: Any,
) -> Customer:
    """A new customer and its starting balance (`opening_amount` minor units in
    `opening_currency`; None for none), both or neither. It lives here, above both
    writes, because customers imports nothing from the ledger; `customer` is
    customers.services.customer_create's arguments. Only a user who may post to the
    ledger sets a starting balance (None: the system, e.g. the demo data)."""
    if opening_amount and created_by and not created_by.has_perm("ledger.add_balancetransaction"):
        raise ValidationError("Your role cannot set a starting balance.")
    with transaction.atomic():
        created = customer_create(**customer)
        if opening_amount:
            balance_open(
                customer=created,
                amount=opening_amount,
                currency=opening_currency,
                created_by=created_by,
            )
    return created
