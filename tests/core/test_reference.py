"""Countries and currencies every app validates against: codes are ours or ISO's, names CLDR's."""

from core import reference
from core.currencies import CURRENCIES


def test_accepted_currencies_are_our_tables():
    assert list(reference.currencies()) == sorted(CURRENCIES)
    assert reference.currencies()["HUF"] == "Hungarian Forint"  # names from CLDR
    assert "EUR" in reference.currencies() and "DEM" not in reference.currencies()


def test_countries_are_iso_3166_alpha_2():
    countries = reference.countries()
    assert countries["FR"] == "France" and "EU" not in countries and "ZZ" not in countries
