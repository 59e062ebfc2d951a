"""The ledger app's raw SQL, in one place. Other apps call these functions rather than
write SQL against the ledger's tables; table names come from the models, and the
customers' tables come from customers.sql. The trigger DDL stays in triggers.py,
beside the code that installs it.

Both reads are plain SQL because the ORM spent ~15 times the query's own time building
them, on the hot path of every posting (bench/ledger.py).
"""

from django.db import connection

from customers.sql import live_customer_ids

from .models import CustomerBalance

BALANCES = CustomerBalance._meta.db_table

_BALANCE = f"SELECT amount FROM {BALANCES} WHERE customer_id = %s AND currency = %s"
# The customer's liveness is checked in the same statement as the lock is taken.
_LIVE_BALANCE = f"{_BALANCE} AND customer_id IN ({live_customer_ids()})"


def _for_update(sql: str) -> str:
    # FOR UPDATE on PostgreSQL; on SQLite, BEGIN IMMEDIATE already holds the database.
    return sql + (" FOR UPDATE" if connection.features.has_select_for_update else "")


def _amount(sql: str, customer_id: int, currency: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, [customer_id, currency])
        row = cursor.fetchone()
    return row[0] if row else None


def live_balance_lock(customer_id: int, currency: str) -> int | None:
    """The balance of a live customer in `currency`, its row locked until the
    transaction ends; None if the row does not exist or the customer is deleted."""
    return _amount(_for_update(_LIVE_BALANCE), customer_id, currency)


def balance_lock(customer_id: int, currency: str) -> int | None:
    """The customer's balance in `currency`, its row locked until the transaction ends;
    None if the row does not exist."""
    return _amount(_for_update(_BALANCE), customer_id, currency)
