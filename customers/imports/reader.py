"""Reads an uploaded CSV or XLSX file into a header and numbered rows of text cells.

Real files come from spreadsheets and other billing systems: UTF-8 with or without a
byte order mark (else Latin-1), commas or semicolons, quoted cells with line breaks,
blank lines at the end. Anything we cannot read raises ImportFileError with a message
for the person who uploaded the file, and so does a file past a limit: rows, columns and
cells are counted as they are read (XLSX: customers/imports/xlsx.py), so that a file
stops at its first limit without having been read whole.
"""

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterator

from . import xlsx
from .table import ImportFileError, Rows, Table

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
# Our export has 30 columns and one a metadata key any exported customer uses; Stripe's
# has ~25 and one a key. A customer holds 50 keys at most, so only a company using
# some 470 distinct keys across its customers would reach this (and can import its
# columns in two files: a file's missing columns are left alone). Cleaning costs a
# column a row; without a limit 80,000 columns held a request for 127 s.
MAX_COLUMNS = 500
MAX_CELL = 10_000  # characters; metadata values and descriptions are far shorter
# Characters a CSV row: a valid customer's longest (50 metadata values of 500
# characters, a description and a footer of 5,000, its quotes doubled) is under
# 100,000. Refused before the csv module makes a string of each cell of it: 50 MB of
# "ab," would be 16 million strings (~1 GB).
MAX_ROW_CHARS = 1_000_000
XLSX_MAGIC = b"PK\x03\x04"


def read_table(data: bytes, file_name: str = "") -> Table:
    if not data.strip():
        raise ImportFileError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            f"The file is {len(data) / 1024 / 1024:.0f} MB; files up to "
            f"{MAX_BYTES // 1024 // 1024} MB can be imported. Split it into smaller files."
        )
    table = _read_xlsx(data) if is_xlsx(data, file_name) else _read_csv(data)
    if table.row_count > MAX_ROWS:
        raise ImportFileError(
            f"The file has {table.row_count:,} rows; up to {MAX_ROWS:,} can be imported at "
            "once. Split it into smaller files."
        )
    if not any(table.header):
        raise ImportFileError("The first row must name the columns, like id,name,email.")
    seen = Counter(name.casefold() for name in table.header if name)
    repeated = sorted(name for name in table.header if name and seen[name.casefold()] > 1)
    if repeated:
        raise ImportFileError(f"The column {repeated[0]} appears more than once in the header.")
    return table


def is_xlsx(data: bytes, file_name: str = "") -> bool:
    return data.startswith(XLSX_MAGIC) or file_name.lower().endswith(".xlsx")


def unpacked_size(data: bytes, file_name: str = "") -> int:
    """What reading the file parses: its size, or an XLSX workbook's once unpacked (a
    140 KB workbook can hold 1,000,000 rows)."""
    if not is_xlsx(data, file_name):
        return len(data)
    return xlsx.unpacked_size(data)


def encoding_of(data: bytes) -> str:
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


def _read_csv(data: bytes) -> Table:
    # PostgreSQL's text columns cannot hold NUL, and no text file has one (a UTF-16
    # one, Excel's "Unicode text", has one a character).
    if (nul := data.find(b"\x00")) != -1:
        line = data.count(b"\n", 0, nul) + 1
        raise ImportFileError(
            f"Line {line} has a NUL character (a zero byte): this is not a CSV text file. "
            "Save it as CSV UTF-8."
        )
    encoding = encoding_of(data)
    first_line = data[:65536].split(b"\n", 1)[0].decode(encoding, errors="replace")
    # Spreadsheets in locales with a decimal comma write semicolons.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    header = next(_csv_records(data, encoding, delimiter), (1, []))[1]
    row_count = sum(1 for _line, cells in _csv_records(data, encoding, delimiter) if _filled(cells))
    rows = _csv_rows(data, encoding, delimiter)
    return Table([cell.strip() for cell in header], rows, max(0, row_count - _filled(header)))


def _csv_records(data: bytes, encoding: str, delimiter: str) -> Rows:
    """(line number, cells) of every record, blank ones too, each refused as soon as it
    is longer or wider than a row can be. The rows are decoded as they are read rather
    than the file as one string (4 bytes a character once a file has an accented
    letter)."""
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline="")
    line, length = 1, 0

    def lines() -> Iterator[
        str
    ]:  # the csv module asks for the next line only while its record goes on
        nonlocal length
        while piece := text.readline(MAX_ROW_CHARS + 1):
            length += len(piece)
            if length > MAX_ROW_CHARS:
                raise ImportFileError(
                    f"Line {line} is longer than {MAX_ROW_CHARS:,} characters; "
                    "rows can be up to that long."
                )
            yield piece

    reader = csv.reader(lines(), delimiter=delimiter)
    try:
        for cells in reader:
            if len(cells) > MAX_COLUMNS:
                raise ImportFileError(
                    f"Line {line} has {len(cells):,} cells; up to {MAX_COLUMNS:,} columns "
                    "can be imported."
                )
            yield line, cells
            line, length = reader.line_num + 1, 0  # the next one starts after its last line
    except csv.Error as error:
        raise ImportFileError(f"Line {line}: {error}.") from None


def _filled(cells: list[str]) -> bool:
    return bool("".join(cells).strip())


def _csv_rows(data: bytes, encoding: str, delimiter: str) -> Rows:
    """(line number, cells) of each non-blank row after the header."""
    records = _csv_records(data, encoding, delimiter)
    next(records, None)
    for line, cells in records:
        if _filled(cells):
            if (longest := max(map(len, cells))) > MAX_CELL:
                raise ImportFileError(
                    f"Line {line}: a cell has {longest:,} characters; "
                    f"cells can have up to {MAX_CELL:,}."
                )
            yield line, cells


def _read_xlsx(data: bytes) -> Table:
    header, rows, row_count = xlsx.read_xlsx(
        data, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS, max_cell=MAX_CELL, max_text=MAX_BYTES
    )
    # A sheet's <dimension> also counts empty rows someone formatted down to the bottom: an
    # estimate for the progress bar, not a reason to refuse; rows are counted as read.
    return Table(header, rows, min(row_count, MAX_ROWS))
