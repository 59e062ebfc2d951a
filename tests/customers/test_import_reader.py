import datetime
import io
import time

import pytest
from openpyxl import Workbook

from customers.imports import reader
from customers.imports.reader import ImportFileError, read_table


def _read(data, file_name="customers.csv"):
    table = read_table(data, file_name)
    return table, list(table.rows)


def test_utf8_with_a_byte_order_mark_drops_the_mark():
    table, rows = _read("\ufeffid,name,email\r\n,Zoë,zoe@example.com\r\n".encode())
    assert table.header == ["id", "name", "email"]
    assert rows == [(2, ["", "Zoë", "zoe@example.com"])]
    assert table.row_count == 1


def test_semicolons_are_the_delimiter_when_the_header_has_more_of_them():
    table, rows = _read(b"name;email;metadata[price]\nAcme;a@example.com;1,50\n")
    assert table.header == ["name", "email", "metadata[price]"]
    assert rows == [(2, ["Acme", "a@example.com", "1,50"])]


def test_latin1_files_decode_as_windows_1252():
    data = "name,email\nCafé Crème,cafe@example.com\n".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    _table, rows = _read(data)
    assert rows == [(2, ["Café Crème", "cafe@example.com"])]


def test_a_quoted_line_break_stays_in_its_cell_and_later_lines_are_counted():
    data = b'name,description\nAcme,"first line\nsecond, line"\nGlobex,plain\n'
    table, rows = _read(data)
    assert rows == [(2, ["Acme", "first line\nsecond, line"]), (4, ["Globex", "plain"])]
    assert table.row_count == 2


def test_blank_lines_are_skipped_and_do_not_count():
    table, rows = _read(b"name,email\nAcme,a@example.com\n\n,\n  \n\n")
    assert rows == [(2, ["Acme", "a@example.com"])]
    assert table.row_count == 1


def test_a_blank_line_in_the_middle_keeps_the_line_numbers_right():
    _table, rows = _read(b"name\nAcme\n\nGlobex\n")
    assert rows == [(2, ["Acme"]), (4, ["Globex"])]


def test_ragged_rows_come_back_as_they_are():
    _table, rows = _read(b"name,email,phone\nShort\nLong,a@example.com,123,extra\n")
    assert rows == [(2, ["Short"]), (3, ["Long", "a@example.com", "123", "extra"])]


@pytest.mark.parametrize("data", [b"", b"   \r\n\n"])
def test_an_empty_file_is_refused(data):
    with pytest.raises(ImportFileError, match="The file is empty."):
        read_table(data, "customers.csv")


def test_a_header_alone_is_a_table_without_rows():
    table, rows = _read(b"id,name,email\r\n")
    assert table.header == ["id", "name", "email"]
    assert table.row_count == 0 and rows == []


def test_header_names_are_stripped():
    table, _rows = _read(b" id , name ,email\n")
    assert table.header == ["id", "name", "email"]


def test_a_cell_longer_than_the_limit_names_its_line():
    huge = "x" * (reader.MAX_CELL + 1)
    data = f"name,description\nAcme,short\nGlobex,{huge}\n".encode()
    with pytest.raises(ImportFileError, match=r"^Line 3: a cell has 10,001 characters"):
        _read(data)


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(reader, "MAX_ROWS", 3)
    read_table(b"name\na\nb\nc\n", "customers.csv")  # at the limit
    with pytest.raises(ImportFileError, match="The file has 4 rows; up to 3 can be imported"):
        read_table(b"name\na\nb\nc\nd\n", "customers.csv")


def test_too_big_a_file_is_refused(monkeypatch):
    monkeypatch.setattr(reader, "MAX_BYTES", 100)
    data = b"name\n" + b"Acme Corporation\n" * 10
    with pytest.raises(ImportFileError, match="Split it into smaller files"):
        read_table(data, "customers.csv")


def test_a_repeated_column_name_is_refused_whatever_its_case():
    with pytest.raises(ImportFileError, match="The column .* appears more than once"):
        read_table(b"id,name,Name\n,a,b\n", "customers.csv")


def test_a_header_over_the_column_limit_is_refused():
    header = ",".join(f"metadata[k{n}]" for n in range(reader.MAX_COLUMNS + 1))
    with pytest.raises(ImportFileError, match="^Line 1 has 501 cells; up to 500 columns can"):
        read_table(f"{header}\nAcme\n".encode(), "customers.csv")


def test_a_data_row_over_the_column_limit_is_refused_naming_its_line():
    data = b"name,email\nAcme,a@example.com\n" + b"x," * reader.MAX_COLUMNS + b"x\n"
    with pytest.raises(ImportFileError, match="^Line 3 has 501 cells; up to 500 columns can"):
        _read(data)


def test_the_issues_80000_column_header_is_refused_at_once():
    """234 KB of two-letter columns held a request for 127 s (names.count per column)."""
    header = ",".join(a + b for a in "abcdefghijklmnopqrstuvwxyz" for b in "abcdefghij")
    data = (",".join([header] * 308) + "\nAcme\n").encode()
    assert len(data) > 234_000
    started = time.process_time()
    with pytest.raises(ImportFileError, match="^Line 1 has 80,080 cells"):
        read_table(data, "customers.csv")
    assert time.process_time() - started < 1


def test_repeated_columns_are_found_in_linear_time(monkeypatch):
    monkeypatch.setattr(reader, "MAX_COLUMNS", 200_000)
    header = ",".join(f"c{n}" for n in range(100_000)) + ",C5"
    started = time.process_time()
    with pytest.raises(ImportFileError, match="The column C5 appears more than once"):
        read_table(f"{header}\nAcme\n".encode(), "customers.csv")
    assert time.process_time() - started < 1


def test_a_row_longer_than_the_limit_is_refused_before_it_is_split(monkeypatch):
    """Before the csv module makes a string of each of its cells: 50 MB of "ab," would be
    16 million strings (~1 GB)."""
    monkeypatch.setattr(reader, "MAX_ROW_CHARS", 24)
    read_table(b"a,b,c\n12345,12345,12345\n", "customers.csv")
    with pytest.raises(ImportFileError, match="^Line 2 is longer than 24 characters"):
        read_table(b'a,b,c\n"1234\n56789012345678",1,1\n', "customers.csv")


@pytest.mark.parametrize(
    "data, line",
    [
        (b"name,email\nAc\x00me,a@example.com\n", 2),
        ("name\nAcme\n".encode("utf-16"), 1),  # Excel's "Unicode text"
    ],
)
def test_a_nul_character_is_refused_naming_its_line(data, line):
    """PostgreSQL's text columns cannot hold NUL (\\x00): refused before any cell is read."""
    with pytest.raises(ImportFileError, match=f"^Line {line} has a NUL character"):
        read_table(data, "customers.csv")


def test_a_header_without_names_is_refused():
    with pytest.raises(ImportFileError, match="The first row must name the columns"):
        read_table(b",,\nAcme,a@example.com,\n", "customers.csv")


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_cells_read_as_the_text_a_csv_would_hold():
    data = _xlsx(
        [
            ["id", "name", "payment_terms_days", "created", "metadata[rate]"],
            [None, "Acme", 30, datetime.datetime(2021, 3, 4, 5, 6), 12.5],
            [None, None, None, None, None],
            ["cus_x", "Globex", 45.0, None, "text"],
        ]
    )
    table, rows = _read(data, "customers.xlsx")
    assert table.header == ["id", "name", "payment_terms_days", "created", "metadata[rate]"]
    assert table.row_count == 3  # the sheet's rows; the blank one is skipped when read
    assert rows == [
        (2, ["", "Acme", "30", "2021-03-04 05:06:00", "12.5"]),
        (4, ["cus_x", "Globex", "45", "", "text"]),
    ]


def test_an_xlsx_date_cell_reads_as_a_date():
    # Excel has no date type: openpyxl reads a date cell back as a datetime at midnight.
    data = _xlsx([["name", "metadata[since]"], ["Acme", datetime.date(2020, 1, 2)]])
    _table, rows = _read(data, "customers.xlsx")
    assert rows == [(2, ["Acme", "2020-01-02"])]


def test_an_xlsx_workbook_is_recognised_by_its_content_whatever_its_name():
    data = _xlsx([["name", "email"], ["Acme", "a@example.com"]])
    _table, rows = _read(data, "upload")
    assert rows == [(2, ["Acme", "a@example.com"])]


def test_a_file_named_xlsx_that_is_no_workbook_is_refused():
    with pytest.raises(ImportFileError, match="This is not an XLSX workbook we can read."):
        read_table(b"name,email\nAcme,a@example.com\n", "customers.xlsx")
