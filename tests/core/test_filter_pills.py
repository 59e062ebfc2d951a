import pytest
from django.urls import reverse

from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def _pills(html):
    from html.parser import HTMLParser

    class Pills(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found, self.inside, self.text = [], False, ""

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "li" and attrs.get("class") == "filter-pill":
                self.inside, self.text = True, ""
            elif self.inside and tag == "a":
                self.found.append((self.text.strip(), attrs["href"], attrs["data-clear-filter"]))
                self.inside = False

        def handle_data(self, data):
            if self.inside:
                self.text += data

    parser = Pills()
    parser.feed(html)
    return parser.found


def test_customers_list_shows_applied_filters_as_pills_that_clear_one(billing_client):
    make_customer(name="Wayne", default_currency="USD", metadata={"plan": "pro"})
    url = reverse("customers:list")
    query = "?q=wayne&currency=USD&metadata=plan%3Dpro&balance=credit&sort=name&after=x"
    pills = _pills(billing_client.get(url + query).content.decode())
    rest = "metadata=plan%3Dpro&balance=credit&sort=name"
    assert pills == [
        ("Search: wayne", f"{url}?currency=USD&{rest}", "q"),
        ("Currency: USD", f"{url}?q=wayne&{rest}", "currency"),
        ("Metadata: plan=pro", f"{url}?q=wayne&currency=USD&balance=credit&sort=name", "metadata"),
        ("Balance: Has credit balance", f"{url}?q=wayne&currency=USD&metadata=plan%3Dpro&sort=name",
         "balance"),
    ]  # fmt: skip


def test_pills_come_with_the_table_fragment_and_not_without_filters(billing_client, htmx):
    url = reverse("customers:list")
    fragment = billing_client.get(url + "?country=FR", **htmx).content.decode()
    assert _pills(fragment) == [("Country: France", url, "country")]
    assert 'class="filter-pills"' not in billing_client.get(url + "?q=&sort=").content.decode()


def test_invoices_list_shows_its_filters_as_pills(billing_client):
    url = reverse("billing:invoices")
    pills = _pills(billing_client.get(url + "?status=open&currency=EUR").content.decode())
    assert [(text, name) for text, _, name in pills] == [
        ("Status: Open", "status"),
        ("Currency: EUR", "currency"),
    ]
