"""The api app's raw SQL. Counting a request against its key's rate limit and recording
the key as used is one UPDATE … RETURNING (SQLite ≥ 3.35 and PostgreSQL): the ORM would
need a read and a write, and two requests could read the same count."""

from datetime import datetime

from django.db import connection

from .models import ApiKey

API_KEYS = ApiKey._meta.db_table

_COUNT_REQUEST = (
    f"UPDATE {API_KEYS} SET "
    "rate_count = CASE WHEN rate_window = %s THEN rate_count + 1 ELSE 1 END, "
    "rate_window = %s, last_used_at = %s WHERE id = %s RETURNING rate_count"
)


def count_request(key_id: int, now: datetime) -> int:
    """Counts a request of the key in the current second, records the key as used now,
    and returns how many requests it has made in this second."""
    second = int(now.timestamp())
    with connection.cursor() as cursor:
        used = connection.ops.adapt_datetimefield_value(now)
        cursor.execute(_COUNT_REQUEST, [second, second, used, key_id])
        (count,) = cursor.fetchone()
    return int(count)
