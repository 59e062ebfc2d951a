"""Small factories: real objects made through the services."""

import itertools

from django.contrib.auth.models import Group, User

from customers.services import customer_create

_numbers = itertools.count(1)


def make_user(role=None, **fields):
    number = next(_numbers)
    fields.setdefault("username", f"user{number}")
    user = User.objects.create_user(password="pw-for-tests-only", **fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_customer(*, tax_ids=(), contacts=(), aliases=(), **fields):
    number = next(_numbers)
    fields.setdefault("name", f"Customer {number}")
    fields.setdefault("email", f"customer{number}@example.com")
    return customer_create(fields=fields, tax_ids=tax_ids, contacts=contacts, aliases=aliases)


def profile_post_data(**overrides):
    """POST data for the customer dialog with empty tax ID, contact and alias rows."""
    data = {"name": "Ada Lovelace", "email": "ada@example.com", "tax_exempt": "none",
            "payment_terms_days": "30", "next_invoice_sequence": "1"}  # fmt: skip
    for prefix in ("tax_ids", "contacts", "aliases"):
        data[f"{prefix}-TOTAL_FORMS"] = "1"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    data["contacts-0-billing_emails"] = "on"  # the blank row's initial value
    data.update(overrides)
    return data


def adjust(customer, amount, currency="USD", **kwargs):
    from ledger.services import balance_adjust

    return balance_adjust(customer=customer, amount=amount, currency=currency, **kwargs)


def make_tax_rate(percentage="20", *, inclusive=False, display_name="VAT", **fields):
    from decimal import Decimal

    from billing.models import TaxRate

    return TaxRate.objects.create(
        display_name=display_name, percentage=Decimal(percentage), inclusive=inclusive, **fields
    )


def make_coupon(*, percent_off=None, amount_off=None, currency="", duration="once", **fields):
    from decimal import Decimal

    from billing.models import Coupon

    fields.setdefault("name", "Coupon")
    return Coupon.objects.create(
        percent_off=Decimal(percent_off) if percent_off is not None else None,
        amount_off=amount_off,
        currency=currency,
        duration=duration,
        **fields,
    )


def make_item(customer, unit_amount=1000, currency="USD", **fields):
    from billing.services import item_add

    fields.setdefault("description", "Consulting")
    return item_add(customer=customer, unit_amount=unit_amount, currency=currency, **fields)


def make_invoice(customer=None, *amounts, currency="USD", finalize=False, **fields):
    """A draft (or finalized) invoice with one line for each amount."""
    from billing.services import invoice_create, invoice_finalize

    customer = customer or make_customer()
    for amount in amounts:
        make_item(customer, amount, currency)
    invoice = invoice_create(customer=customer, currency=currency, **fields)
    return invoice_finalize(invoice=invoice) if finalize else invoice


def balance_of(customer, currency="USD"):
    """The customer's balance in `currency`, in minor units (0 before any transaction)."""
    from ledger.models import CustomerBalance

    row = CustomerBalance.objects.filter(customer=customer, currency=currency).first()
    return row.amount if row else 0


XLSX_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_XLSX_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XLSX_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XLSX_TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def make_xlsx(
    rows="", *, shared_strings=None, styles=None, dimension="", prolog="", date1904=False
):
    """An XLSX workbook written by hand with zipfile, for files no spreadsheet program
    writes: `rows` is the XML inside the sheet's <sheetData>, `shared_strings` the
    <si> items of xl/sharedStrings.xml, `styles` the whole xl/styles.xml, `prolog` what
    goes before the sheet's root (a DTD). Each may also be a list or generator of such
    pieces, written as they come, so a sheet of 100 MB is never in memory."""
    import io
    import zipfile

    def chunks(piece):
        if isinstance(piece, str | bytes):
            yield piece.encode() if isinstance(piece, str) else piece
        else:
            for inner in piece:
                yield from chunks(inner)

    def write(archive, name, *pieces):
        with archive.open(name, "w") as part:
            for chunk in chunks(pieces):
                part.write(chunk)

    def relationships(*targets):
        return [
            f'<Relationships xmlns="{_XLSX_PACKAGE_REL}">',
            *(
                f'<Relationship Id="rId{n}" Type="{_XLSX_REL}/{kind}" Target="{target}"/>'
                for n, (kind, target) in enumerate(targets, start=1)
            ),
            "</Relationships>",
        ]

    parts = [("worksheet", "worksheets/sheet1")]
    if shared_strings is not None:
        parts.append(("sharedStrings", "sharedStrings"))
    if styles is not None:
        parts.append(("styles", "styles"))
    content_types = [
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>',
        *(
            f'<Override PartName="/xl/{path}.xml" ContentType="{_XLSX_TYPES}.{kind}+xml"/>'
            for kind, path in [("sheet.main", "workbook"), *parts]
        ),
        "</Types>",
    ]
    workbook = (
        f'<workbook xmlns="{XLSX_MAIN}" xmlns:r="{_XLSX_REL}"><workbookPr date1904="'
        f'{int(date1904)}"/><sheets><sheet name="Customers" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        write(archive, "[Content_Types].xml", content_types)
        write(archive, "_rels/.rels", relationships(("officeDocument", "xl/workbook.xml")))
        write(archive, "xl/workbook.xml", workbook)
        write(
            archive,
            "xl/_rels/workbook.xml.rels",
            relationships(*((kind, f"{path}.xml") for kind, path in parts)),
        )
        sheet = [prolog, f'<worksheet xmlns="{XLSX_MAIN}">', dimension, "<sheetData>", rows]
        write(archive, "xl/worksheets/sheet1.xml", sheet, "</sheetData></worksheet>")
        if shared_strings is not None:
            strings = [f'<sst xmlns="{XLSX_MAIN}">', shared_strings, "</sst>"]
            write(archive, "xl/sharedStrings.xml", strings)
        if styles is not None:
            write(archive, "xl/styles.xml", styles)
    return buffer.getvalue()


def xlsx_row(*cells, line=None):
    """A <row> of inline-string cells, for make_xlsx."""
    from xml.sax.saxutils import escape

    number = f' r="{line}"' if line else ""
    inline = "".join(f'<c t="inlineStr"><is><t>{escape(cell)}</t></is></c>' for cell in cells)
    return f"<row{number}>{inline}</row>"
