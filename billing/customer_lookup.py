"""The customer staff name in billing's forms and filters: by ID (cus_…), account
email or name. One rule for the Invoices page's Customer filter and its Create invoice
dialog, so what the filter finds is what the dialog accepts."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from customers.models import Customer
from customers.search import filter_name, search_customers
from customers.selectors import customers_by_reference

NAME_MATCHES = 100  # customers whose invoices a name filter shows, at most
BY_NAME = ("name_key", "pk")  # the case-folded name (customer_live_name's columns)


@dataclass
class CustomerMatch:
    """What `text` named: the customers (by name, at most `limit`), and whether more
    matched than are listed."""

    text: str
    customers: list[Customer] = field(default_factory=list)
    more: bool = False
    by_name: bool = False
    # False: customers found by a wider search, to choose from, none taken unasked.
    named: bool = True

    @property
    def one(self) -> Customer | None:
        """The customer `text` names without doubt, or None."""
        if self.named and len(self.customers) == 1 and not self.more:
            return self.customers[0]
        return None

    @property
    def cut_short(self) -> str:
        """When a name matched more customers than are kept, what to say wherever the
        kept ones' invoices are counted or exported as if they were all; else ""."""
        if not (self.by_name and self.more):
            return ""
        return (f"More than {len(self.customers)} customers have “{self.text}” in their "
                f"name: only the first {len(self.customers)}’s invoices are included. "
                "Type more of the name to narrow it.")  # fmt: skip


def match_customers(
    text: str, queryset: QuerySet[Customer] | None = None, *, limit: int | None = None
) -> CustomerMatch:
    """An ID or account email names one customer (text shaped like one is looked for
    as nothing else); anything else is a name, matched
    anywhere in any case (customers' own name search, indexed), at most `limit` of them
    (NAME_MATCHES by default: the query stops there), sorted by name."""
    text = text.strip()
    queryset = Customer.objects.all() if queryset is None else queryset
    limit = NAME_MATCHES if limit is None else limit
    if not text:
        return CustomerMatch(text)
    exact = list(customers_by_reference(text, queryset)[:2])
    if exact or names_one_by_reference(text):
        return CustomerMatch(text, exact)
    # Sorted by the database before the slice: the `limit` kept are the first by name.
    named = list(filter_name(queryset, text).order_by(*BY_NAME)[: limit + 1])
    return CustomerMatch(text, named[:limit], more=len(named) > limit, by_name=True)


def names_one_by_reference(text: str) -> bool:
    """An ID (cus_…) or an email (with an @) is not looked for in names."""
    return text.startswith("cus_") or "@" in text


def customer_to_invoice(text: str, *, limit: int = 8) -> CustomerMatch:
    """The live customer Create invoice is for: one named by ID or email, the only one
    whose name contains `text`, or else the only one whose whole name it is (“Globex”
    beside “Globex Holdings”). Otherwise `.customers` lists the ones to choose from,
    found by the customer search (name, email, ID, description, metadata…)."""
    live = Customer.objects.live()
    match = match_customers(text, live, limit=limit)
    if match.one is not None or not match.text:
        return match
    whole = list(live.filter(name_key=match.text.casefold())[:2])
    if len(whole) == 1:
        return CustomerMatch(match.text, whole, by_name=True)
    found = list(search_customers(live, match.text).order_by(*BY_NAME)[: limit + 1])
    return CustomerMatch(match.text, found[:limit], more=len(found) > limit, named=False)
