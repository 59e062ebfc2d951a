import datetime

import pytest
from django.utils import timezone

from core.pagination import paginate
from customers.filters import SORT_KEYS
from customers.models import Customer
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers():
    # Ties in created and in name, so the id tie-break is exercised.
    moment = timezone.now() - datetime.timedelta(days=1)
    return [
        make_customer(name=f"Name {i % 4}", email=f"e{i % 3}@example.com", created=moment)
        for i in range(23)
    ]


def _walk_forward(sort, size):
    names, after = [], None
    while True:
        page = paginate(Customer.objects.all(), order=SORT_KEYS[sort], after=after, size=size)
        names += [c.pk for c in page]
        if not page.next_after:
            return names, page
        after = page.next_after


@pytest.mark.parametrize("sort", list(SORT_KEYS))
def test_walking_forward_visits_every_customer_once_in_order(customers, sort):
    visited, _last = _walk_forward(sort, size=5)
    expression, descending = SORT_KEYS[sort]
    order = (expression.desc(), "-pk") if descending else (expression.asc(), "pk")
    assert visited == list(Customer.objects.order_by(*order).values_list("pk", flat=True))


@pytest.mark.parametrize("sort", list(SORT_KEYS))
def test_walking_back_returns_the_same_pages(customers, sort):
    pages, after = [], None
    while True:
        page = paginate(Customer.objects.all(), order=SORT_KEYS[sort], after=after, size=5)
        pages.append([c.pk for c in page])
        if not page.next_after:
            break
        after = page.next_after
    before = paginate(
        Customer.objects.all(), order=SORT_KEYS[sort], after=after, size=5
    ).previous_before
    for expected in reversed(pages[:-1]):
        page = paginate(Customer.objects.all(), order=SORT_KEYS[sort], before=before, size=5)
        assert [c.pk for c in page] == expected
        before = page.previous_before
    assert before is None


def test_unknown_cursor_starts_at_the_beginning(customers):
    page = paginate(Customer.objects.all(), after="cus_unknown", size=5)
    assert len(page) == 5 and page.previous_before is None


def test_unknown_before_cursor_also_starts_at_the_beginning(customers):
    first = paginate(Customer.objects.all(), size=5)
    page = paginate(Customer.objects.all(), before="cus_unknown", size=5)
    assert [c.pk for c in page] == [c.pk for c in first]
    assert page.previous_before is None and page.next_after == first.next_after
