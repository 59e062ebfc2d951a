"""billing.totals: pure arithmetic, table-driven and property tests (no database)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.totals import (
    Discount,
    Line,
    MixedTaxRatesError,
    Rate,
    allocate,
    apply_balance,
    compute,
    round_half_up,
)

VAT = Rate("vat", Decimal(20), inclusive=False)
STATE = Rate("state", Decimal(10), inclusive=False)
CITY = Rate("city", Decimal(5), inclusive=False)
VAT_INC = Rate("vat_inc", Decimal(20), inclusive=True)
GST_INC = Rate("gst_inc", Decimal(10), inclusive=True)
PST_INC = Rate("pst_inc", Decimal(5), inclusive=True)


# Rounding and minimum charges


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.5"), 1),
        (Decimal("1.5"), 2),
        (Decimal("2.5"), 3),  # half up, not banker's rounding
        (Decimal("0.4999"), 0),
        (Decimal("0.5001"), 1),
        (Decimal("-0.5"), -1),  # half away from zero
        (Decimal("-1.4"), -1),
        (Decimal(7), 7),
        ("12.5", 13),
        (3, 3),
    ],
)
def test_round_half_up(value, expected):
    assert round_half_up(value) == expected


@pytest.mark.parametrize(
    ("total", "balance", "applied"),
    [
        (1000, 0, 0),
        (1000, -300, -300),  # credit smaller than the total: all of it
        (1000, -5000, -1000),  # credit larger: only up to the total
        (0, -5000, 0),
        (1000, 250, 250),  # owed: added in full
        (0, 250, 250),
    ],
)
def test_apply_balance(total, balance, applied):
    assert apply_balance(total, balance) == applied


# Table-driven totals


def test_exclusive_tax_is_added_and_rounded_half_up():
    result = compute([Line(1000, rates=(VAT,)), Line(15, rates=(STATE,))])
    # 15 × 10% = 1.5 → 2
    assert result.tax_by_rate == {"vat": 200, "state": 2}
    assert (result.subtotal, result.exclusive_tax, result.inclusive_tax) == (1015, 202, 0)
    assert result.total == 1217
    assert result.tax == 202


def test_inclusive_tax_is_inside_the_amount():
    result = compute([Line(1200, rates=(VAT_INC,))])
    assert result.tax_by_rate == {"vat_inc": 200}
    assert (result.inclusive_tax, result.exclusive_tax) == (200, 0)
    assert result.total == 1200


def test_several_inclusive_rates_share_one_divisor():
    result = compute([Line(1150, rates=(GST_INC, PST_INC))])
    assert result.tax_by_rate == {"gst_inc": 100, "pst_inc": 50}
    assert result.total == 1150


def test_several_exclusive_rates_each_apply_to_the_base():
    result = compute([Line(1000, rates=(STATE, CITY))])
    assert result.tax_by_rate == {"state": 100, "city": 50}
    assert result.total == 1150


def test_mixed_inclusive_and_exclusive_on_one_line_is_refused():
    with pytest.raises(MixedTaxRatesError):
        compute([Line(1000, rates=(VAT, VAT_INC))])


def test_mixed_rates_on_different_lines_are_fine():
    result = compute([Line(1000, rates=(VAT,)), Line(1200, rates=(VAT_INC,))])
    assert (result.exclusive_tax, result.inclusive_tax) == (200, 200)
    assert result.total == 2400


def test_not_taxable_means_no_tax_at_all():
    result = compute([Line(1000, rates=(VAT,)), Line(1200, rates=(VAT_INC,))], taxable=False)
    assert (result.tax, result.tax_by_rate) == (0, {})
    assert result.total == 2200


def test_percent_off_applies_before_tax_to_discountable_lines_only():
    lines = [Line(1000, rates=(VAT,)), Line(500, discountable=False, rates=(VAT,))]
    result = compute(lines, discount=Discount(percent_off=Decimal(10)))
    assert [t.discount for t in result.lines] == [100, 0]
    assert [t.taxes for t in result.lines] == [{"vat": 180}, {"vat": 100}]
    assert result.total == 1000 + 500 - 100 + 280


def test_percent_off_rounds_each_line_half_up():
    result = compute([Line(5), Line(15)], discount=Discount(percent_off=Decimal(10)))
    assert [t.discount for t in result.lines] == [1, 2]  # 0.5 → 1, 1.5 → 2


def test_amount_off_is_shared_in_proportion_and_adds_up_exactly():
    result = compute([Line(100), Line(100), Line(100)], discount=Discount(amount_off=100))
    assert [t.discount for t in result.lines] == [34, 33, 33]
    assert result.discount == 100 and result.total == 200


def test_amount_off_never_makes_the_total_negative():
    lines = [Line(300), Line(200, discountable=False)]
    result = compute(lines, discount=Discount(amount_off=10_000))
    assert [t.discount for t in result.lines] == [300, 0]
    assert result.total == 200


def test_full_percent_off_makes_a_zero_total():
    result = compute([Line(999, rates=(VAT,))], discount=Discount(percent_off=Decimal(100)))
    assert result.total == 0 and result.tax == 0


def test_inclusive_tax_is_on_the_discounted_amount():
    result = compute([Line(1200, rates=(VAT_INC,))], discount=Discount(amount_off=600))
    assert result.tax_by_rate == {"vat_inc": 100}
    assert result.total == 600


def test_no_lines_is_all_zero():
    result = compute([], discount=Discount(amount_off=500))
    assert (result.subtotal, result.discount, result.tax, result.total) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("amount", "weights", "expected"),
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (10, [1, 0, 1], [5, 0, 5]),
        (7, [0, 0], [0, 0]),
        (0, [5, 5], [0, 0]),
        (5, [1, 2, 2], [1, 2, 2]),
        (2, [1, 1, 1], [1, 1, 0]),
        (1, [1, 3], [0, 1]),
    ],
)
def test_allocate_table(amount, weights, expected):
    assert allocate(amount, weights) == expected


# Properties

percentages = st.decimals(min_value=0, max_value=100, places=4, allow_nan=False)
exclusive_rates = st.lists(
    st.builds(Rate, st.sampled_from(["a", "b", "c"]), percentages, st.just(False)),
    min_size=1,
    max_size=3,
)
inclusive_rates = st.lists(
    st.builds(Rate, st.sampled_from(["x", "y", "z"]), percentages, st.just(True)),
    min_size=1,
    max_size=3,
)
line_rates = st.one_of(st.just([]), exclusive_rates, inclusive_rates).map(tuple)
lines_strategy = st.lists(
    st.builds(Line, st.integers(0, 10**12), st.booleans(), line_rates), max_size=12
)
discounts = st.one_of(
    st.none(),
    st.builds(Discount, percent_off=st.decimals(min_value="0.01", max_value=100, places=2)),
    st.builds(Discount, amount_off=st.integers(1, 10**13)),
)


@given(lines=lines_strategy, discount=discounts, taxable=st.booleans())
def test_compute_properties(lines, discount, taxable):
    result = compute(lines, discount=discount, taxable=taxable)
    assert result.subtotal == sum(line.amount for line in lines)
    assert result.total == result.subtotal - result.discount + result.exclusive_tax
    assert result.total >= 0
    discountable = sum(line.amount for line in lines if line.discountable)
    assert 0 <= result.discount <= discountable
    for line, line_totals in zip(lines, result.lines, strict=True):
        assert 0 <= line_totals.discount <= line.amount
        if not line.discountable:
            assert line_totals.discount == 0
    line_taxes = sum(sum(t.taxes.values()) for t in result.lines)
    assert line_taxes == sum(result.tax_by_rate.values()) == result.tax
    per_rate = {}
    for line_totals in result.lines:
        for key, amount in line_totals.taxes.items():
            per_rate[key] = per_rate.get(key, 0) + amount
    assert per_rate == result.tax_by_rate
    if not taxable:
        assert result.tax == 0


@given(lines=lines_strategy, amount_off=st.integers(1, 10**13))
def test_amount_off_discount_is_the_coupon_or_everything_discountable(lines, amount_off):
    result = compute(lines, discount=Discount(amount_off=amount_off))
    discountable = sum(line.amount for line in lines if line.discountable)
    assert result.discount == min(amount_off, discountable)


@given(
    amount=st.integers(0, 10**12),
    weights=st.lists(st.integers(0, 10**9), min_size=1, max_size=20),
)
def test_allocate_shares_add_up_and_stay_within_one_of_the_exact_share(amount, weights):
    shares = allocate(amount, weights)
    assert len(shares) == len(weights)
    total_weight = sum(weights)
    if total_weight == 0:
        assert shares == [0] * len(weights)
        return
    assert sum(shares) == amount
    for share, weight in zip(shares, weights, strict=True):
        exact = Decimal(amount) * weight / total_weight
        assert abs(share - exact) < 1
        assert share >= 0
        if weight == 0:
            assert share == 0
