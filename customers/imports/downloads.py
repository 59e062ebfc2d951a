"""CSV files the import page offers: a template to fill in, and a checked file's invalid
rows with an `error` column, to fix and upload again. Cells are neutralised as in every
export (core.exports.neutralise); the import reads them back without the quote."""

from collections.abc import Iterator

from core.exports import neutralise

from ..models import CustomerImport
from ..resources import COLUMNS
from .reader import read_table

ERROR_COLUMN = "error"
# One customer, valid as it is: the template imports cleanly (a test keeps it so).
TEMPLATE_EXAMPLE = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "description": "Analytical engines",
    "phone": "+44 20 7946 0000",
    "address_line1": "12 Analytical Row",
    "address_city": "London",
    "address_postal_code": "EC1A 1BB",
    "address_country": "GB",
    "preferred_locales": "en-GB",
    "default_currency": "GBP",
    "tax_exempt": "none",
    "tax_ids": "gb_vat:GB980780684",
    "payment_terms_days": "30",
    "next_invoice_sequence": "1",
}
# The columns of our export a new customer can be given (not its ID or creation time).
TEMPLATE_COLUMNS = [name for name in COLUMNS if name not in ("id", "created")]


def template_rows() -> list[list[str]]:
    return [
        TEMPLATE_COLUMNS,
        [str(neutralise(TEMPLATE_EXAMPLE.get(name, ""))) for name in TEMPLATE_COLUMNS],
    ]


def can_download_error_rows(customer_import: CustomerImport) -> bool:
    """Checked with invalid rows, and the file still kept (it is dropped once imported)."""
    return (
        customer_import.status == CustomerImport.Status.CHECKED
        and bool(customer_import.invalid)
        and bool(customer_import.errors)
        and bool(customer_import.data)
    )


def error_rows(customer_import: CustomerImport) -> Iterator[list[str]]:
    """The header (and `error`), then each invalid row as uploaded with its problems
    ("email: Enter a valid email address."), in file order. The rows are the ones the
    record's errors name: its first ERRORS_KEPT problems."""
    problems: dict[int, list[str]] = {}
    for error in customer_import.errors:
        text = f"{error['column']}: {error['message']}" if error["column"] else error["message"]
        problems.setdefault(error["line"], []).append(text)
    table = read_table(bytes(customer_import.data), customer_import.file_name)
    width = len(table.header)
    yield [str(neutralise(name)) for name in table.header] + [ERROR_COLUMN]
    for line, cells in table.rows:
        if line in problems:
            cells = (cells + [""] * width)[:width]  # extra cells are one of its problems
            yield [str(neutralise(cell)) for cell in [*cells, " ".join(problems[line])]]
