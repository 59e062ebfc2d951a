"""The smallest amount due worth collecting, per currency. No database access.

An invoice whose amount due is above zero but below its currency's minimum is not
collected: it is marked paid and the amount moves to the customer's balance, to be added
to the next invoice (Stripe's `invoice_too_small`).

The minimums are Stripe's published table (docs.stripe.com/currencies, "Minimum and
maximum charge amounts") where it lists the currency. Stripe charges every other currency
as its equivalent in the settlement currency, with a minimum of USD 0.50; for those we
take USD 0.50 at the rate below, rounded up to the currency's minor unit.
"""

from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError

from core.currencies import exponent

# In major units.
STRIPE_MINIMUMS = {
    "USD": "0.50",
    "AED": "2.00",
    "AUD": "0.50",
    "BGN": "1.00",  # retired in 2026 (EUR); kept for drafts made before
    "BRL": "0.50",
    "CAD": "0.50",
    "CHF": "0.50",
    "CZK": "15.00",
    "DKK": "2.50",
    "EUR": "0.50",
    "GBP": "0.30",
    "HKD": "4.00",
    "HUF": "175.00",
    "INR": "0.50",
    "JPY": "50",
    "MXN": "10",
    "MYR": "2",
    "NOK": "3.00",
    "NZD": "0.50",
    "PLN": "2.00",
    "RON": "2.00",
    "SEK": "3.00",
    "SGD": "0.50",
    "THB": "10",
}

USD_MINIMUM = Decimal("0.50")

# Units of each currency one US dollar bought: approximate mid-market rates of
# 2025-06-30, only to turn USD 0.50 into a minimum for currencies Stripe's table leaves
# out. BILLING_USD_RATES in settings overrides any of them ({"ARS": "1400"}).
USD_RATES = {
    "AFN": "70.5", "ALL": "85.0", "AMD": "385", "AOA": "917", "ARS": "1190",
    "AWG": "1.79", "AZN": "1.70", "BAM": "1.67", "BBD": "2.00", "BDT": "122",
    "BHD": "0.377", "BIF": "2970", "BMD": "1.00", "BND": "1.28", "BOB": "6.91",
    "BSD": "1.00", "BTN": "85.7", "BWP": "13.4", "BYN": "3.27", "BZD": "2.00",
    "CDF": "2870", "CLP": "935", "CNY": "7.17", "COP": "4080", "CRC": "505",
    "CUP": "24.0", "CVE": "94.0", "DJF": "178", "DOP": "59.5", "DZD": "130",
    "EGP": "49.6", "ERN": "15.0", "ETB": "136", "FJD": "2.25", "FKP": "0.73",
    "GEL": "2.72", "GHS": "10.3", "GIP": "0.73", "GMD": "71.5", "GNF": "8660",
    "GTQ": "7.68", "GYD": "209", "HNL": "26.1", "HTG": "131", "IDR": "16240",
    "ILS": "3.38", "IQD": "1310", "IRR": "42100", "ISK": "122", "JMD": "160",
    "JOD": "0.709", "KES": "129", "KGS": "87.4", "KHR": "4010", "KMF": "420",
    "KPW": "900", "KRW": "1360", "KWD": "0.306", "KYD": "0.833", "KZT": "519",
    "LAK": "21600", "LBP": "89600", "LKR": "300", "LRD": "200", "LSL": "17.8",
    "LYD": "5.42", "MAD": "9.03", "MDL": "16.9", "MGA": "4440", "MKD": "52.5",
    "MMK": "2100", "MNT": "3580", "MOP": "8.08", "MRU": "39.8", "MUR": "45.3",
    "MVR": "15.4", "MWK": "1735", "MZN": "63.9", "NAD": "17.8", "NGN": "1530",
    "NIO": "36.8", "NPR": "137", "OMR": "0.385", "PAB": "1.00", "PEN": "3.55",
    "PGK": "4.12", "PHP": "56.4", "PKR": "284", "PYG": "7980", "QAR": "3.64",
    "RSD": "100", "RUB": "78.5", "RWF": "1440", "SAR": "3.75", "SBD": "8.33",
    "SCR": "14.5", "SDG": "601", "SHP": "0.73", "SLE": "22.5", "SOS": "571",
    "SRD": "37.5", "SSP": "4500", "STN": "20.9", "SYP": "13000", "SZL": "17.8",
    "TJS": "9.85", "TMT": "3.50", "TND": "2.93", "TOP": "2.37", "TRY": "39.8",
    "TTD": "6.78", "TWD": "29.2", "TZS": "2640", "UAH": "41.7", "UGX": "3590",
    "UYU": "40.3", "UZS": "12600", "VES": "107", "VND": "26100", "VUV": "120",
    "WST": "2.73", "XAF": "560", "XCD": "2.70", "XCG": "1.79", "XOF": "560",
    "XPF": "102", "YER": "242", "ZAR": "17.8", "ZMW": "23.6", "ZWG": "26.9",
    # Retired currencies (core/currencies.py RETIRED), for drafts made before: the rate
    # they were withdrawn at. VEF and ZWL have none worth shipping.
    "ANG": "1.79", "CUC": "1.00", "HRK": "6.43", "SLL": "22500",
}  # fmt: skip


def minimum_charge(currency: str) -> int:
    """The smallest amount due worth collecting, in minor units."""
    digits = exponent(currency)
    if currency in STRIPE_MINIMUMS:
        return int(Decimal(STRIPE_MINIMUMS[currency]).scaleb(digits))
    rate = settings.BILLING_USD_RATES.get(currency, USD_RATES.get(currency))
    if rate is None:
        raise ValidationError(
            f"No minimum chargeable amount is known for {currency}: add its rate to "
            "BILLING_USD_RATES in the settings."
        )
    equivalent = (USD_MINIMUM * Decimal(rate)).scaleb(digits)
    return int(equivalent.to_integral_value(rounding=ROUND_CEILING))
