import importlib

import pytest

from customers import sql, triggers
from customers.triggers import expected_triggers, install_triggers, installed_triggers
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def test_triggers_are_installed_after_all_migrations():
    # They come from post_migrate, so a migration that rebuilds customers_customer
    # on SQLite (dropping its triggers) cannot leave them off.
    assert expected_triggers() <= installed_triggers()


def test_reinstalling_triggers_is_harmless():
    install_triggers()
    install_triggers()
    make_customer(name="Once", metadata={"k": "v"})
    from customers.selectors import customer_list, customer_page

    filterset = customer_list(params={"q": "once"})
    assert [c.name for c in customer_page(filterset)] == ["Once"]


def test_search_queries_the_text_the_postgres_index_holds():
    migration = importlib.import_module("customers.migrations.0003_search_indexes")
    assert sql.POSTGRES_DOCUMENT == migration.POSTGRES_DOCUMENT


def test_the_sqlite_search_index_holds_what_the_migration_built():
    # SEARCH_FIELDS is the one list of searched fields; the FTS table itself was built
    # by migration 0003, so a change to the list without a migration fails here.
    migration = importlib.import_module("customers.migrations.0003_search_indexes")
    assert triggers.FTS_COLUMNS == migration.FTS_COLUMNS
    assert triggers.fts_values("c") == migration.fts_values("c")
