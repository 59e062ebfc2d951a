"""Address lines in each country's order (Google's i18n address data), the country
named in the reader's language."""

import pytest

from core.addresses import Address, address_lines, country_name

MARKET_STREET = Address("311 Market Street", "Suite 500", "San Francisco", "CA", "94105", "US")


@pytest.mark.parametrize(
    ("address", "lines"),
    [
        (MARKET_STREET,
         ["311 Market Street", "Suite 500", "San Francisco, CA 94105", "United States"]),
        # The UK: the town, then the postcode on a line of its own.
        (Address("10 Downing Street", "", "London", "", "SW1A 2AA", "GB"),
         ["10 Downing Street", "London", "SW1A 2AA", "United Kingdom"]),
        (Address("1 Rue de la Paix", "", "Paris", "", "75002", "FR"),
         ["1 Rue de la Paix", "75002 Paris", "France"]),
        (Address("Hauptstraße 1", "", "Berlin", "", "10115", "DE"),
         ["Hauptstraße 1", "10115 Berlin", "Germany"]),
        (Address("100 Queen St W", "", "Toronto", "ON", "M5H 2N2", "CA"),
         ["100 Queen St W", "Toronto ON M5H 2N2", "Canada"]),
        # Japan in Latin letters: street and ward, prefecture, then the postcode.
        (Address("1-2-3 Jingumae", "", "Shibuya-ku", "Tokyo", "150-0001", "JP"),
         ["1-2-3 Jingumae", "Shibuya-ku, Tokyo", "150-0001", "Japan"]),
        # Japan in Japanese: largest first, the postcode marked 〒.
        (Address("神宮前1-2-3", "", "渋谷区", "東京都", "150-0001", "JP"),
         ["〒150-0001", "東京都", "渋谷区", "神宮前1-2-3", "Japan"]),
        # A US address without its state keeps no dangling comma.
        (Address("1 Main St", "", "Springfield", "", "62701", "US"),
         ["1 Main St", "Springfield 62701", "United States"]),
        # A part the country's format has no place for is kept (the UK has no states).
        (Address("1 High Street", "", "Oxford", "Oxfordshire", "OX1 1AA", "GB"),
         ["1 High Street", "Oxford", "Oxfordshire", "OX1 1AA", "United Kingdom"]),
        # No country, or one the data does not know: each part on a line, in a plain order.
        (Address("1 Main St", "", "Town", "Region", "12345", ""),
         ["1 Main St", "Town", "Region", "12345"]),
        (Address("1 Main St", "", "Town", "Region", "12345", "QQ"),
         ["1 Main St", "Town", "Region", "12345", "QQ"]),
        (Address(), []),
    ],
)  # fmt: skip
def test_address_lines_follow_the_country_format(address, lines):
    assert address_lines(address) == lines


@pytest.mark.parametrize(
    ("locale", "name"),
    [("en", "United States"), ("fr", "États-Unis"), ("de", "Vereinigte Staaten"),
     ("ja", "アメリカ合衆国"), ("ar", "الولايات المتحدة"), ("fr-CA", "États-Unis"),
     ("xx-nonsense", "United States")],
)  # fmt: skip
def test_the_country_is_named_in_the_readers_language(locale, name):
    assert country_name("US", locale) == name
    assert address_lines(MARKET_STREET, locale)[-1] == name


def test_an_unknown_country_code_is_shown_as_it_is():
    assert country_name("QQ", "fr") == "QQ"
