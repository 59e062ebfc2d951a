from core.money_format import format_money


def test_format_money_follows_currency_and_locale():
    assert format_money(123456, "USD") == "$1,234.56"
    assert format_money(-1050, "USD") == "-$10.50"
    assert format_money(1235, "JPY", "ja") == "￥1,235"
    assert format_money(1234, "KWD") == "KWD\xa01.234"
    assert format_money(123456, "EUR", "de") == "1.234,56\xa0€"
    assert format_money(123456, "CAD", "fr_CA") == "1\xa0234,56\xa0$"


def test_format_money_shows_the_tables_digits():
    # CLDR's display digits would print 'HUF176' and 'IDR8,150' here.
    assert format_money(17550, "HUF") == "HUF\xa0175.50"
    assert format_money(815025, "IDR", "de") == "8.150,25\xa0IDR"
    assert format_money(500, "ISK") == "ISK\xa05.00"
    assert format_money(1005, "IQD") == "IQD\xa01.005"


def test_a_currency_code_is_spaced_from_the_digits_but_a_sign_is_not():
    assert format_money(211000, "KWD") == "KWD\xa0211.000"
    assert format_money(-211000, "KWD") == "-KWD\xa0211.000"
    assert format_money(211000, "CHF", "de_CH") == "CHF\xa02'110.00"
    # Symbols ending in a sign keep the locale's form.
    assert format_money(1000, "USD") == "$10.00"
    assert format_money(1000, "CAD") == "CA$10.00"
    assert format_money(1000, "USD", "ar") == "\u200f10.00\xa0US$"
