import csv
import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from activity import services
from activity.context import acting
from activity.kinds import Source
from activity.views import PAGE_SIZE
from tests.conftest import _client_for
from tests.factories import make_customer, make_invoice, make_user

pytestmark = pytest.mark.django_db

LIST = reverse("activity:list")
EXPORT = reverse("activity:export")


def user_with(*permissions):
    user = make_user(is_staff=True)
    for name in permissions:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return _client_for(user)


def record(kind, **fields):
    with acting(Source.PAGE, user=fields.pop("user", None), name=fields.pop("name", "")):
        return services.record(kind, **fields)


def csv_rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


# Permissions


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(LIST, {"customer": "cus_1"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_without_view_entry_the_activity_is_refused_and_not_on_the_customer_page():
    customer = make_customer()
    record("customer.updated", customer=customer.public_id, data={"name": "Seen by nobody"})
    client = user_with("customers.view_customer")
    assert client.get(LIST, {"customer": customer.public_id}).status_code == 403
    assert client.get(LIST).status_code == 403
    page = client.get(customer.get_absolute_url())
    assert page.status_code == 200
    assert b'id="activity"' not in page.content


def test_a_customers_activity_needs_the_permission_to_see_customers():
    record("customer.updated", customer="cus_secret", data={"name": "Hidden"})
    client = user_with("activity.view_entry", "billing.view_invoice")
    assert client.get(LIST, {"customer": "cus_secret"}).status_code == 403
    assert client.get(EXPORT, {"customer": "cus_secret"}).status_code == 403


def test_an_invoices_activity_needs_the_permission_to_see_invoices():
    record("invoice.finalized", customer="cus_1", invoice="in_1", object_id="in_1")
    client = user_with("activity.view_entry", "customers.view_customer")
    assert client.get(LIST, {"invoice": "in_1"}).status_code == 403
    allowed = user_with("activity.view_entry", "billing.view_invoice")
    assert allowed.get(LIST, {"invoice": "in_1"}).status_code == 200


def test_the_roles_see_activity_and_ops_and_support_export_it(billing_user, ops_user, support_user):
    assert billing_user.has_perm("activity.view_entry")
    assert not billing_user.has_perm("activity.export_entry")
    for user in (ops_user, support_user):
        assert user.has_perms(["activity.view_entry", "activity.export_entry"])


@pytest.mark.parametrize(
    "params",
    [{"customer": "in_1"}, {"customer": "cus_<x>"}, {"invoice": "cus_1"}, {"group": "nope"},
     {"customer": "cus_1", "after": "x"}],
)  # fmt: skip
def test_an_unknown_scope_group_or_position_is_a_bad_request(billing_client, params):
    assert billing_client.get(LIST, params).status_code == 400
    assert billing_client.get(EXPORT, params).status_code in (400, 403)


# The section


def test_the_customer_page_shows_its_activity_newest_first(billing_client, billing_user):
    customer = make_customer(name="Acme")
    record("customer.updated", customer=customer.public_id, object_id=customer.public_id,
           data={"changes": [{"field": "email", "label": "Account email",
                              "old": "a@example.com", "new": "b@example.com"}]},
           user=billing_user)  # fmt: skip
    record("balance_transaction.created", customer=customer.public_id, object_id="cbtxn_1",
           data={"amount": -1250, "currency": "USD", "description": "Goodwill"})  # fmt: skip
    content = billing_client.get(customer.get_absolute_url()).content.decode()
    section = content[content.index('id="activity"') :]
    assert section.index("Balance transaction") < section.index("Customer updated")
    assert "-$12.50" in section
    assert "Goodwill" in section
    assert "Account email: <del>a@example.com</del> → <ins>b@example.com</ins>" in section
    assert f"{billing_user.username} · Page" in section
    assert "System · Page" in section  # nobody named: the system


def test_entries_link_the_objects_that_have_pages(billing_client):
    record("credit_note.created", customer="cus_1", invoice="in_1", object_id="cn_1",
           data={"number": "CN-0001"})  # fmt: skip
    content = billing_client.get(LIST, {"customer": "cus_1"}).content.decode()
    assert f'href="{reverse("billing:credit_note", args=["cn_1"])}"' in content
    assert f'href="{reverse("billing:invoice", args=["in_1"])}"' in content
    assert "CN-0001" in content


def test_the_invoice_page_shows_the_invoices_activity(billing_client):
    invoice = make_invoice(None, 1000)
    record("invoice.updated", customer=invoice.customer.public_id, invoice=invoice.public_id,
           object_id=invoice.public_id, data={"description": "Memo changed"})  # fmt: skip
    record("invoice.updated", customer=invoice.customer.public_id, invoice="in_other",
           object_id="in_other", data={"description": "Another invoice"})  # fmt: skip
    content = billing_client.get(invoice.get_absolute_url()).content.decode()
    section = content[content.index('id="activity"') :]
    assert "Memo changed" in section
    assert "Another invoice" not in section


def test_a_group_shows_only_its_kinds(billing_client):
    record("customer.updated", customer="cus_1", data={"description": "Profile"})
    record("invoice.finalized", customer="cus_1", invoice="in_1", data={"number": "INV-7"})
    content = billing_client.get(LIST, {"customer": "cus_1", "group": "invoice"}).content
    assert b"INV-7" in content
    assert b"Profile" not in content
    assert b'<option value="invoice" selected>Invoices</option>' in content
    empty = billing_client.get(LIST, {"customer": "cus_1", "group": "email"})
    assert b"No activity of this kind." in empty.content


def test_htmx_gets_the_section_alone(billing_client, htmx):
    record("customer.updated", customer="cus_1", data={"description": "Profile"})
    response = billing_client.get(LIST, {"customer": "cus_1"}, **htmx)
    content = response.content.decode()
    assert content.lstrip().startswith('<section class="card activity" id="activity"')
    assert "<html" not in content and "<h1" not in content
    assert "Profile" in content


def test_the_page_of_its_own_names_what_it_is_for(billing_client):
    content = billing_client.get(LIST, {"customer": "cus_1"}).content.decode()
    assert "Activity of customer <code>cus_1</code>" in content
    assert reverse("customers:detail", args=["cus_1"]) in content


def test_pages_of_twenty_newest_first_with_older_and_newer_links(billing_client):
    entries = [record("customer.updated", customer="cus_1", data={"description": f"change {n}"})
               for n in range(PAGE_SIZE + 5)]  # fmt: skip
    first = billing_client.get(LIST, {"customer": "cus_1"}).content.decode()
    assert first.count('class="activity-entry"') == PAGE_SIZE
    assert f"change {PAGE_SIZE + 4}<" in first and "change 4<" not in first
    older = re.search(r'href="([^"]*after=\d+)" hx-get', first).group(1).replace("&amp;", "&")
    second = billing_client.get(older).content.decode()
    assert second.count('class="activity-entry"') == 5
    assert "change 4<" in second and "change 0<" in second
    assert "after=" not in second  # the oldest page
    newer = re.search(r'href="([^"]*before=\d+)" hx-get', second).group(1).replace("&amp;", "&")
    back = billing_client.get(newer).content.decode()
    assert back.count('class="activity-entry"') == PAGE_SIZE
    assert f"change {PAGE_SIZE + 4}<" in back
    assert "before=" not in back  # the newest page
    assert len(entries) == PAGE_SIZE + 5


def test_the_whole_trail_for_whoever_sees_activity(ops_client):
    record("api_key.created", object_id="key_1", data={"name": "Signup flow"})
    content = ops_client.get(LIST).content.decode()
    assert "All activity" in content
    assert "Signup flow" in content


def test_values_are_escaped_and_long_ones_truncated(billing_client):
    record("customer.updated", customer="cus_1",
           data={"name": "<b>Bold</b>",
                 "changes": [{"field": "description", "label": "Description",
                              "old": "<script>alert(1)</script>", "new": "x" * 500}]})  # fmt: skip
    content = billing_client.get(LIST, {"customer": "cus_1"}).content.decode()
    assert "<script>alert(1)" not in content and "<b>Bold" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "x" * 79 + "…" in content and "x" * 81 not in content


# The export


def test_the_export_holds_what_the_section_shows_with_formulas_neutralised(support_client):
    record("customer.updated", customer="cus_1", object_id="cus_1", name="=HYPERLINK(1)",
           data={"changes": [{"field": "phone", "label": "Phone", "old": None,
                              "new": "+1 555"}]})  # fmt: skip
    record("invoice.paid", customer="cus_1", invoice="in_1", object_id="in_1",
           data={"number": "INV-1", "amount": 1250, "currency": "USD"})  # fmt: skip
    record("customer.updated", customer="cus_other", data={"description": "Not this one"})
    response = support_client.get(EXPORT, {"customer": "cus_1"})
    assert response.status_code == 200
    assert re.fullmatch(
        r'attachment; filename="cus_1-activity-\d{8}-\d{6}\.csv"', response["Content-Disposition"]
    )
    header, paid, updated = csv_rows(response)
    assert header == ["created", "kind", "description", "customer", "invoice", "object",
                      "changes", "actor", "source"]  # fmt: skip
    assert paid[1:] == ["invoice.paid", "Invoice paid INV-1 $12.50", "cus_1", "in_1", "in_1",
                        "", "System", "page"]  # fmt: skip
    assert updated[6:] == ["Phone: — → +1 555", "'=HYPERLINK(1)", "page"]
    grouped = csv_rows(support_client.get(EXPORT, {"customer": "cus_1", "group": "invoice"}))
    assert [row[1] for row in grouped[1:]] == ["invoice.paid"]


def test_exporting_needs_the_export_permission(billing_client):
    assert billing_client.get(EXPORT, {"customer": "cus_1"}).status_code == 403


def test_the_export_link_only_for_whoever_may_export(billing_client, support_client):
    record("customer.updated", customer="cus_1")
    assert b'id="activity-export"' not in billing_client.get(LIST, {"customer": "cus_1"}).content
    content = support_client.get(LIST, {"customer": "cus_1", "group": "customer"}).content
    assert b'href="/activity/export/?customer=cus_1&amp;group=customer"' in content


def test_the_section_tag_never_shows_the_whole_trail(rf, ops_user):
    from django.contrib.auth.context_processors import PermWrapper
    from django.template import Context, Template

    record("customer.updated", customer="cus_1", data={"description": "Profile"})
    request = rf.get("/")
    request.user = ops_user
    template = Template("{% load activity %}{% activity_section customer=scope %}")

    def rendered(scope):
        context = Context({"request": request, "perms": PermWrapper(ops_user), "scope": scope})
        return template.render(context)

    assert "Profile" in rendered("cus_1")
    assert rendered("").strip() == ""
