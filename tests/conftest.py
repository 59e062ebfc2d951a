import pytest
from django.test import Client

from tests.factories import make_user


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_trail_guards():
    """Any test may write activity entries, which their triggers keep from being deleted
    or truncated; so a transactional test's flush (browser tests', too) drops them first.
    The flush's post_migrate puts them back."""
    from django.test import TransactionTestCase

    from activity.triggers import drop_triggers

    flush = TransactionTestCase._fixture_teardown

    def teardown(self):
        for alias in self._databases_names(include_mirrors=False):
            drop_triggers(alias)
        flush(self)

    TransactionTestCase._fixture_teardown = teardown  # type: ignore[method-assign]
    yield
    TransactionTestCase._fixture_teardown = flush  # type: ignore[method-assign]


def _client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def billing_user(db):
    return make_user("Billing staff", is_staff=True)


@pytest.fixture
def ops_user(db):
    return make_user("Ops", is_staff=True)


@pytest.fixture
def support_user(db):
    return make_user("Support", is_staff=True)


@pytest.fixture
def billing_client(billing_user):
    return _client_for(billing_user)


@pytest.fixture
def ops_client(ops_user):
    return _client_for(ops_user)


@pytest.fixture
def support_client(support_user):
    return _client_for(support_user)


@pytest.fixture
def flushable_db(transactional_db):
    """A transactional database whose flush after the test can empty the ledger:
    SQLite's flush deletes rows, which the immutability triggers refuse, so they are
    dropped first (the flush's post_migrate puts them back)."""
    yield
    from ledger.triggers import drop_triggers

    drop_triggers()


@pytest.fixture
def roles(transactional_db):
    """The staff roles as the data migrations make them, for a transactional test: an
    earlier one's flush emptied auth_group, and a flush reruns only post_migrate."""
    import importlib
    from pathlib import Path

    from django.apps import apps

    from core.db import grant_role_permissions

    for path in sorted(Path(__file__).parent.parent.glob("*/migrations/*_roles.py")):
        app_label = path.parent.parent.name
        migration = importlib.import_module(f"{app_label}.migrations.{path.stem}")
        grant_role_permissions(apps, app_label, migration.ROLES)


@pytest.fixture
def htmx():
    return {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
