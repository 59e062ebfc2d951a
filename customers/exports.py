"""Customer exports: CSV streams row by row in constant memory; XLSX is built whole
and so is capped. xlsx_download() is the XLSX writer the other apps' exports use too."""

import csv
import io

from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from .models import MetadataKey
from .resources import CustomerResource, neutralise

XLSX_MAX_ROWS = 100_000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def metadata_keys(queryset, *, every_customer=False):
    """The metadata keys for the export's columns, sorted.

    For every customer, the keys any customer has used (kept by triggers), so a
    million rows of JSON are not read just to make the header; for a filtered
    set, the keys its customers use.
    """
    if every_customer:
        return list(MetadataKey.objects.values_list("key", flat=True))
    sql, params = queryset.order_by().values("metadata").query.sql_with_params()
    if connection.vendor == "postgresql":
        keys_sql = f"SELECT DISTINCT k FROM ({sql}) AS c, jsonb_object_keys(c.metadata) AS k"
    else:
        keys_sql = f"SELECT DISTINCT j.key FROM ({sql}) AS c, json_each(c.metadata) AS j"
    with connection.cursor() as cursor:
        cursor.execute(keys_sql + " ORDER BY 1", params)
        return [row[0] for row in cursor.fetchall()]


def export_rows(queryset, *, every_customer=False):
    """Header then one list of cells per customer, formulas neutralised (for XLSX)."""
    keys = metadata_keys(queryset, every_customer=every_customer)
    resource = CustomerResource(metadata_keys=keys)
    yield resource.get_export_headers()
    # Not resource.iter_queryset(): with prefetch_related it pages with OFFSET.
    for customer in queryset.prefetch_related("tax_ids").iterator(chunk_size=2000):
        yield resource.export_resource(customer)


def csv_chunks(queryset, *, every_customer=False):
    """The CSV export in chunks of thousands of rows, header first."""
    keys = metadata_keys(queryset, every_customer=every_customer)
    resource = CustomerResource(metadata_keys=keys)
    yield from resource.csv_chunks(queryset)


def export_filename(noun, extension):
    return f"{noun}-{timezone.now():%Y%m%d-%H%M%S}.{extension}"


def csv_response(queryset, *, every_customer=False):
    response = StreamingHttpResponse(
        csv_chunks(queryset, every_customer=every_customer),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{export_filename("customers", "csv")}"'
    )
    return response


def xlsx_response(queryset, *, every_customer=False):
    rows = export_rows(queryset, every_customer=every_customer)
    return xlsx_download(
        rows,
        export_filename("customers", "xlsx"),
        count=queryset.count(),
        limit=XLSX_MAX_ROWS,
        noun="customers",
    )


def csv_download(rows, filename):
    """Lists of cells (already neutralised) as a streamed CSV download, 1,000 rows a chunk."""

    def chunks():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for number, row in enumerate(rows):
            writer.writerow(row)
            if number % 1000 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_download(rows, filename, *, count, limit, noun):
    """`rows` (a header, then lists of cells) as an XLSX attachment, or a 400 when
    `count` is over `limit`: the file is built whole before it is sent.

    openpyxl's write-only mode keeps the sheet in a temporary file rather than a
    cell object per value: 100,000 invoices took ~770 MB through tablib, ~40 MB so.
    """
    if count > limit:
        return HttpResponse(
            f"XLSX exports are limited to {limit:,} {noun}. Narrow the filters or export CSV.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    def clean(value):
        if not isinstance(value, str):
            return value
        # Validation keeps control characters out, but older data must not break the
        # file; and they go before neutralising, or "\x07=cmd" would become a
        # formula (openpyxl stores any text starting with "=" as one).
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(noun.capitalize())
    sheet.freeze_panes = "A2"
    rows = iter(rows)
    bold = Font(bold=True)
    header = [WriteOnlyCell(sheet, value=clean(title)) for title in next(rows)]
    for cell in header:
        cell.font = bold
    sheet.append(header)
    for row in rows:
        sheet.append([clean(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
