"""Customer exports: CSV streams row by row in constant memory; XLSX is built whole
and so is capped (core/exports.py writes both)."""

from django.http import StreamingHttpResponse

from core.exports import export_filename, xlsx_download

from . import sql
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
    return sql.metadata_keys_used(queryset)


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
