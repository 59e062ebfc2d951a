"""Tax ID types (Stripe's `tax_id_data` enum) and how each value is checked.

Where python-stdnum knows the number, its checksum rules decide; for the rest a
pattern of the official format is checked, and the error shows an example.
"""

import importlib
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_noop as _
from stdnum.exceptions import ValidationError as StdnumError

# Each tax ID type: (label, stdnum module or None, pattern or None, example). The labels
# are marked for makemessages only: staff pages and snapshots keep the English, and the
# PDFs translate them when drawn (billing.documents.tax_id_label).
TAX_ID_TYPES = {
    "ae_trn": (_("United Arab Emirates TRN"), None, r"\d{15}", "123456789012345"),
    "au_abn": (_("Australian Business Number (ABN)"), "au.abn", None, "83 914 571 673"),
    "au_arn": (_("Australian Taxation Office Reference Number"), None, r"\d{12}", "123456789123"),
    "bg_uic": (_("Bulgaria Unified Identification Code"), "bg.vat", None, "175074752"),
    "br_cnpj": (_("Brazilian CNPJ number"), "br.cnpj", None, "16.727.230/0001-97"),
    "br_cpf": (_("Brazilian CPF number"), "br.cpf", None, "390.533.447-05"),
    "ca_bn": (_("Canadian Business Number (BN)"), "ca.bn", r"\d{9}", "123026635"),
    "ca_gst_hst": (_("Canadian GST/HST number"), "ca.bn", r"\d{9}RT\d{4}", "123026635RT0001"),
    "ca_pst_bc": (
        _("Canadian PST number (British Columbia)"),
        None,
        r"PST-?\d{4}-?\d{4}",
        "PST-1234-5678",
    ),
    "ca_pst_mb": (_("Canadian PST number (Manitoba)"), None, r"\d{6}-?\d", "123456-7"),
    "ca_pst_sk": (_("Canadian PST number (Saskatchewan)"), None, r"\d{7}", "1234567"),
    "ca_qst": (_("Canadian QST number (Québec)"), None, r"\d{10}TQ\d{4}", "1234567890TQ1234"),
    "ch_vat": (_("Switzerland VAT number"), "ch.vat", None, "CHE-107.787.577 MWST"),
    "cl_tin": (_("Chilean TIN"), "cl.rut", None, "76086428-5"),
    "eg_tin": (_("Egyptian Tax Identification Number"), "eg.tn", None, "100-531-385"),
    "es_cif": (_("Spanish NIF number (previously CIF)"), "es.cif", None, "J99216582"),
    "eu_oss_vat": (_("European One Stop Shop VAT number"), "eu.oss", None, "EU372022452"),
    "eu_vat": (_("European VAT number"), "eu.vat", None, "DE136695976"),
    "gb_vat": (_("United Kingdom VAT number"), "gb.vat", None, "GB980780684"),
    "ge_vat": (_("Georgian VAT"), None, r"\d{9}", "123456789"),
    "hk_br": (_("Hong Kong BR number"), None, r"\d{8}", "12345678"),
    "hu_tin": (_("Hungary tax number (adószám)"), None, r"\d{8}-?\d-?\d{2}", "12345678-1-23"),
    "id_npwp": (_("Indonesian NPWP number"), "id.npwp", None, "01.312.166.0-091.000"),
    "il_vat": (_("Israel VAT"), "il.hp", None, "516179157"),
    "in_gst": (_("Indian GST number"), "in_.gstin", None, "27AAPFU0939F1ZV"),
    "is_vat": (_("Icelandic VAT"), "is_.vsk", None, "00621"),
    "jp_cn": (_("Japanese Corporate Number (Hōjin Bangō)"), "jp.cn", None, "5835678256246"),
    "jp_rn": (
        _("Japanese Registered Foreign Businesses' Registration Number"),
        None,
        r"\d{5}",
        "12345",
    ),
    "jp_trn": (_("Japanese Tax Registration Number"), None, r"T\d{13}", "T1234567891234"),
    "ke_pin": (_("Kenya Revenue Authority PIN"), "ke.pin", None, "P051365947M"),
    "kr_brn": (_("Korean BRN"), "kr.brn", None, "116-82-00276"),
    "li_uid": (_("Liechtensteinian UID number"), "ch.uid", None, "CHE-100.155.212"),
    "mx_rfc": (_("Mexican RFC number"), "mx.rfc", None, "VACE460910SX6"),
    "my_frp": (_("Malaysian FRP number"), None, r"\d{8}", "12345678"),
    "my_itn": (_("Malaysian ITN"), None, r"[A-Z]{1,2} ?\d{10,11}", "C 1234567890"),
    "my_sst": (_("Malaysian SST number"), None, r"[A-Z]\d{2}-?\d{4}-?\d{8}", "A12-3456-78912345"),
    "no_vat": (_("Norwegian VAT number"), "no.mva", None, "995525828MVA"),
    "nz_gst": (_("New Zealand GST number"), "nz.ird", None, "49-098-576"),
    "ph_tin": (_("Philippines Tax Identification Number"), None, r"\d{12}", "123456789012"),
    "ru_inn": (_("Russian INN"), "ru.inn", None, "1234567894"),
    "ru_kpp": (_("Russian KPP"), None, r"\d{9}", "123456789"),
    "sa_vat": (_("Saudi Arabia VAT"), None, r"\d{15}", "123456789012345"),
    "sg_gst": (_("Singaporean GST"), None, r"[A-Z]\d{8}[A-Z]|\d{9}[A-Z]", "M12345678X"),
    "sg_uen": (_("Singaporean UEN"), "sg.uen", None, "197401143C"),
    "si_tin": (_("Slovenia tax number (davčna številka)"), "si.ddv", None, "50223054"),
    "th_vat": (_("Thai VAT"), "th.tin", None, "0994000617721"),
    "tr_tin": (_("Turkish Tax Identification Number"), "tr.vkn", None, "4540536920"),
    "tw_vat": (_("Taiwanese VAT"), "tw.ubn", None, "00501503"),
    "ua_vat": (_("Ukrainian VAT"), None, r"\d{9}", "123456789"),
    "us_ein": (_("United States EIN"), "us.ein", None, "91-1144442"),
    "za_vat": (_("South African VAT number"), None, r"4\d{9}", "4123456789"),
}


def tax_id_type_choices() -> list[tuple[str, str]]:
    return [(code, label) for code, (label, *_rest) in TAX_ID_TYPES.items()]


def clean_tax_id_value(tax_type: str, value: str | None) -> str:
    """Return the value in its compact form, or raise ValidationError saying why."""
    if tax_type not in TAX_ID_TYPES:
        raise ValidationError("Choose a tax ID type from the list.", code="invalid_type")
    label, module_name, pattern, example = TAX_ID_TYPES[tax_type]
    value = " ".join((value or "").split()).upper()
    if not value:
        raise ValidationError("Enter the tax ID number.", code="required")
    if len(value) > 64:
        raise ValidationError("A tax ID is at most 64 characters.", code="max_length")
    message = f"This is not a valid {label}. It should look like {example}."
    compact = re.sub(r"[\s.]", "", value)
    if module_name:
        module = importlib.import_module(f"stdnum.{module_name}")
        try:
            compact = module.validate(value)
        except StdnumError:
            raise ValidationError(message, code="invalid") from None
        # Keep the number as written (country prefix and punctuation), less spaces.
        value = value.replace(" ", "") if " " not in example else value
    if pattern and not re.fullmatch(pattern, compact):
        raise ValidationError(message, code="invalid")
    return value
