"""The customers app's models, one module per group; every name other modules import
is re-exported here, so `from customers.models import ...` and the dotted paths the
migrations name (customers.models.new_customer_id, new_import_id) keep working."""

from .common import LIVE, multi_line_5000, phone_validator, single_line
from .customer import (
    FOLDED_FIELDS,
    PROFILE_FIELDS,
    SHIPPING_DETAILS,
    AmountTaxDisplay,
    Contact,
    Customer,
    CustomerAlias,
    CustomerQuerySet,
    MetadataKey,
    TaxExempt,
    TaxId,
    new_customer_id,
    new_customer_ids,
    new_tax_id_id,
)
from .imports import CustomerImport, new_import_id
from .legal_entities import EntityLogo, LegalEntity, LegalEntityQuerySet

__all__ = [
    "LIVE",
    "FOLDED_FIELDS",
    "PROFILE_FIELDS",
    "SHIPPING_DETAILS",
    "AmountTaxDisplay",
    "Contact",
    "Customer",
    "CustomerAlias",
    "CustomerImport",
    "CustomerQuerySet",
    "EntityLogo",
    "LegalEntity",
    "LegalEntityQuerySet",
    "MetadataKey",
    "TaxExempt",
    "TaxId",
    "multi_line_5000",
    "new_customer_id",
    "new_customer_ids",
    "new_import_id",
    "new_tax_id_id",
    "phone_validator",
    "single_line",
]
