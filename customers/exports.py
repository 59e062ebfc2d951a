"""Customer exports: CSV streams row by row in constant memory; XLSX is built in memory
and so is capped."""

from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from .models import MetadataKey
from .resources import CustomerResource

XLSX_MAX_ROWS = 100_000


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
    for customer in resource.iter_queryset(queryset):
        yield resource.export_resource(customer)


def csv_chunks(queryset, *, every_customer=False):
    """The CSV export in chunks of thousands of rows, header first."""
    keys = metadata_keys(queryset, every_customer=every_customer)
    resource = CustomerResource(metadata_keys=keys)
    yield from resource.csv_chunks(queryset)


def _filename(extension):
    return f"customers-{timezone.now():%Y%m%d-%H%M%S}.{extension}"


def csv_response(queryset, *, every_customer=False):
    response = StreamingHttpResponse(
        csv_chunks(queryset, every_customer=every_customer),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def xlsx_response(queryset, *, every_customer=False):
    if queryset.count() > XLSX_MAX_ROWS:
        return HttpResponse(
            f"XLSX exports are limited to {XLSX_MAX_ROWS:,} customers. Narrow the filters or "
            "export CSV.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    import tablib
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    rows = export_rows(queryset, every_customer=every_customer)
    dataset = tablib.Dataset(headers=next(rows))
    for row in rows:
        # Validation keeps control characters out; older data must not break the file.
        dataset.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    response = HttpResponse(
        dataset.export("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
