"""Stripe's search query language for customers (GET /v1/customers/search), read into
clauses and answered by the Customers page's own filters and indexes.

The language (https://docs.stripe.com/search): clauses `field<operator>value`, joined
by spaces or AND, or by OR (either, never both; no parentheses), at most 10; `-` before
a clause negates it. Customers' fields: `email`, `name`, `phone` (strings: `:` exact,
`~` substring of at least 3 characters, both ignoring case), `metadata['key']` (token:
`:` only) and `created` (numeric: `:` `>` `<` `>=` `<=`, Unix seconds). String values
are quoted ("…" or '…', a backslash escapes the next character); numbers may be.
`field:null` matches an empty field or, for metadata, a missing key.

Unlike Stripe: `name:`/`email:` match the whole value (Stripe's matches a value holding
the words in order, so name:"Jane" finds "Jane Doe"), and metadata values match in
case, as the Customers page's metadata filter does.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from customers.models import Customer
from customers.search import filter_metadata, filter_name, search_customers

from .errors import invalid_parameter
from .params import LAST_TIMESTAMP

FIELD_TYPES = {"created": "numeric", "email": "string", "metadata": "token", "name": "string",
               "phone": "string"}  # fmt: skip
OPERATORS_BY_TYPE = {
    "numeric": (":", ">", "<", ">=", "<="),
    "string": (":", "~"),
    "token": (":",),
}
MAX_CLAUSES = 10
SUBSTRING_MIN = 3


@dataclass(frozen=True)
class Clause:
    field: str  # a key of FIELD_TYPES
    operator: str  # one of OPERATORS_BY_TYPE[its type]
    value: str | int | None  # int for `created`; None is `null`
    key: str = ""  # metadata's key
    negated: bool = False


@dataclass(frozen=True)
class Query:
    clauses: list[Clause]
    joiner: str  # "AND" or "OR"


def customers_matching(query: str) -> QuerySet[Customer]:
    """The live customers the query matches, newest first (-created, -id: the Customers
    page's default order). Raises ApiError (param "query") for a query it cannot read."""
    parsed = parse(query)
    live: QuerySet[Customer] = Customer.objects.live()
    if parsed.joiner == "AND":
        customers = live
        for clause in parsed.clauses:
            customers = _narrow(customers, clause)
    else:
        # Each clause its own subquery, so each is served by its own index.
        either = Q()
        for clause in parsed.clauses:
            either |= Q(pk__in=_narrow(live, clause).values("pk"))
        customers = live.filter(either)
    return customers.order_by("-created", "-id")


def parse(query: str) -> Query:
    """The query's clauses and how they are joined; ApiError on a syntax error, naming
    the character (counted from 1) where it is."""
    return _Parser(query).query()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text, self.at = text, 0

    def query(self) -> Query:
        clauses: list[Clause] = []
        joiners: set[str] = set()
        self.skip_spaces()
        if self.at == len(self.text):
            raise self.error("The query is empty")
        while True:
            if len(clauses) == MAX_CLAUSES:
                raise self.error(f"A query has at most {MAX_CLAUSES} clauses")
            clauses.append(self.clause())
            if self.at == len(self.text):
                break
            if not self.skip_spaces():
                raise self.error("Separate clauses with a space, AND or OR")
            if self.at == len(self.text):
                break
            joiner_at = self.at
            joiners.add(self.joiner())
            if len(joiners) > 1:
                self.at = joiner_at
                raise self.error("A query can use AND or OR, not both")
        return Query(clauses, joiners.pop() if joiners else "AND")

    def joiner(self) -> str:
        """AND or OR (any case) and the spaces after it; a bare space is an AND."""
        word = self.text[self.at :].split(maxsplit=1)[0].upper()
        if word not in ("AND", "OR"):
            return "AND"
        self.at += len(word)
        if not self.skip_spaces() or self.at == len(self.text):
            raise self.error(f"Expected a clause after {word}")
        return word

    def clause(self) -> Clause:
        negated = self.text.startswith("-", self.at)
        if negated:
            self.at += 1
        field_at = self.at
        field = self.name()
        kind = FIELD_TYPES.get(field)
        if kind is None:
            self.at = field_at
            supported = ", ".join(FIELD_TYPES)
            raise self.error(f"Unsupported field {field!r}: search customers by {supported}")
        key = self.metadata_key() if field == "metadata" else ""
        operator_at = self.at
        operator = self.operator()
        if operator not in OPERATORS_BY_TYPE[kind]:
            self.at = operator_at
            raise self.error(f"{field} does not take the operator {operator!r}")
        value_at = self.at
        value = self.value(kind)
        self.check(field, kind, operator, value, value_at)
        return Clause(field, operator, value, key, negated)

    def name(self) -> str:
        start = self.at
        while self.at < len(self.text) and (
            self.text[self.at].isalnum() or self.text[self.at] in "_."
        ):
            self.at += 1
        if self.at == start:
            raise self.error("Expected a field name")
        return self.text[start : self.at]

    def metadata_key(self) -> str:
        if not self.text.startswith("[", self.at):
            raise self.error("Name the metadata key like metadata['key']")
        self.at += 1
        if self.at == len(self.text) or self.text[self.at] not in "\"'":
            raise self.error("Quote the metadata key")
        key = self.quoted()
        if not key:
            raise self.error("The metadata key is empty")
        if not self.text.startswith("]", self.at):
            raise self.error("Expected ] after the metadata key")
        self.at += 1
        return key

    def operator(self) -> str:
        for operator in (">=", "<=", ":", "~", ">", "<"):
            if self.text.startswith(operator, self.at):
                self.at += len(operator)
                return operator
        raise self.error("Expected an operator (: ~ > < >= <=) after the field")

    def value(self, kind: str) -> str | int | None:
        if self.at < len(self.text) and self.text[self.at] in "\"'":
            quoted_at = self.at
            text = self.quoted()
            if kind == "numeric":
                return self.number(text, quoted_at)
            return text
        start = self.at
        while self.at < len(self.text) and not self.text[self.at].isspace():
            self.at += 1
        word = self.text[start : self.at]
        if not word:
            raise self.error("Expected a value")
        if word.lower() == "null":
            return None
        if kind == "numeric":
            return self.number(word, start)
        self.at = start
        raise self.error('Quote string values, like "value"')

    def quoted(self) -> str:
        """The string between quotes at self.at; a backslash takes the next character
        as it is."""
        opening_at, quote = self.at, self.text[self.at]
        self.at += 1
        characters = []
        while self.at < len(self.text):
            character = self.text[self.at]
            if character == "\\" and self.at + 1 < len(self.text):
                characters.append(self.text[self.at + 1])
                self.at += 2
            elif character == quote:
                self.at += 1
                return "".join(characters)
            else:
                characters.append(character)
                self.at += 1
        self.at = opening_at
        raise self.error("This quote is never closed")

    def number(self, text: str, at: int) -> int:
        if not text.isascii() or not text.isdigit() or int(text) > LAST_TIMESTAMP:
            self.at = at
            raise self.error("Expected a Unix timestamp in seconds")
        return int(text)

    def check(self, field: str, kind: str, operator: str, value: object, at: int) -> None:
        if value is None and (kind == "numeric" or operator != ":"):
            self.at = at
            raise self.error(f"{field}{operator}null is not a search")
        if operator == "~" and isinstance(value, str) and len(value) < SUBSTRING_MIN:
            self.at = at
            raise self.error(f"Search a substring of at least {SUBSTRING_MIN} characters")

    def skip_spaces(self) -> bool:
        start = self.at
        while self.at < len(self.text) and self.text[self.at].isspace():
            self.at += 1
        return self.at > start

    def error(self, problem: str) -> Exception:
        return invalid_parameter(
            "query", f"Invalid query: {problem} (at character {self.at + 1}: {self.text!r})."
        )


def _narrow(customers: QuerySet[Customer], clause: Clause) -> QuerySet[Customer]:
    if not clause.negated:
        return _matching(customers, clause)
    # As a subquery of live customers, which the partial search indexes cover.
    return customers.exclude(pk__in=_matching(Customer.objects.live(), clause).values("pk"))


def _matching(customers: QuerySet[Customer], clause: Clause) -> QuerySet[Customer]:
    field, operator, value = clause.field, clause.operator, clause.value
    if field == "created":
        assert isinstance(value, int)
        return customers.filter(**created_range(operator, value))
    if field == "metadata":
        if value is None:
            return customers.exclude(metadata__has_key=clause.key)
        return filter_metadata(customers, clause.key, str(value))
    if value is None:
        # Stripe's null is our empty string: these fields are blank, never NULL.
        return customers.filter(**{field: ""})
    text = str(value)
    if operator == "~":
        if field == "name":
            return filter_name(customers, text)
        if field == "email":
            # The search index narrows to rows holding the text somewhere (name,
            # email, description, ID, metadata); the email test keeps the right ones.
            return search_customers(customers, text).filter(email__icontains=text)
        return customers.filter(phone__icontains=text)  # no index: phone is not searched
    if field in ("email", "name"):
        # The case-folded copies the Customers page's email filter and sort use.
        return customers.filter(**{f"{field}_key": text.casefold()})
    return customers.filter(phone=text)


def created_range(operator: str, seconds: int) -> dict[str, datetime.datetime]:
    """`created` holds microseconds but the API shows whole seconds: a customer made at
    12.5 s shows 12, so it is created:12 and <=12, and not >12."""
    start = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    end = start + datetime.timedelta(seconds=1)
    return {
        ":": {"created__gte": start, "created__lt": end},
        ">": {"created__gte": end},
        ">=": {"created__gte": start},
        "<": {"created__lt": start},
        "<=": {"created__lt": end},
    }[operator]
