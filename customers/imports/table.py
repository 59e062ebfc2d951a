"""What reading an import file gives (a Table of rows), and the error that says why a file
cannot be read; shared by the CSV reader and the XLSX reader."""

from collections.abc import Iterator
from dataclasses import dataclass

# (line number, cells) of each row read from a file.
Rows = Iterator[tuple[int, list[str]]]


class ImportFileError(ValueError):
    pass


@dataclass
class Table:
    header: list[str]  # column names as written, stripped
    rows: Rows
    row_count: int  # data rows, blank lines left out (an XLSX sheet's own count, or 0)
