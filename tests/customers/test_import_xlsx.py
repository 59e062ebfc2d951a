"""Reading XLSX uploads (customers/imports/xlsx.py): cells as text, and the limits
counted while the workbook is read, whatever its parts say about themselves."""

import datetime
import io
import struct
import time
import zipfile

import pytest

from customers.imports import reader
from customers.imports.reader import ImportFileError, read_table
from tests.factories import XLSX_MAIN, make_xlsx, xlsx_row


def _read(data):
    table = read_table(data, "customers.xlsx")
    return table, list(table.rows)


def _rows(count, cells=("Acme", "acme@example.com")):
    """`count` rows without row numbers, as byte chunks (make_xlsx writes them as they
    come): a sheet of any length, a few KB once compressed."""
    row = xlsx_row(*cells).encode()
    for start in range(0, count, 10_000):
        yield row * min(10_000, count - start)


def _styles(*formats):
    """xl/styles.xml with a cell style per number format: an ID, or (ID, format code)."""
    custom = "".join(
        f'<numFmt numFmtId="{f[0]}" formatCode="{f[1]}"/>' for f in formats if isinstance(f, tuple)
    )
    ids = [f[0] if isinstance(f, tuple) else f for f in formats]
    return (
        f'<styleSheet xmlns="{XLSX_MAIN}"><numFmts>{custom}</numFmts><fonts><font/></fonts>'
        '<fills><fill><patternFill patternType="none"/></fill></fills><borders><border/>'
        '</borders><cellStyleXfs><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs><cellXfs>"
        + "".join(
            f'<xf numFmtId="{id}" fontId="0" fillId="0" borderId="0" xfId="0"/>' for id in ids
        )
        + "</cellXfs></styleSheet>"
    )


# Cells


def test_cells_of_every_type_read_as_the_text_a_csv_would_hold():
    styles = _styles(0, 14, (164, "yyyy-mm-dd hh:mm"))
    data = make_xlsx(
        xlsx_row("name", "a", "b", "c", "d", "e", "f", "g", "h")
        + '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>30</v></c>'
        '<c r="C2"><v>12.5</v></c><c r="D2"><v>45.0</v></c><c r="E2" s="1"><v>43831</v></c>'
        '<c r="F2" s="2"><v>43831.5</v></c><c r="G2" t="b"><v>1</v></c>'
        '<c r="H2" t="e"><v>#N/A</v></c><c r="I2" t="str"><f>A1</f><v>name</v></c></row>'
        '<row r="4"><c r="A4" t="inlineStr"><is><r><t>Glo</t></r><r><t>bex</t></r>'
        '<rPh sb="0" eb="1"><t>phonetic</t></rPh></is></c><c r="C4" t="s"><v>1</v></c></row>',
        shared_strings="<si><t>Acme &amp; Co</t></si>"
        "<si><r><t>rich </t></r><r><t>text</t></r></si>",
        styles=styles,
    )
    table, rows = _read(data)
    assert table.header == ["name", "a", "b", "c", "d", "e", "f", "g", "h"]
    assert rows == [
        (2, ["Acme & Co", "30", "12.5", "45", "2020-01-01", "2020-01-01 12:00:00", "true",
             "#N/A", "name"]),
        (4, ["Globex", "", "rich text"]),
    ]  # fmt: skip


def test_dates_of_a_1904_workbook_count_from_1904():
    styles = _styles(0, 14)
    data = make_xlsx(
        xlsx_row("name", "metadata[since]") + '<row><c t="inlineStr"><is><t>Acme</t></is></c>'
        '<c s="1"><v>366</v></c></row>',
        styles=styles,
        date1904=True,
    )
    _table, rows = _read(data)
    assert rows == [(2, ["Acme", "1905-01-01"])]


def test_a_sheet_without_a_first_row_has_no_header():
    data = make_xlsx(xlsx_row("name", line=2) + xlsx_row("Acme", line=3))
    with pytest.raises(ImportFileError, match="The first row must name the columns"):
        read_table(data, "customers.xlsx")


def test_numbers_too_long_for_python_stay_as_written():
    digits = "9" * 5000  # int() refuses more than 4,300 digits
    data = make_xlsx(xlsx_row("name", "metadata[n]") + f"<row><c/><c><v>{digits}</v></c></row>")
    _table, rows = _read(data)
    assert rows == [(2, ["", digits])]


@pytest.mark.parametrize(
    "rows, shared_strings",
    [
        ('<row><c t="s"><v>7</v></c></row>', "<si><t>only one</t></si>"),  # no such string
        ('<row><c t="s"><v>x</v></c></row>', "<si><t>only one</t></si>"),
        ('<row r="x"><c><v>1</v></c></row>', None),
        ('<row><c r="1A"><v>1</v></c></row>', None),
        ("<row><c><v>1</v></row>", None),  # not XML
        ("<row><c><v>&#0;</v></c></row>", None),  # XML has no NUL
    ],
)
def test_a_broken_workbook_is_refused_as_unreadable(rows, shared_strings):
    data = make_xlsx(xlsx_row("name") + rows, shared_strings=shared_strings)
    with pytest.raises(ImportFileError, match="not an XLSX workbook we can read"):
        _read(data)


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/_rels/workbook.xml.rels", "_rels/.rels"])
def test_a_workbook_missing_a_part_is_refused_as_unreadable(part):
    source = zipfile.ZipFile(io.BytesIO(make_xlsx(xlsx_row("name"))))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in source.namelist():
            if name != part:
                archive.writestr(name, source.read(name))
    with pytest.raises(ImportFileError, match="not an XLSX workbook we can read"):
        _read(buffer.getvalue())


def test_truncated_workbooks_are_refused_as_unreadable():
    data = make_xlsx([xlsx_row("name", "email"), _rows(2_000)])
    for size in range(100, len(data), len(data) // 50):
        with pytest.raises(ImportFileError):
            _read(data[:size] + b"PK\x03\x04")  # still starts and looks like a zip


# Rows: counted as they are read (finding 12.3.1)


def test_rows_of_a_sheet_without_dimension_are_counted_while_read(monkeypatch):
    monkeypatch.setattr(reader, "MAX_ROWS", 3)
    _table, rows = _read(make_xlsx([xlsx_row("name"), _rows(3, ["Acme"])]))  # at it
    assert len(rows) == 3
    table = read_table(make_xlsx([xlsx_row("name"), _rows(4, ["Acme"])]), "c.xlsx")
    with pytest.raises(ImportFileError, match="more than 3 rows; up to 3 can be imported"):
        list(table.rows)


def test_blank_rows_do_not_count_and_keep_their_line_numbers(monkeypatch):
    monkeypatch.setattr(reader, "MAX_ROWS", 1)
    data = make_xlsx(
        xlsx_row("name") + "<row/><row><c/><c><v></v></c></row>" + xlsx_row("  ")
        + xlsx_row("Acme") + "<row/>" * 1000
    )  # fmt: skip
    _table, rows = _read(data)
    assert rows == [(5, ["Acme"])]


def test_a_dimension_over_the_row_limit_is_only_an_estimate(monkeypatch):
    """Excel writes a <dimension> down to the last formatted cell, empty rows included:
    the file is judged by its rows, and the dimension only sizes the progress bar."""
    monkeypatch.setattr(reader, "MAX_ROWS", 3)
    data = make_xlsx(
        xlsx_row("name") + xlsx_row("Acme") + '<row r="1048576"><c r="A1048576" s="0"/></row>',
        dimension='<dimension ref="A1:A1048576"/>',
    )
    table = read_table(data, "customers.xlsx")
    assert table.row_count == 3
    assert list(table.rows) == [(2, ["Acme"])]


def test_text_repeated_through_shared_strings_is_bounded(monkeypatch):
    """One shared string named by every cell is stored once but handed over once a cell:
    the sheet's text as a whole is held to what a CSV file of the size limit holds."""
    monkeypatch.setattr(reader, "MAX_BYTES", 50_000)
    rows = [xlsx_row("name")] + ['<row><c t="s"><v>0</v></c></row>'] * 100
    data = make_xlsx(rows, shared_strings="<si><t>" + "x" * 1_000 + "</t></si>")
    assert len(data) < 50_000
    with pytest.raises(ImportFileError, match="more than 50,000 characters of text"):
        list(read_table(data, "customers.xlsx").rows)


def test_the_real_row_limit_stops_a_300000_row_sheet_while_streaming():
    """The issue's file: a dimension-less sheet far over the limit, a few hundred KB.
    It is refused at row 200,001, having handed over the rows before it one by one
    (nothing counted them first), in seconds rather than the minute it took."""
    data = make_xlsx([xlsx_row("name"), _rows(300_000, ["Acme"])])
    assert len(data) < 500_000
    started = time.process_time()
    table = read_table(data, "customers.xlsx")
    assert table.row_count == 0  # unknown: the sheet has no <dimension>
    handed_over = 0
    with pytest.raises(ImportFileError, match="more than 200,000 rows"):
        for _row in table.rows:
            handed_over += 1
    assert handed_over == reader.MAX_ROWS
    assert time.process_time() - started < 15


# Cells: counted as they are read (finding 12.3.1)


def test_a_shared_string_longer_than_a_cell_can_be_is_refused():
    long = "x" * (reader.MAX_CELL + 1)
    data = make_xlsx(xlsx_row("name") + '<row><c t="s"><v>0</v></c></row>',
                     shared_strings=f"<si><t>{long}</t></si>")  # fmt: skip
    with pytest.raises(ImportFileError, match="more than 10,000 characters; cells can have"):
        _read(data)


def test_an_inline_cell_longer_than_a_cell_can_be_names_its_line():
    long = "x" * (reader.MAX_CELL + 1)
    data = make_xlsx(xlsx_row("name") + xlsx_row("Acme") + xlsx_row(long))
    with pytest.raises(ImportFileError, match="^Line 3: a cell has more than 10,000 characters"):
        _read(data)


def test_a_200_mb_shared_string_is_refused_without_reading_it_whole():
    """The issue's second file: one 200 MB cell in the shared strings of a 200 KB
    workbook was read whole (396 → 783 MB). Refused at its 10,001st character."""
    chunk = b"x" * (1 << 20)
    strings = [b"<si><t>", (chunk for _ in range(200)), b"</t></si>"]
    data = make_xlsx(xlsx_row("name") + '<row><c t="s"><v>0</v></c></row>', shared_strings=strings)
    assert len(data) < 500_000
    started = time.process_time()
    with pytest.raises(ImportFileError, match="more than 10,000 characters"):
        read_table(data, "customers.xlsx")
    assert time.process_time() - started < 2


# The zip: every part capped (finding 12.3.1)


def test_a_part_larger_than_the_cap_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr("customers.imports.xlsx.MAX_PART_BYTES", 10_000)
    small = make_xlsx([xlsx_row("name", "email"), _rows(10)])
    _read(small)
    big = make_xlsx([xlsx_row("name", "email"), _rows(1000)])
    with pytest.raises(
        ImportFileError, match=r"xl/worksheets/sheet1\.xml is [\d,]+ bytes uncompressed"
    ):
        _read(big)


def test_the_real_part_cap_refuses_a_zip_bomb():
    data = make_xlsx(xlsx_row("name"), prolog=(b" " * (1 << 20) for _ in range(300)))
    assert len(data) < 1_000_000
    with pytest.raises(ImportFileError, match="parts of up to 256 MB"):
        _read(data)


def _lie_about_size(data, name, size):
    """`data` with the central directory saying `name` is `size` bytes uncompressed."""
    data = bytearray(data)
    entry = data.find(b"PK\x01\x02")
    while entry != -1:
        name_length = struct.unpack_from("<H", data, entry + 28)[0]
        if data[entry + 46 : entry + 46 + name_length] == name.encode():
            struct.pack_into("<I", data, entry + 24, size)
            return bytes(data)
        entry = data.find(b"PK\x01\x02", entry + 4)
    raise AssertionError(name)


def test_a_part_longer_than_its_zip_entry_says_is_refused():
    data = make_xlsx([xlsx_row("name", "email"), _rows(1000)])
    lying = _lie_about_size(data, "xl/worksheets/sheet1.xml", 1000)
    assert zipfile.ZipFile(io.BytesIO(lying)).getinfo("xl/worksheets/sheet1.xml").file_size == 1000
    with pytest.raises(ImportFileError, match="not an XLSX workbook we can read"):
        _read(lying)


def test_a_part_is_never_read_past_its_declared_size():
    """zipfile stops at the declared size itself; the reader does not rely on it."""
    from customers.imports import xlsx

    stream = xlsx._Declared(io.BytesIO(b"x" * 100), "xl/worksheets/sheet1.xml", 60)
    assert stream.read(50) == b"x" * 50
    with pytest.raises(ImportFileError, match="sheet1.xml is longer than the zip says"):
        stream.read(50)


def test_a_zip_of_too_many_parts_is_refused(monkeypatch):
    monkeypatch.setattr("customers.imports.xlsx.MAX_PARTS", 20)
    source = zipfile.ZipFile(io.BytesIO(make_xlsx(xlsx_row("name") + xlsx_row("Acme"))))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in source.namelist():
            archive.writestr(name, source.read(name))
        for number in range(20):
            archive.writestr(f"docProps/custom{number}.xml", "")
    with pytest.raises(ImportFileError, match="more than 20 parts"):
        _read(buffer.getvalue())


@pytest.mark.parametrize("opening, closing", [(b'<row><c x="', b'"/></row>'), (b"<!--", b"-->")])
def test_an_xml_tag_or_comment_over_a_megabyte_is_refused(opening, closing):
    """expat holds a whole tag (or comment) before it reports it: one of 200 MB would be
    200 MB in memory however the cells are counted."""
    filler = (b"y" * (1 << 20) for _ in range(3))
    data = make_xlsx([xlsx_row("name"), opening, filler, closing])
    with pytest.raises(ImportFileError, match="of more than 1 MB"):
        _read(data)


def test_xml_nested_deeper_than_a_sheet_is_refused():
    data = make_xlsx(xlsx_row("name") + "<row>" + "<x>" * 1000 + "</x>" * 1000 + "</row>")
    with pytest.raises(ImportFileError, match="nested more than"):
        _read(data)


# Columns: counted as they are read (finding 12.3.2)


def test_a_header_over_the_column_limit_is_refused():
    data = make_xlsx(xlsx_row(*(f"metadata[k{n}]" for n in range(reader.MAX_COLUMNS + 1))))
    with pytest.raises(ImportFileError, match="^Line 1 has more than 500 cells; up to 500 col"):
        read_table(data, "customers.xlsx")


def test_a_row_with_a_cell_past_the_column_limit_is_refused():
    too_far = '<row r="3"><c r="A3"><v>1</v></c><c r="SH3"><v>1</v></c></row>'  # column 502
    data = make_xlsx(xlsx_row("name") + xlsx_row("Acme") + too_far)
    with pytest.raises(ImportFileError, match="^Line 3 has more than 500 cells"):
        _read(data)


def test_empty_cells_past_the_column_limit_are_ignored():
    data = make_xlsx(xlsx_row("name") + '<row><c t="inlineStr"><is><t>Acme</t></is></c>'
                     + "<c/>" * 600 + '<c r="XFD2" s="1"/></row>')  # fmt: skip
    _table, rows = _read(data)
    assert rows == [(2, ["Acme"])]


# A DTD (finding 12.3.3)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)


@pytest.mark.parametrize(
    "prolog",
    [
        BILLION_LAUGHS,
        '<!DOCTYPE worksheet [<!ENTITY passwd SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE worksheet SYSTEM "file:///etc/passwd">',  # no entity: still a DTD
    ],
)
def test_a_sheet_with_a_dtd_is_refused_with_a_clear_message(prolog):
    data = make_xlsx(xlsx_row("name") + xlsx_row("Acme"), prolog=prolog)
    with pytest.raises(ImportFileError, match="^This XLSX file contains a DTD"):
        _read(data)


def test_a_shared_strings_part_with_a_dtd_is_refused():
    data = make_xlsx(xlsx_row("name") + '<row><c t="s"><v>0</v></c></row>',
                     shared_strings="<si><t>Acme</t></si>")  # fmt: skip
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/sharedStrings.xml":
                content = BILLION_LAUGHS.encode() + content.replace(b"Acme", b"&c;")
            archive.writestr(name, content)
    with pytest.raises(ImportFileError, match="^This XLSX file contains a DTD"):
        _read(buffer.getvalue())


def test_openpyxl_would_parse_with_defusedxml_too():
    """Uploads are read by customers/imports/xlsx.py, with defusedxml; openpyxl (the
    exports' writer, the tests' reader) also picks defusedxml up when it is installed."""
    from openpyxl import xml

    assert xml.DEFUSEDXML is True


def test_an_openpyxl_workbook_round_trips_with_a_date():
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["name", "created"])
    book.active.append(["Acme", datetime.datetime(2021, 3, 4, 5, 6, 7)])
    buffer = io.BytesIO()
    book.save(buffer)
    _table, rows = _read(buffer.getvalue())
    assert rows == [(2, ["Acme", "2021-03-04 05:06:07"])]
