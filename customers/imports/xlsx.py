"""Reads the first worksheet of an uploaded XLSX workbook as rows of text, within the
import's limits.

openpyxl (our exports' writer) does not read uploads: without a <dimension> tag it
parses every sheet whole to size it when the workbook opens, it keeps every shared
string however long, and it builds a row whole before anything can count its cells; a
140 KB file of 1,000,000 rows took 65 s and 900 MB, and one 200 MB cell was accepted.

Here every part of the zip is checked against MAX_PART_BYTES, as the zip declares it,
before anything is read, and is never read past that size. Its XML goes a chunk at a
time through defusedxml's parser, which refuses a DTD (so no entity is ever expanded or
fetched), with callbacks that keep no tree and count rows, cells and characters as they
come: a file stops at its first limit without having been read whole.
"""

import datetime
import io
import zipfile
import zlib
from collections.abc import Iterator
from posixpath import dirname, join
from typing import IO, TypeVar
from xml.parsers.expat import ExpatError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

from .table import ImportFileError, Rows
from .xlsx_parts import (
    UNREADABLE,
    PartReader,
    Relationships,
    SharedStrings,
    SharedStringsReader,
    SheetReader,
    Styles,
    Workbook,
)

# A part's parser callbacks.
Reader = TypeVar("Reader", bound=PartReader | SheetReader)

# Uncompressed, each part. Our own XLSX export of 100,000 customers (its limit) has a
# 141 MB sheet; one Excel writes for 200,000 (shared strings, no empty cells) ~150 MB.
# Parsing 256 MB takes 10 s (our export's rows) to 60 s (empty tags), about what the
# largest valid file takes; never within a request (views.INLINE_IMPORT_BYTES).
MAX_PART_BYTES = 256 * 1024 * 1024
MAX_PARTS = 10_000  # zipfile reads every entry's header first: 600,000 took 6 s, 330 MB
# expat holds a whole tag (or comment) until it ends: a workbook's are a few hundred bytes.
MAX_TOKEN_BYTES = 1024 * 1024
CHUNK = 64 * 1024
DTD_REFUSED = (
    "This XLSX file contains a DTD (XML entity declarations), which spreadsheet programs "
    "never write; it was refused. Open it in your spreadsheet program and save it again."
)
# What zipfile raises for a broken zip (an unknown version, a negative offset, …).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
              OSError, KeyError, ValueError)  # fmt: skip


def unpacked_size(data: bytes) -> int:
    """The size of a workbook's parts uncompressed, as its zip declares them (what reading
    it parses), or the size of `data` if it is no workbook."""
    try:
        return sum(info.file_size for info in _open(data).infolist())
    except ImportFileError:
        return len(data)


def read_xlsx(
    data: bytes, *, max_rows: int, max_columns: int, max_cell: int, max_text: int
) -> tuple[list[str], Rows, int]:
    """(header, rows, row count): row 1 of the first sheet, an iterator of (line number,
    cells) of its other non-blank rows, and the number of data rows its <dimension>
    declares (0 without one). Cells are the text a CSV export of them would hold."""
    archive = _open(data)
    sheet_path, epoch, strings_path, styles_path = _workbook_parts(archive)
    styles = _read(archive, styles_path, Styles()) if styles_path else Styles()
    strings = SharedStrings()
    if strings_path:
        _read(archive, strings_path, SharedStringsReader(strings, max_cell))
    sheet = SheetReader(strings, styles, epoch, max_columns, max_cell, max_text)
    rows = _sheet_rows(archive, sheet_path, sheet, max_rows)
    line, header = next(rows, (1, []))
    header = [cell.strip() for cell in header] if line == 1 else []
    while header and not header[-1]:
        header.pop()
    return header, rows, max(0, sheet.dimension_rows - 1)


def _open(data: bytes) -> zipfile.ZipFile:
    if data.count(b"PK\x01\x02") > MAX_PARTS:  # the signature of each entry's header
        raise ImportFileError(f"{UNREADABLE} (it has more than {MAX_PARTS:,} parts).")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS as error:
        raise ImportFileError(f"{UNREADABLE} ({error}).") from None
    for info in archive.infolist():
        if info.file_size > MAX_PART_BYTES:
            raise ImportFileError(
                f"This workbook's part {info.filename} is {info.file_size:,} bytes "
                f"uncompressed; XLSX files can be imported with parts of up to "
                f"{MAX_PART_BYTES >> 20} MB. Save it as CSV, or split it into smaller files."
            )
    return archive


class _Declared:
    """A part's stream that refuses to go past the size the zip declares for it
    (zipfile stops there itself; this does not rely on it)."""

    def __init__(self, stream: IO[bytes], name: str, size: int) -> None:
        self.stream, self.name, self.left = stream, name, size

    def read(self, size: int) -> bytes:
        data = self.stream.read(size)
        self.left -= len(data)
        if self.left < 0:
            raise ImportFileError(f"{UNREADABLE} ({self.name} is longer than the zip says).")
        return data


def _parse(archive: zipfile.ZipFile, name: str, reader: PartReader | SheetReader) -> Iterator[None]:
    """Feeds the part `name` a chunk at a time to defusedxml's parser (its pyexpat
    parser, with the guards that refuse a DTD, entities and external references), with
    `reader`'s methods as callbacks, and yields after each chunk so that the caller can
    take what `reader` made of it. Stops early once `reader.done`."""
    expat = DefusedXMLParser(target=reader, forbid_dtd=True).parser
    expat.StartElementHandler = reader.start  # straight, without ElementTree's wrappers
    expat.EndElementHandler = reader.end
    expat.CharacterDataHandler = reader.data
    expat.ordered_attributes = False  # attributes as a dict
    fed = 0
    try:
        info = archive.getinfo(name)
        with archive.open(info) as part:
            stream = _Declared(part, name, info.file_size)
            while not reader.done and (chunk := stream.read(CHUNK)):
                expat.Parse(chunk, False)
                fed += len(chunk)
                # Where the last tag or text reported is: far behind, one huge token.
                if fed - expat.CurrentByteIndex > MAX_TOKEN_BYTES:
                    raise ImportFileError(
                        f"{UNREADABLE} ({name} has a tag or comment of more than "
                        f"{MAX_TOKEN_BYTES >> 20} MB)."
                    )
                yield
        if not reader.done:
            expat.Parse(b"", True)
    except ImportFileError:  # a ValueError, as are the next two
        raise
    except DefusedXmlException:
        raise ImportFileError(DTD_REFUSED) from None
    except ExpatError as error:
        raise ImportFileError(f"{UNREADABLE} (invalid XML in {name}: {error}).") from None
    except ZIP_ERRORS as error:
        raise ImportFileError(f"{UNREADABLE} ({name}: {error}).") from None


def _read(archive: zipfile.ZipFile, name: str, reader: Reader) -> Reader:
    for _chunk in _parse(archive, name, reader):
        pass
    return reader


def _workbook_parts(
    archive: zipfile.ZipFile,
) -> tuple[str, datetime.datetime, str | None, str | None]:
    """(first sheet's path, date epoch, shared strings' path, styles' path)."""
    package = _read(archive, "_rels/.rels", Relationships("_rels/.rels", "officeDocument"))
    if not package.found["officeDocument"]:
        raise ImportFileError(f"{UNREADABLE} (it names no workbook).")
    workbook_path = package.found["officeDocument"][1]
    workbook = _read(archive, workbook_path, Workbook())
    if not workbook.sheet_id:
        raise ImportFileError(f"{UNREADABLE} (it has no sheet).")
    rels_path = join(dirname(workbook_path), "_rels", workbook_path.rpartition("/")[2] + ".rels")
    wanted = (workbook.sheet_id, "sharedStrings", "styles")
    parts = _read(archive, rels_path, Relationships(rels_path, *wanted)).found
    sheet, strings, styles = (parts[key] for key in wanted)
    if not sheet:
        raise ImportFileError(f"{UNREADABLE} (it has no sheet).")
    if sheet[0] != "worksheet":
        raise ImportFileError("The workbook's first sheet is a chart; put the customers first.")
    epoch = CALENDAR_MAC_1904 if workbook.date1904 else CALENDAR_WINDOWS_1900
    return sheet[1], epoch, strings and strings[1], styles and styles[1]


def _sheet_rows(archive: zipfile.ZipFile, path: str, sheet: SheetReader, max_rows: int) -> Rows:
    """The sheet's non-blank rows as they are parsed, the header first."""
    filled = 0
    for _chunk in _parse(archive, path, sheet):
        for row in sheet.rows:
            filled += 1
            if filled > max_rows + 1:  # the header is the first
                raise ImportFileError(
                    f"The file has more than {max_rows:,} rows; up to {max_rows:,} can be "
                    "imported at once. Split it into smaller files."
                )
            yield row
        sheet.rows.clear()
