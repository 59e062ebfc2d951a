import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection, transaction

from activity import exports, services
from activity.context import acting, current_actor
from activity.kinds import GROUPS, KINDS, Source, kinds_in_group
from activity.middleware import ActorMiddleware
from activity.models import Entry
from activity.triggers import expected_triggers, installed_triggers
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_an_entry_names_who_acted_and_through_which_door():
    user = make_user("Support")
    with acting(Source.ADMIN, user=user):
        entry = services.record("customer.updated", customer="cus_1", object_id="cus_1")
    entry.refresh_from_db()
    assert (entry.user, entry.actor, entry.source) == (user, user.username, "admin")


def test_outside_any_door_an_entry_is_a_commands():
    entry = services.record("customer.created", customer="cus_1")
    assert (entry.user, entry.actor, entry.source) == (None, "", "command")


def test_a_name_is_said_instead_of_the_users():
    user = make_user()
    with acting(Source.API, user=user, name="API key Signup (rk_test_…4242)"):
        entry = services.record("customer.created", customer="cus_1")
    assert (entry.user, entry.actor) == (user, "API key Signup (rk_test_…4242)")


def test_a_rolled_back_change_leaves_no_entry():
    with pytest.raises(RuntimeError), transaction.atomic():
        services.record("customer.created", customer="cus_1")
        raise RuntimeError("the change fails")
    assert not Entry.objects.exists()


def test_entries_cannot_be_changed_or_deleted():
    entry = services.record("customer.created", customer="cus_1")
    assert expected_triggers() <= installed_triggers()
    with pytest.raises(DatabaseError, match="cannot be changed or deleted"), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(actor="someone else")
    with pytest.raises(DatabaseError, match="cannot be changed or deleted"), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).delete()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE activity_entry")
    assert Entry.objects.get().actor == ""


def test_record_all_writes_many_entries_as_the_current_actor():
    user = make_user()
    with acting(Source.IMPORT, user=user):
        rows = [services.entry("customer.created", customer=f"cus_{n}") for n in range(1200)]
    count = services.record_all(rows)
    assert count == Entry.objects.filter(user=user, source="import").count() == 1200


def test_changes_list_only_the_fields_that_changed_with_their_labels():
    changes = services.changes(
        {"name": "Ann", "email": "a@example.com"},
        {"name": "Anne", "email": "a@example.com"},
        {"name": "Name"},
    )
    assert changes == [{"field": "name", "label": "Name", "old": "Ann", "new": "Anne"}]


def test_every_kind_is_in_a_group():
    grouped = {kind for group in GROUPS for kind in kinds_in_group(group)}
    assert grouped == set(KINDS)
    assert kinds_in_group("nonsense") == []


@pytest.mark.parametrize(("path", "source"), [("/customers/", "page"), ("/admin/", "admin")])
def test_a_request_acts_as_its_signed_in_user(rf, path, source):
    user = make_user("Support", is_staff=True)
    request = rf.get(path)
    request.user = user
    recorded = []
    middleware = ActorMiddleware(lambda request: recorded.append(services.record("x")) or "ok")
    assert middleware(request) == "ok"
    assert (recorded[0].user, recorded[0].source) == (user, source)
    assert current_actor().source == "command"  # only while serving it


def test_an_anonymous_request_names_nobody(rf):
    request = rf.get("/customers/")
    request.user = AnonymousUser()
    recorded = []
    ActorMiddleware(lambda request: recorded.append(services.record("x")))(request)
    assert (recorded[0].user, recorded[0].actor, recorded[0].source) == (None, "", "page")


def test_money_changes_are_marked_and_shown_as_money():
    changes = services.changes(
        {"unit_amount": 1000, "description": "A"},
        {"unit_amount": 2500, "description": "B"},
        {"unit_amount": "Line unit price"},
        money={"unit_amount"},
    )
    assert changes[0]["money"] is True and "money" not in changes[1]
    shown = exports.changes_shown({"changes": changes, "currency": "USD"})
    assert shown == [("Line unit price", "$10.00", "$25.00"), ("description", "A", "B")]


def test_an_added_line_reads_as_a_line():
    line = {"description": "Support", "quantity": 2, "unit_amount": 2000, "amount": 4000}
    assert exports.detail({"line_added": line, "currency": "EUR"}) == (
        "line added: Support × 2, €40.00"
    )
