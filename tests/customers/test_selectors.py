import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.selectors import customer_list, customer_page
from customers.services import customer_delete
from tests.factories import make_customer

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="PostgreSQL's planner chooses by table statistics, not by the query's shape",
)


def _plans(run):
    """SQLite's EXPLAIN QUERY PLAN of every query `run` makes, without statistics (a
    database never analysed, as in production) and with those of a million customers
    (as the benchmark's database has, where the planner chose to read the table)."""
    with CaptureQueriesContext(connection) as captured:
        run()
    plans = []
    with connection.cursor() as cursor:
        for analysed in (False, True):
            if analysed:  # rolled back with the test
                cursor.execute("ANALYZE")
                cursor.execute(
                    "UPDATE sqlite_stat1 SET stat = '1000000' || substr(stat, instr(stat, ' '))"
                    " WHERE tbl = 'customers_customer' AND instr(stat, ' ') > 0"
                )
                cursor.execute("ANALYZE sqlite_schema")  # reloads the statistics
            for query in captured.captured_queries:
                cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
                plans.append(" | ".join(row[3] for row in cursor.fetchall()))
    return plans


@pytest.fixture
def customers(billing_user):
    customers = [make_customer() for _ in range(3)]
    customer_delete(customer=customers[0], deleted_by=billing_user)
    return customers


@sqlite_only
def test_counting_all_customers_reads_the_live_count_index(customers):
    # A million customers are counted from this small index: reading the table took
    # 165 ms, the index 10 ms.
    count = customer_list(params={}, counting=True).qs.count
    assert count() == 2
    plans = _plans(count)
    assert plans == ["SCAN customers_customer USING COVERING INDEX customer_live_count"] * 2


@sqlite_only
def test_the_list_page_still_walks_its_sort_index(customers):
    # The count index must not tempt the planner away from the list order (migration
    # 0010: an index it could search for `deleted_at IS NULL` sorted a million rows).
    def first_page():
        customer_page(customer_list(params={}))

    plans = _plans(first_page)
    assert plans == ["SCAN customers_customer USING INDEX customer_live_created"] * 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's index definition")
def test_the_live_count_index_exists_on_postgresql():
    # Its plan is not asserted: PostgreSQL picks a sequential or an index-only scan by
    # the table's statistics and visibility map. At a million customers it counted with
    # an index-only scan of this index (or of customer_live_created without it).
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'customer_live_count'")
        (definition,) = cursor.fetchone()
    assert definition.endswith("(id, deleted_at) WHERE (deleted_at IS NULL)")
