"""Which customer field each column of an import file fills.

Two layouts are understood: our own export (`customers.resources.COLUMNS` and
`metadata[key]`), so an edited export re-imports as updates, and the Stripe Dashboard's
customer export (`id,Description,Email,Name,Created (UTC),…` and `key (metadata)`), so a
company can move from Stripe. In a Stripe file `id` is Stripe's ID: it is kept as the
customer's external ID and matches on the next import of the same file.
"""

import re
from dataclasses import dataclass, field

from ..resources import COLUMNS

OWN_METADATA = re.compile(r"^metadata\[(.+)\]$")
STRIPE_METADATA = re.compile(r"^(.+) \(metadata\)$")

# Stripe column names (compared case-folded, spaces and underscores alike) → our fields.
STRIPE_COLUMNS = {
    "description": "description",
    "email": "email",
    "name": "name",
    "created (utc)": "created",
    "phone": "phone",
    "address line1": "address_line1",
    "address line2": "address_line2",
    "address city": "address_city",
    "address state": "address_state",
    "address country": "address_country",
    "address zip": "address_postal_code",
    "address postal code": "address_postal_code",
    "shipping name": "shipping_name",
    "shipping phone": "shipping_phone",
    "shipping address line1": "shipping_line1",
    "shipping address line2": "shipping_line2",
    "shipping address city": "shipping_city",
    "shipping address state": "shipping_state",
    "shipping address country": "shipping_country",
    "shipping address zip": "shipping_postal_code",
    "shipping address postal code": "shipping_postal_code",
    "preferred locales": "preferred_locales",
    "currency": "default_currency",
    "tax exempt": "tax_exempt",
    "invoice prefix": "invoice_prefix",
}


@dataclass
class Layout:
    stripe: bool
    fields: dict[int, str] = field(default_factory=dict)  # column index → field name
    metadata: dict[int, str] = field(default_factory=dict)  # column index → metadata key
    id_column: int | None = None
    ignored: list[str] = field(default_factory=list)  # column names no field takes

    @property
    def names(self) -> set[str]:
        return set(self.fields.values())


def _folded(name: str) -> str:
    return " ".join(name.casefold().replace("_", " ").split())


def is_stripe_export(header: list[str]) -> bool:
    return any(name == "Created (UTC)" or STRIPE_METADATA.match(name) for name in header) or (
        "Description" in header and "description" not in header
    )


def layout_for(header: list[str]) -> Layout:
    stripe = is_stripe_export(header)
    layout = Layout(stripe=stripe)
    own = {name: name for name in COLUMNS if name not in ("id", "created")}
    own["created"] = "created"
    for index, name in enumerate(header):
        if not name:
            continue
        if name.casefold() == "id":
            layout.id_column = index
            continue
        pattern = STRIPE_METADATA if stripe else OWN_METADATA
        if match := pattern.match(name):
            layout.metadata[index] = match[1].strip()
            continue
        target = STRIPE_COLUMNS.get(_folded(name)) if stripe else own.get(name.casefold())
        if target and target not in layout.names:
            layout.fields[index] = target
        else:
            layout.ignored.append(name)
    return layout
