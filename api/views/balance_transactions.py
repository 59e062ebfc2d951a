"""/v1/customers/{id}/balance_transactions: Stripe's customer_balance_transaction.
Creating one is a staff adjustment (ledger.services.balance_adjust); afterwards only the
description and metadata change, through the ledger's services like everything else."""

from typing import Any

from django.core.exceptions import ValidationError

from customers.models import Customer
from ledger.models import BalanceTransaction
from ledger.services import balance_adjust, transaction_describe, transaction_metadata_update

from .. import errors
from ..http import Call, from_validation_error, needs
from ..lists import page_of, read_page
from ..objects.ledger import balance_transaction_object, with_links
from .customers import live_customer

PARAMS = {
    "amount": "amount",
    "currency": "currency",
    "description": "description",
    "metadata": "metadata",
}
KIND = "customer_balance_transaction"


def _transaction(customer: Customer, public_id: str) -> BalanceTransaction:
    found = with_links(customer.balance_transactions.filter(public_id=public_id)).first()
    if found is None:
        raise errors.resource_missing(KIND, public_id)
    return found


def _object(txn: BalanceTransaction) -> dict[str, Any]:
    """The object as now stored, read again with its links."""
    return balance_transaction_object(_transaction(txn.customer, txn.public_id))


@needs("ledger.add_balancetransaction")
def create(call: Call, id: str) -> dict[str, Any]:
    params = call.params
    amount = params.integer("amount", required=True) or 0
    currency = params.string("currency", required=True) or ""
    description = params.string("description")
    metadata = params.metadata()
    params.expand()  # customer, invoice and credit_note stay IDs for now
    params.check_all_read()
    customer = live_customer(id)
    try:
        posted = balance_adjust(
            customer=customer,
            amount=amount,
            currency=currency.upper(),
            description=description or "",
            # As in Stripe, an empty value unsets: on a new object, nothing to set.
            metadata={key: value for key, value in (metadata or {}).items() if value},
            created_by=call.actor,
            # The request's Idempotency-Key is answered by api/idempotency.py.
            idempotency_key=None,
        )
    except ValidationError as error:
        raise from_validation_error(error, PARAMS) from None
    return _object(posted)


@needs("ledger.view_balancetransaction")
def retrieve(call: Call, id: str, transaction_id: str) -> dict[str, Any]:
    call.params.expand()
    call.params.check_all_read()
    customer = live_customer(id)
    return balance_transaction_object(_transaction(customer, transaction_id))


@needs("ledger.change_balancetransaction")
def update(call: Call, id: str, transaction_id: str) -> dict[str, Any]:
    params = call.params
    description = params.string("description")
    metadata = params.metadata()
    params.expand()
    params.check_all_read()
    posted = _transaction(live_customer(id), transaction_id)
    try:
        if description is not None or metadata == "":
            posted = transaction_describe(
                balance_transaction=posted,
                description=description,
                metadata={} if metadata == "" else None,
            )
        if metadata:
            posted = transaction_metadata_update(balance_transaction=posted, changes=metadata)
    except ValidationError as error:
        raise from_validation_error(error, PARAMS) from None
    return _object(posted)


@needs("ledger.view_balancetransaction")
def list_(call: Call, id: str) -> dict[str, Any]:
    call.params.expand()
    asked = read_page(call.params)
    call.params.check_all_read()
    customer = live_customer(id)
    return page_of(
        asked,
        with_links(customer.balance_transactions.all()),
        url=f"/v1/customers/{customer.public_id}/balance_transactions",
        kind=KIND,
        to_object=balance_transaction_object,
    )
