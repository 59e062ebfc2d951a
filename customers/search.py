"""Free-text search (name, email, description, ID and metadata values, and exactly a
tax ID or external ID) and the metadata key=value filter, fast at a million customers
on both databases.

Migration 0003 builds the indexes: an FTS5 trigram table on SQLite, pg_trgm and
jsonb GIN indexes on PostgreSQL. Trigrams find substrings in any case, like
`icontains`, which serves terms too short for them.

On SQLite a page of results is read one of two ways, chosen by how many rows the
FTS index matches (it answers in milliseconds, bounded by FEW_MATCHES):
- up to FEW_MATCHES: read the matching rows by ID and sort them;
- more: walk the page's sort index testing each row with LIKE, which stops after
  one page of hits (reading every match out of FTS would take longer). At this
  density a page is found within a few thousand rows, unless the matches all sit
  at the far end of the sort order.
Counting always uses the FTS index. Figures at a million rows: README, Performance.

Tax IDs and external IDs live in tables of their own: the whole text is looked up
there first (two index lookups, at most IDENTIFIER_MATCHES customers each) and the
customers found are added to the matches by primary key, which both databases
combine with the text index (a subquery in the OR would make PostgreSQL scan).
"""

from typing import Any, TypeVar

from django.db import connections
from django.db.models import Q, QuerySet, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Lower

from . import sql
from .models import Customer, CustomerAlias, TaxId
from .triggers import SEARCH_FIELDS

SEARCH_PHRASE = "{" + " ".join([*SEARCH_FIELDS, "metadata_values"]) + "}: "
FEW_MATCHES = 50_000
IDENTIFIER_MATCHES = 50

QS = TypeVar("QS", bound=QuerySet[Any])


def search_customers(
    queryset: QuerySet[Customer], text: str, *, counting: bool = False
) -> QuerySet[Customer]:
    text = text.strip()
    if not text:
        return queryset
    vendor = connections[queryset.db].vendor
    identified = _identified(queryset.db, text)
    if len(text) >= 3 and vendor == "postgresql":
        return queryset.alias(search_document=sql.search_document()).filter(
            Q(search_document__contains=text.lower()) | identified
        )
    scan = Q(metadata_values__icontains=text)
    for field in SEARCH_FIELDS:
        scan |= Q(**{f"{field}__icontains": text})
    queryset = queryset.alias(metadata_values=sql.metadata_values(vendor))
    if len(text) >= 3 and vendor == "sqlite":
        phrase = SEARCH_PHRASE + _fts_phrase(text)
        return _sqlite_filter(queryset, phrase, scan, counting, also=identified)
    return queryset.filter(scan | identified)


def _identified(using: str, text: str) -> Q:
    """The customers whose tax ID or external ID is `text` (a tax ID as it is stored:
    capitals, no spaces unless its format has them), by primary key; Q() for none."""
    spaced = " ".join(text.split()).upper()
    tax_id_forms = {spaced, spaced.replace(" ", "")}
    by_tax_id = TaxId.objects.using(using).filter(value__in=tax_id_forms)
    by_alias = CustomerAlias.objects.using(using).filter(alias=text)
    ids = {
        *by_tax_id.values_list("customer_id", flat=True)[:IDENTIFIER_MATCHES],
        *by_alias.values_list("customer_id", flat=True)[:IDENTIFIER_MATCHES],
    }
    return Q(pk__in=sorted(ids)) if ids else Q()


def filter_name(
    queryset: QuerySet[Customer], text: str, *, counting: bool = False
) -> QuerySet[Customer]:
    """Customers whose name contains `text`, in any case."""
    text = text.strip()
    vendor = connections[queryset.db].vendor
    if len(text) >= 3 and vendor == "postgresql":
        # lower(name) LIKE '%text%' is what the customer_name_trgm index serves.
        return queryset.alias(name_lower=Lower("name")).filter(name_lower__contains=text.lower())
    scan = Q(name__icontains=text)
    if len(text) >= 3 and vendor == "sqlite":
        return _sqlite_filter(queryset, "{name}: " + _fts_phrase(text), scan, counting)
    return queryset.filter(scan)


def filter_metadata(
    queryset: QuerySet[Customer], key: str, value: str, *, counting: bool = False
) -> QuerySet[Customer]:
    """Customers whose metadata has `key` set to exactly `value`."""
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        return queryset.filter(metadata__contains={key: value})
    # KeyTextTransform keeps a key like "a__b" one key, not a path; Cast makes
    # the value compare as text, not as JSON.
    exact = Cast(KeyTextTransform(key, "metadata"), TextField())
    matching = queryset.alias(metadata_match=exact)
    if vendor == "sqlite" and len(key) + 1 + len(value) >= 3:
        # The FTS pair narrows the rows; the exact test drops look-alikes (key=value2).
        phrase = "{metadata_pairs}: " + _fts_phrase(f"{key}={value}")
        matching = _sqlite_filter(matching, phrase, Q(), counting)
    return matching.filter(metadata_match=value)


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _sqlite_filter(queryset: QS, phrase: str, scan: Q, counting: bool, also: Q | None = None) -> QS:
    """`also`: more matches by primary key (a short list), or None."""
    also = also or Q()
    if not counting:
        matched = sql.fts_match_count(queryset.db, phrase, limit=FEW_MATCHES + 1)
        if matched > FEW_MATCHES:
            return queryset.filter(scan | also)
    return queryset.filter(Q(pk__in=sql.fts_matches(phrase)) | also)
