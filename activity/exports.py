"""How an entry reads as text (its detail, its changes, on the page and in the export),
and the CSV export of a section: streamed in constant memory, newest first as the
section shows them, text cells neutralised against spreadsheet formulas."""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils.text import Truncator

from core.exports import csv_download, export_filename, neutralise
from core.money_format import format_money

from .kinds import KINDS
from .models import Entry

HEADER = ["created", "kind", "description", "customer", "invoice", "object", "changes",
          "actor", "source"]  # fmt: skip
# A value of a change, or a detail, longer than this is cut with "…".
SHORT = 80
SYSTEM = "System"  # who made an entry nobody is named for
# An email entry's "reminder", as billing's DocumentEmailReminder says it.
EMAIL_REMINDERS = {"before_due": "before the due date", "after_due": "after the due date"}


def plain(value: Any) -> str:
    """A value as short text: "—" for nothing, lists joined, dicts as "key: value"."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Mapping):
        value = "; ".join(f"{key}: {plain(item)}" for key, item in value.items())
    elif isinstance(value, list | tuple):
        value = ", ".join(plain(item) for item in value)
    return Truncator(str(value)).chars(SHORT)


def detail(data: Mapping[str, Any]) -> str:
    """What an entry's data says beyond its kind, number and amount, in a line: the
    name, tax ID, addressees, counts, description and error it holds."""
    parts = []
    if data.get("name"):
        parts.append(plain(data["name"]))
    if data.get("value"):
        parts.append(plain(f"{data.get('type') or ''} {data['value']}".strip()))
    elif data.get("type"):  # a balance transaction's: "unapplied_from_invoice"
        parts.append(plain(str(data["type"]).replace("_", " ").capitalize()))
    if data.get("kind"):  # an email's: which document, or which reminder
        parts.append(_email_kind(data))
    if data.get("to"):
        parts.append("to " + plain(data["to"]))
    if data.get("cc"):
        parts.append("cc " + plain(data["cc"]))
    if data.get("acts_as"):  # an API key's: "role Ops", "user ada"
        parts.append("acts as " + plain(data["acts_as"]))
    if data.get("counts"):
        parts.append(plain(data["counts"]))
    if data.get("description"):
        parts.append(plain(data["description"]))
    if data.get("item"):  # a pending item's
        parts.append(_line(data["item"], data.get("currency") or ""))
    if data.get("line_added"):
        parts.append("line added: " + _line(data["line_added"], data.get("currency") or ""))
    if data.get("line_removed"):
        parts.append("line removed: " + _line(data["line_removed"], data.get("currency") or ""))
    if data.get("error"):
        parts.append("error: " + plain(data["error"]))
    return " · ".join(parts)


def _email_kind(data: Mapping[str, Any]) -> str:
    """ "invoice", "credit note", "reminder after the due date"."""
    kind = plain(str(data["kind"]).replace("_", " "))
    reminder = EMAIL_REMINDERS.get(str(data.get("reminder")))
    return f"{kind} {reminder}" if reminder else kind


def changes_shown(data: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The "changes" of an entry as (label, old, new) texts; a change marked "money"
    holds minor units of the entry's currency."""
    changes = data.get("changes") or []
    if not isinstance(changes, list):
        return []
    currency = data.get("currency") or ""
    shown = []
    for change in changes:
        if not isinstance(change, Mapping):
            continue
        label = str(change.get("label") or change.get("field"))
        if change.get("money") and currency:
            shown.append((label, money_shown(change.get("old"), currency),
                          money_shown(change.get("new"), currency)))  # fmt: skip
        else:
            shown.append((label, plain(change.get("old")), plain(change.get("new"))))
    return shown


def change_lines(data: Mapping[str, Any]) -> list[str]:
    """The "changes" of an entry as "Label: old → new" lines."""
    return [f"{label}: {old} → {new}" for label, old, new in changes_shown(data)]


def money_shown(amount: Any, currency: str) -> str:
    """Minor units as money, and still something readable for a currency our table no
    longer knows (entries outlive it)."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        return plain(amount)
    try:
        return format_money(amount, currency.upper())
    except (KeyError, ValueError):  # a currency our table no longer knows
        return f"{amount} {currency} (minor units)"


def _line(line: Any, currency: str) -> str:
    """An invoice line of an entry: "Support plan × 2, $40.00"."""
    if not isinstance(line, Mapping):
        return plain(line)
    text = f"{line.get('description') or '—'} × {line.get('quantity', 1)}"
    if "amount" in line and currency:
        text += f", {money_shown(line['amount'], currency)}"
    return Truncator(text).chars(SHORT)


def description(kind: str, data: Mapping[str, Any]) -> str:
    """ "Invoice paid INV-0001 12.50 USD": the kind's label, number, amount and detail."""
    parts = [KINDS.get(kind, kind)]
    if data.get("number"):
        parts.append(str(data["number"]))
    amount, currency = data.get("amount"), data.get("currency")
    if isinstance(amount, int) and isinstance(currency, str) and currency:
        parts.append(money_shown(amount, currency))
    text = " ".join(parts)
    more = detail(data)
    return f"{text} · {more}" if more else text


def entry_rows(entries: QuerySet[Entry]) -> Iterator[Sequence[object]]:
    """The header, then one list of cells per entry, newest first, text neutralised."""
    yield HEADER
    rows = entries.order_by("-id").values_list(
        "created", "kind", "data", "customer", "invoice", "object_id", "actor", "source"
    )
    for created, kind, data, customer, invoice, object_id, actor, source in rows.iterator(
        chunk_size=2000
    ):
        data = data if isinstance(data, dict) else {}
        texts = [description(kind, data), customer, invoice, object_id,
                 "; ".join(change_lines(data)), actor or SYSTEM]  # fmt: skip
        yield [created.isoformat(timespec="seconds"), kind,
               *(neutralise(text) for text in texts), source]  # fmt: skip


def entries_csv_response(entries: QuerySet[Entry], *, scope: str = "") -> StreamingHttpResponse:
    """The entries as a CSV download named after what they are the activity of:
    "cus_…-activity-20261204-013000.csv", or "activity-….csv" for the whole trail."""
    noun = f"{scope}-activity" if scope else "activity"
    return csv_download(entry_rows(entries), export_filename(noun, "csv"))
