"""Global search: the one box (`/`, Ctrl-K) that finds customers, invoices and credit
notes. Customers are found by customers.search's own rules (name, email, ID, metadata
and what else it searches); invoices and credit notes by number or ID. Each kind is
shown only to a user who may view it."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q

from customers.models import Customer
from customers.search import search_customers

from .models import CreditNote, Invoice

SHOWN = 5  # of each kind in the search dialog
SHOWN_ON_PAGE = 20  # of each kind on the search page
MAX_LENGTH = 200  # longer text is cut: no number, ID or name is this long


@dataclass
class SearchResults:
    text: str
    customers: list[Customer] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    credit_notes: list[CreditNote] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.customers or self.invoices or self.credit_notes)

    @property
    def count(self) -> int:
        """How many results are shown, of every kind."""
        return len(self.customers) + len(self.invoices) + len(self.credit_notes)


def global_search(*, text: str, user: User | AnonymousUser, limit: int = SHOWN) -> SearchResults:
    """At most `limit` of each kind the user may see, newest first."""
    text = text.strip()[:MAX_LENGTH]
    results = SearchResults(text=text)
    if not text:
        return results
    if user.has_perm("customers.view_customer"):
        found = search_customers(Customer.objects.live(), text)
        results.customers = list(found.order_by("-created", "-pk")[:limit])
    if user.has_perm("billing.view_invoice"):
        invoices = Invoice.objects.filter(number_or_id(text)).select_related("customer")
        results.invoices = list(invoices.order_by("-created", "-pk")[:limit])
    if user.has_perm("billing.view_creditnote"):
        notes = CreditNote.objects.filter(number_or_id(text)).select_related("invoice__customer")
        results.credit_notes = list(notes.order_by("-created", "-pk")[:limit])
    return results


def number_or_id(text: str) -> Q:
    """A document whose number is or begins with `text` (numbers are upper case), as the
    Invoices page's Number filter, or whose ID is `text`. Not "contains": that reads every
    row on each keystroke of a name, which matches no number."""
    return Q(number__startswith=text.upper()) | Q(public_id=text)
