import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from activity import services
from activity.admin import BoundedCountPaginator
from activity.context import acting
from activity.kinds import Source
from activity.models import Entry

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:activity_entry_changelist")


def record(kind, name="", **fields):
    with acting(Source.ADMIN, name=name):
        return services.record(kind, **fields)


def listed(response):
    return {entry.pk for entry in response.context["cl"].result_list}


def test_support_lists_the_trail_with_who_and_from_where(support_client):
    entry = record("customer.updated", name="ada", customer="cus_1", object_id="cus_1")
    response = support_client.get(CHANGELIST)
    assert response.status_code == 200
    assert entry.pk in listed(response)
    assert response.context["cl"].show_full_result_count is False
    assert b"Customer updated" in response.content and b"ada" in response.content


@pytest.mark.parametrize(
    ("term", "expected"),
    [("cus_1", {"by_customer"}), ("in_1", {"by_invoice"}), ("cn_1", {"by_object"}),
     ("ada lovelace", {"by_actor"}), ("cus_", set()), ("ada", set())],
)  # fmt: skip
def test_search_is_exact_by_id_or_who(support_client, term, expected):
    entries = {
        "by_customer": record("customer.updated", customer="cus_1"),
        "by_invoice": record("invoice.paid", customer="cus_2", invoice="in_1"),
        "by_object": record("credit_note.created", customer="cus_3", object_id="cn_1"),
        "by_actor": record("api_key.created", name="ada lovelace"),
    }
    response = support_client.get(CHANGELIST, {"q": term})
    assert listed(response) == {entries[name].pk for name in expected}


def test_filters_by_kind_and_source(support_client):
    paid = record("invoice.paid", invoice="in_1")
    record("customer.updated", customer="cus_1")
    assert listed(support_client.get(CHANGELIST, {"kind__exact": "invoice.paid"})) == {paid.pk}
    assert listed(support_client.get(CHANGELIST, {"source__exact": "api"})) == set()


def test_the_entry_page_shows_changes_and_data_readably_and_escaped(support_client):
    entry = record("customer.updated", customer="cus_1", data={
        "changes": [{"field": "name", "label": "Name", "old": "Old <b>", "new": "New"}],
        "number": "INV-1"})  # fmt: skip
    response = support_client.get(reverse("admin:activity_entry_change", args=[entry.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "<li>Name: Old &lt;b&gt; → New</li>" in content
    assert "&quot;number&quot;: &quot;INV-1&quot;" in content
    assert 'name="_save"' not in content  # nothing to change


def test_nobody_adds_changes_or_deletes_entries(admin_client):
    entry = record("customer.updated", customer="cus_1")
    assert admin_client.get(reverse("admin:activity_entry_add")).status_code == 403
    delete = reverse("admin:activity_entry_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Entry.objects.filter(pk=entry.pk).exists()


def test_support_exports_the_selected_entries(support_client):
    chosen = record("customer.updated", customer="cus_1", data={"description": "Chosen"})
    record("customer.updated", customer="cus_2", data={"description": "Not chosen"})
    data = {"action": "export_csv", ACTION_CHECKBOX_NAME: [chosen.pk]}
    response = support_client.post(CHANGELIST, data)
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert "Chosen" in text and "Not chosen" not in text


def test_billing_staff_may_not_export(billing_client):
    record("customer.updated", customer="cus_1")
    response = billing_client.get(CHANGELIST)
    assert response.status_code == 200
    assert b"export_csv" not in response.content


def test_the_count_stops_at_its_limit(monkeypatch):
    for _ in range(3):
        record("customer.updated", customer="cus_1")
    monkeypatch.setattr(BoundedCountPaginator, "COUNT_LIMIT", 2)
    assert BoundedCountPaginator(Entry.objects.all(), 50).count == 2
