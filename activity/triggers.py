"""Database triggers that keep the trail append-only past the services: no entry is
changed or removed, by UPDATE, DELETE or TRUNCATE. (Re)installed after every `migrate`
(see apps.py), as the ledger's are; tests/conftest.py drops them before a test flush."""

from django.db import connections

from core.db import install_triggers as install
from core.db import trigger_names

TABLE = "activity_entry"
# No apostrophes: the message is an SQL string literal.
MESSAGE = "activity entries cannot be changed or deleted"

SQLITE = {
    f"{TABLE}_no_update": f"""BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"{TABLE}_no_delete": f"""BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
}

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_guard() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}';
    END $$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE TRIGGER {TABLE}_guard BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_guard()""",
    f"""CREATE OR REPLACE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_guard()""",
]


def install_triggers(using="default"):
    install(connections[using], sqlite=SQLITE, postgresql=POSTGRES)


def drop_triggers(using="default"):
    """For test teardown only: lets Django's flush empty the table; the flush's
    post_migrate reinstalls them."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}")


def installed_triggers(using="default"):
    return trigger_names(connections[using], TABLE)


def expected_triggers(using="default"):
    if connections[using].vendor == "sqlite":
        return set(SQLITE)
    return {f"{TABLE}_guard", f"{TABLE}_no_truncate"}
