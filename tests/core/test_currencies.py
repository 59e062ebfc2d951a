"""The currency table is what every stored amount means: each exponent is pinned here,
so changing one is a deliberate edit of two files, not a library upgrade."""

import re
import warnings

import pytest
from babel.numbers import get_currency_precision

from core import currencies
from core.currencies import CURRENCIES, RETIRED, UnknownCurrency, exponent

# Every currency not listed here has two decimals.
ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND",
                "VUV", "XAF", "XOF", "XPF"}  # fmt: skip
THREE_DECIMAL = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}
ACCEPTED = set(
    re.findall(
        r"[A-Z]{3}",
        """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
    CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
    GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW
    KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR
    MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR
    SDG SEK SGD SHP SLE SOS SRD SSP STN SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD
    UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
""",
    )
)


def test_every_exponent_is_pinned():
    assert len(ACCEPTED) == 153
    expected = {
        code: 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2 for code in ACCEPTED
    }
    assert expected == CURRENCIES
    assert RETIRED == {"ANG": 2, "BGN": 2, "CUC": 2, "HRK": 2, "SLL": 2, "VEF": 2, "ZWL": 2}


def test_where_stripe_differs_from_iso_4217_stripe_wins():
    assert exponent("ISK") == 2  # ISO 0; Stripe's API: two decimals, always 00
    assert exponent("MGA") == 0  # ISO 2; Stripe's API: zero-decimal
    assert exponent("HUF") == 2  # ISO 2, as Stripe's API (CLDR displays 0)


def test_retired_currencies_are_read_but_not_accepted():
    assert exponent("HRK") == 2
    assert not currencies.is_accepted("HRK")
    assert currencies.is_accepted("EUR")


@pytest.mark.parametrize("code", ["XXX", "DEM", "usd", ""])
def test_an_unknown_code_is_an_error_not_a_guess(code):
    with pytest.raises(UnknownCurrency):
        exponent(code)


def test_where_cldr_display_digits_differ_from_ours():
    """Informational: never fails. Babel is told our digits when it formats; this lists
    where its own data would show another number of decimals, for a reviewer upgrading
    Babel to read in the warnings summary."""
    differences = {
        code: (digits, get_currency_precision(code))
        for code, digits in CURRENCIES.items()
        if get_currency_precision(code) != digits
    }
    if differences:
        listed = ", ".join(
            f"{code} ours {ours} CLDR {cldr}" for code, (ours, cldr) in differences.items()
        )
        warnings.warn(f"CLDR display digits differ from the currency table: {listed}", stacklevel=1)
