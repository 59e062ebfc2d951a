"""What the parts of an XLSX workbook hold, read by callbacks of defusedxml's parser
(customers/imports/xlsx.py feeds them): a part's relationships, the workbook's first
sheet, the styles that show dates, the shared strings and the sheet's rows. None keeps
a tree; each counts how deep the tags nest, and the sheet and its strings count cells
and characters as they come."""

import datetime
from array import array
from decimal import Decimal
from posixpath import dirname, join, normpath

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import from_excel, from_ISO8601

from .table import ImportFileError

# Tags as expat names them ("namespace}name").
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ROW, CELL, VALUE, TEXT = f"{MAIN}row", f"{MAIN}c", f"{MAIN}v", f"{MAIN}t"
PHONETIC, STRING, DIMENSION = f"{MAIN}rPh", f"{MAIN}si", f"{MAIN}dimension"
RELATIONSHIP = "http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
RELATION_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

# expat keeps every open tag: a workbook's nest 6 deep; 30 MB of <a> took 1.2 GB.
MAX_DEPTH = 64
MAX_STYLES = 65_536  # Excel has at most 64,000; a later style reads as a plain number
UNREADABLE = "This is not an XLSX workbook we can read"
# Excel's columns, A to XFD.
COLUMNS = {get_column_letter(number): number for number in range(1, 16385)}


def _too_deep() -> ImportFileError:
    return ImportFileError(f"{UNREADABLE} (its XML is nested more than {MAX_DEPTH} deep).")


class PartReader:
    """Parser callbacks for a small part: `opened` sees each tag."""

    done = False
    depth = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _too_deep()
        self.opened(tag, attrib)

    def opened(self, tag: str, attrib: dict[str, str]) -> None:
        raise NotImplementedError  # each part says what it makes of a tag

    def end(self, tag: str) -> None:
        self.depth -= 1

    def data(self, text: str) -> None:
        pass


class Relationships(PartReader):
    """The (type, path) of each relationship `wanted` (by type or ID), the first one."""

    def __init__(self, source: str, *wanted: str | None) -> None:
        self.base = dirname(source.replace("_rels/", "").removesuffix(".rels"))
        self.found: dict[str | None, tuple[str, str] | None] = dict.fromkeys(wanted)

    def opened(self, tag: str, attrib: dict[str, str]) -> None:
        if tag != RELATIONSHIP:
            return
        kind = attrib.get("Type", "").rpartition("/")[2]
        for key in (attrib.get("Id"), kind):
            if key in self.found and not self.found[key]:
                target = attrib.get("Target", "")
                path = target[1:] if target.startswith("/") else join(self.base, target)
                self.found[key] = (kind, normpath(path))


class Workbook(PartReader):
    """The first sheet's relationship ID, and whether dates count from 1904."""

    sheet_id: str | None = None
    date1904 = False

    def opened(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == f"{MAIN}workbookPr":
            self.date1904 = attrib.get("date1904", "0").lower() in ("1", "true")
        elif tag == f"{MAIN}sheet" and not self.done:
            self.sheet_id = attrib.get(RELATION_ID)
            self.done = True


class Styles(PartReader):
    """Which cell styles (their index, as a cell's `s` writes it) show a date, and which
    of those a duration."""

    def __init__(self) -> None:
        # custom number format ID → (a date, a duration)
        self.formats: dict[str | None, tuple[bool, bool]] = {}
        self.dates: set[str] = set()
        self.durations: set[str] = set()
        self.index: int | None = None  # of the next <xf> inside <cellXfs>

    def opened(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == f"{MAIN}numFmt" and len(self.formats) < MAX_STYLES:
            code: str | None = attrib.get("formatCode", "")
            self.formats[attrib.get("numFmtId")] = is_date_format(code), is_timedelta_format(code)
        elif tag == f"{MAIN}cellXfs":
            self.index = 0
        elif tag == f"{MAIN}xf" and self.index is not None and self.index < MAX_STYLES:
            format_id = attrib.get("numFmtId", "0")
            code = BUILTIN_FORMATS.get(int(format_id)) if format_id.isdigit() else None
            date, duration = self.formats.get(format_id) or (
                (is_date_format(code), is_timedelta_format(code)) if code else (False, False)
            )
            if date:
                self.dates.add(str(self.index))
            if date and duration:
                self.durations.add(str(self.index))
            self.index += 1

    def end(self, tag: str) -> None:
        self.depth -= 1
        if tag == f"{MAIN}cellXfs":
            self.index = None


class SharedStrings:
    """A workbook's shared strings in one UTF-8 buffer with their end offsets: 4 bytes a
    string rather than a Python object of ~50. 51 million empty ones (<si/>, a 256 MB
    part) take 205 MB; text takes what it took in the part (1.5 times as much if the
    part is UTF-16, which Excel never writes)."""

    def __init__(self) -> None:
        self.text = bytearray()
        self.ends = array("I")  # offsets below 4 GB: the part is smaller than that

    def append(self, text: str) -> None:
        self.text += text.encode()
        self.ends.append(len(self.text))

    def __getitem__(self, index: int) -> str:
        start = self.ends[index - 1] if index else 0
        return self.text[start : self.ends[index]].decode()

    def __len__(self) -> int:
        return len(self.ends)


def _too_long(cell: str, max_cell: int) -> ImportFileError:
    return ImportFileError(
        f"{cell} has more than {max_cell:,} characters; cells can have up to {max_cell:,}."
    )


class SharedStringsReader(PartReader):
    def __init__(self, strings: SharedStrings, max_cell: int) -> None:
        self.strings, self.max_cell = strings, max_cell
        self.item: list[str] = []  # the current string's text so far
        self.length = 0
        self.collecting = self.phonetic = False

    def opened(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == TEXT:
            self.collecting = not self.phonetic  # a phonetic guide is no part of it
        elif tag == PHONETIC:
            self.phonetic = True

    def data(self, text: str) -> None:
        if self.collecting:
            self.length += len(text)
            if self.length > self.max_cell:
                raise _too_long("A cell of this workbook", self.max_cell)
            self.item.append(text)

    def end(self, tag: str) -> None:
        self.depth -= 1
        if tag == TEXT:
            self.collecting = False
        elif tag == STRING:
            self.strings.append("".join(self.item))
            self.item, self.length = [], 0
        elif tag == PHONETIC:
            self.phonetic = False


class SheetReader:
    """Turns a worksheet's XML into finished rows of text (`rows`, emptied by the caller
    after each chunk). A cell's text is counted as it comes and a row's width as its
    cells come: each stops at its limit before anything more is kept."""

    done = False

    def __init__(
        self,
        strings: SharedStrings,
        styles: Styles,
        epoch: datetime.datetime,
        max_columns: int,
        max_cell: int,
        max_text: int,
    ) -> None:
        self.strings, self.styles, self.epoch = strings, styles, epoch
        self.max_columns, self.max_cell = max_columns, max_cell
        # The text all cells hand over: a shared string is stored once but becomes a new
        # string in every cell that names it, so a tiny file could otherwise yield gigabytes.
        self.max_text, self.text_total = max_text, 0
        self.rows: list[tuple[int, list[str]]] = []
        self.dimension_rows = 0
        self.depth = 0
        self.line = 0  # the current row's number
        self.cells: list[str] = []
        self.column = 0  # the current cell's, and its type and style
        self.kind: str | None = None
        self.style: str | None = None
        self.value: list[str] | None = (
            None  # the cell's text pieces, once its <v> (inline: <t>) opened
        )
        self.length = 0
        self.collecting = self.phonetic = False

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _too_deep()
        if tag == CELL:
            reference = attrib.get("r")
            self.column = _column(reference, self.line) if reference else self.column + 1
            self.kind = attrib.get("t", "n")
            self.style = attrib.get("s")
            self.value, self.length = None, 0
        elif tag == (TEXT if self.kind == "inlineStr" else VALUE) and not self.phonetic:
            if self.value is None:
                self.value = []
            self.collecting = True
        elif tag == ROW:
            number = attrib.get("r")
            self.line = _number(number) if number else self.line + 1
            self.column = 0
        elif tag == PHONETIC:
            self.phonetic = True
        elif tag == DIMENSION:  # ref="A1:AD100001"
            last = attrib.get("ref", "").rpartition(":")[2].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            self.dimension_rows = int(last) if last.isdigit() and len(last) < 10 else 0

    def data(self, text: str) -> None:
        if self.collecting:
            self.length += len(text)
            if self.length > self.max_cell:
                raise _too_long(f"Line {self.line}: a cell", self.max_cell)
            assert self.value is not None  # collecting starts once <v> (or <t>) opened
            self.value.append(text)

    def end(self, tag: str) -> None:
        self.depth -= 1
        if tag == CELL:
            if self.value and (text := self._text("".join(self.value))):
                self._place(text)
            self.kind = self.value = None
        elif tag in (VALUE, TEXT):
            self.collecting = False
        elif tag == ROW:
            if any(cell.strip() for cell in self.cells):
                self.rows.append((self.line, self.cells))
            self.cells = []
        elif tag == PHONETIC:
            self.phonetic = False

    def _place(self, text: str) -> None:
        self.text_total += len(text)
        if self.text_total > self.max_text:
            raise ImportFileError(
                f"The sheet holds more than {self.max_text:,} characters of text; up to "
                f"{self.max_text:,} can be imported at once. Split it into smaller files."
            )
        column, cells = self.column, self.cells
        if column > self.max_columns:
            raise ImportFileError(
                f"Line {self.line} has more than {self.max_columns:,} cells; up to "
                f"{self.max_columns:,} columns can be imported."
            )
        if column > len(cells):
            cells.extend([""] * (column - 1 - len(cells)))
            cells.append(text)
        else:
            cells[column - 1] = text

    def _text(self, raw: str) -> str:
        """The cell as the text a CSV export of it would hold, read as openpyxl reads it."""
        kind = self.kind
        if kind == "s":
            index = _number(raw)
            if not 0 <= index < len(self.strings):
                raise ImportFileError(f"{UNREADABLE} (line {self.line} names a missing text).")
            return self.strings[index]
        if kind in ("inlineStr", "str", "e"):
            return raw
        if kind == "b":
            return {"1": "true", "0": "false"}.get(raw.strip(), raw)
        try:
            if kind == "d":
                return _as_text(from_ISO8601(raw))
            number: float = float(raw) if "." in raw or "e" in raw or "E" in raw else int(raw)
            if self.style in self.styles.dates:
                duration = self.style in self.styles.durations
                return _as_text(from_excel(number, self.epoch, timedelta=duration))
            return _as_text(number)
        except (ValueError, OverflowError):  # no number or date; more digits than int() reads
            return raw


def _column(reference: str, line: int) -> int:
    """The column number of a cell reference like AB12 (or, rarely, $ab$12)."""
    letters = reference.rstrip("0123456789")
    column = COLUMNS.get(letters) or COLUMNS.get(letters.replace("$", "").upper())
    if column is None:
        raise ImportFileError(f"{UNREADABLE} (line {line} has a cell named {reference[:20]}).")
    return column


def _number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ImportFileError(f"{UNREADABLE} ({text[:20]} is not a number).") from None


def _as_text(value: object) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(str(value)), "f")
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):  # Excel's dates are datetimes at midnight
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
