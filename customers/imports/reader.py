"""Reads an uploaded CSV or XLSX file into a header and numbered rows of text cells.

Real files come from spreadsheets and other billing systems: UTF-8 with or without a
byte order mark (else Latin-1), commas or semicolons, quoted cells with line breaks,
blank lines at the end. Anything we cannot read raises ImportFileError with a message
for the person who uploaded the file.
"""

import codecs
import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
MAX_CELL = 10_000  # characters; metadata values and descriptions are far shorter
XLSX_MAGIC = b"PK\x03\x04"


class ImportFileError(ValueError):
    pass


@dataclass
class Table:
    header: list  # column names as written, stripped
    rows: object  # iterator of (line number, list of cells)
    row_count: int  # data rows, blank lines left out


def read_table(data, file_name=""):
    if not data.strip():
        raise ImportFileError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            f"The file is {len(data) / 1024 / 1024:.0f} MB; files up to "
            f"{MAX_BYTES // 1024 // 1024} MB can be imported. Split it into smaller files."
        )
    if data.startswith(XLSX_MAGIC) or file_name.lower().endswith(".xlsx"):
        table = _read_xlsx(data)
    else:
        table = _read_csv(data)
    if table.row_count > MAX_ROWS:
        raise ImportFileError(
            f"The file has {table.row_count:,} rows; up to {MAX_ROWS:,} can be imported at "
            "once. Split it into smaller files."
        )
    names = [name.casefold() for name in table.header]
    if not any(table.header):
        raise ImportFileError("The first row must name the columns, like id,name,email.")
    repeated = sorted({n for n in table.header if n and names.count(n.casefold()) > 1})
    if repeated:
        raise ImportFileError(f"The column {repeated[0]} appears more than once in the header.")
    return table


def encoding_of(data):
    """UTF-8 (a byte order mark is dropped), else Latin-1 (Windows-1252), which every
    byte sequence decodes as."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:  # a megabyte at a time: the rows themselves are decoded as they are read
        for start in range(0, len(data), 1 << 20):
            decoder.decode(view[start : start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _read_csv(data):
    encoding = encoding_of(data)
    first_line = data[:65536].split(b"\n", 1)[0].decode(encoding, errors="replace")
    # Spreadsheets in locales with a decimal comma write semicolons.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        header = next(_csv_reader(data, encoding, delimiter), [])
        row_count = sum(1 for cells in _csv_reader(data, encoding, delimiter) if _filled(cells))
    except csv.Error as error:
        raise ImportFileError(f"This is not a CSV file we can read ({error}).") from None
    rows = _csv_rows(data, encoding, delimiter)
    return Table([cell.strip() for cell in header], rows, max(0, row_count - _filled(header)))


def _csv_reader(data, encoding, delimiter):
    """Decodes the rows as they are read rather than the file as one string (4 bytes a
    character once a file has an accented letter)."""
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline="")
    return csv.reader(text, delimiter=delimiter)


def _filled(cells):
    return bool("".join(cells).strip())


def _csv_rows(data, encoding, delimiter):
    """(line number, cells) of each non-blank row after the header."""
    reader = _csv_reader(data, encoding, delimiter)
    line = 1
    try:
        next(reader, None)
        line = reader.line_num + 1
        for cells in reader:
            if _filled(cells):
                if (longest := max(map(len, cells))) > MAX_CELL:
                    raise ImportFileError(
                        f"Line {line}: a cell has {longest:,} characters; "
                        f"cells can have up to {MAX_CELL:,}."
                    )
                yield line, cells
            line = reader.line_num + 1  # the next row starts after this one's last line
    except csv.Error as error:
        raise ImportFileError(f"Line {line}: {error}.") from None


def _read_xlsx(data):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ImportFileError("This is not an XLSX workbook we can read.") from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_xlsx_text(cell).strip() for cell in next(rows, ())]
    while header and not header[-1]:
        header.pop()
    row_count = max(0, (sheet.max_row or 1) - 1)

    def numbered():
        for line, cells in enumerate(rows, start=2):
            texts = [_xlsx_text(cell) for cell in cells]
            if any(text.strip() for text in texts):
                yield line, texts

    return Table(header, numbered(), row_count)


def _xlsx_text(value):
    """A cell as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(str(value)), "f")
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):  # openpyxl reads date cells as midnight
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
