"""The billing app's raw SQL, in one place. Other apps call these functions rather than
write SQL against billing's tables; table names come from the models."""

from django.db import connection

from .models import Invoice

_NUMBER_USED = f"SELECT 1 FROM {Invoice._meta.db_table} WHERE number = %s"


def invoice_number_used(number: str) -> bool:
    """Whether an invoice has this number already. Plain SQL: it runs for every
    finalization, under the customer's lock."""
    with connection.cursor() as cursor:
        cursor.execute(_NUMBER_USED, [number])
        return cursor.fetchone() is not None
