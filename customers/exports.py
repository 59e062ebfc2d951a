"""Customer exports: CSV streams row by row in constant memory; XLSX is built in memory
and so is capped."""

import csv
import io

from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from .resources import CustomerResource

XLSX_MAX_ROWS = 100_000


def metadata_keys(queryset):
    """The metadata keys used by any customer in `queryset`, sorted."""
    sql, params = queryset.order_by().values("metadata").query.sql_with_params()
    if connection.vendor == "postgresql":
        keys_sql = f"SELECT DISTINCT k FROM ({sql}) AS c, jsonb_object_keys(c.metadata) AS k"
    else:
        keys_sql = f"SELECT DISTINCT j.key FROM ({sql}) AS c, json_each(c.metadata) AS j"
    with connection.cursor() as cursor:
        cursor.execute(keys_sql + " ORDER BY 1", params)
        return [row[0] for row in cursor.fetchall()]


def export_rows(queryset):
    """Header then one list of cells per customer, formulas neutralised (for XLSX)."""
    resource = CustomerResource(metadata_keys=metadata_keys(queryset))
    yield resource.get_export_headers()
    for customer in resource.iter_queryset(queryset):
        yield resource.export_resource(customer)


def csv_chunks(queryset):
    """The CSV text, header first, then thousands of rows a chunk."""
    resource = CustomerResource(metadata_keys=metadata_keys(queryset))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(resource.get_export_headers())
    for rows in resource.iter_export_rows(queryset):
        writer.writerows(rows)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _filename(extension):
    return f"customers-{timezone.now():%Y%m%d-%H%M%S}.{extension}"


def csv_response(queryset):
    response = StreamingHttpResponse(csv_chunks(queryset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def xlsx_response(queryset):
    if queryset.count() > XLSX_MAX_ROWS:
        return HttpResponse(
            f"XLSX exports are limited to {XLSX_MAX_ROWS:,} customers. Narrow the filters or "
            "export CSV.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    import tablib

    rows = export_rows(queryset)
    dataset = tablib.Dataset(headers=next(rows))
    for row in rows:
        dataset.append(row)
    response = HttpResponse(
        dataset.export("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
