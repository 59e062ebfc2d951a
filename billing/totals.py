"""Invoice arithmetic in integer minor units. No database access.

Rounding, everywhere: exact Decimal arithmetic, then half away from zero ("half up")
to the minor unit, once per line and tax rate. The invoice's figures are sums of the
rounded line figures, so the lines always add up to the totals printed under them.

- Discounts apply before tax, to discountable lines only. A percent-off coupon takes
  its percentage of each discountable line; an amount-off coupon is shared between the
  discountable lines in proportion to their amounts (largest remainder, so the shares
  add up to the coupon exactly) and never exceeds them: a discount never makes a total
  negative.
- Exclusive tax is added: round(taxable × rate). Inclusive tax is already inside the
  line amount: round(taxable × rate / (100 + the line's inclusive rates)).
- total = subtotal − discount + exclusive tax.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Rate:
    key: Hashable  # whatever names the rate to the caller (a TaxRate's pk)
    percentage: Decimal
    inclusive: bool


@dataclass(frozen=True)
class Line:
    amount: int
    discountable: bool = True
    rates: tuple[Rate, ...] = ()


@dataclass(frozen=True)
class Discount:
    percent_off: Decimal | None = None
    amount_off: int | None = None


@dataclass
class LineTotals:
    discount: int = 0
    taxes: dict[Hashable, int] = field(default_factory=dict)  # rate key -> minor units


@dataclass
class Totals:
    subtotal: int
    discount: int
    exclusive_tax: int
    inclusive_tax: int
    total: int
    lines: list[LineTotals]
    tax_by_rate: dict[Hashable, int]  # rate key -> minor units, in the order first met

    @property
    def tax(self) -> int:
        return self.exclusive_tax + self.inclusive_tax


class MixedTaxRatesError(ValueError):
    pass


def round_half_up(value: Decimal | int) -> int:
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def allocate(amount: int, weights: Sequence[int]) -> list[int]:
    """Split `amount` in proportion to non-negative `weights`; the shares add up to it."""
    total_weight = sum(weights)
    if amount == 0 or total_weight == 0:
        return [0] * len(weights)
    exact = [Decimal(amount) * w / total_weight for w in weights]
    shares = [int(e) for e in exact]  # floor: all are non-negative
    leftover = amount - sum(shares)
    by_remainder = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[:leftover]:
        shares[i] += 1
    return shares


def compute(
    lines: Sequence[Line], *, discount: Discount | None = None, taxable: bool = True
) -> Totals:
    """The totals of an invoice with these lines. `taxable=False` for customers that are
    tax exempt or reverse charge: no tax at all, inclusive or not."""
    line_totals = [LineTotals() for _ in lines]
    _apply_discount(lines, line_totals, discount)
    exclusive = inclusive = 0
    tax_by_rate: dict[Hashable, int] = {}
    for line, totals in zip(lines, line_totals, strict=True):
        if not taxable or not line.rates:
            continue
        if len({rate.inclusive for rate in line.rates}) > 1:
            raise MixedTaxRatesError("A line's tax rates must be all inclusive or all exclusive.")
        base = Decimal(line.amount - totals.discount)
        if line.rates[0].inclusive:
            divisor = HUNDRED + sum(rate.percentage for rate in line.rates)
        else:
            divisor = HUNDRED
        for rate in line.rates:
            amount = round_half_up(base * rate.percentage / divisor)
            totals.taxes[rate.key] = totals.taxes.get(rate.key, 0) + amount
            tax_by_rate[rate.key] = tax_by_rate.get(rate.key, 0) + amount
            if rate.inclusive:
                inclusive += amount
            else:
                exclusive += amount
    subtotal = sum(line.amount for line in lines)
    discount_total = sum(t.discount for t in line_totals)
    return Totals(
        subtotal=subtotal,
        discount=discount_total,
        exclusive_tax=exclusive,
        inclusive_tax=inclusive,
        total=subtotal - discount_total + exclusive,
        lines=line_totals,
        tax_by_rate=tax_by_rate,
    )


def _apply_discount(
    lines: Sequence[Line], line_totals: list[LineTotals], discount: Discount | None
) -> None:
    if discount is None:
        return
    eligible = [i for i, line in enumerate(lines) if line.discountable and line.amount > 0]
    if discount.percent_off is not None:
        for i in eligible:
            line_totals[i].discount = round_half_up(
                Decimal(lines[i].amount) * discount.percent_off / HUNDRED
            )
    elif discount.amount_off:
        amounts = [lines[i].amount for i in eligible]
        shares = allocate(min(discount.amount_off, sum(amounts)), amounts)
        for i, share in zip(eligible, shares, strict=True):
            line_totals[i].discount = share


def apply_balance(total: int, balance: int) -> int:
    """How much of a customer balance an invoice takes (the `applied_balance`): a
    credit (negative balance) up to the total, an owed amount (positive) in full."""
    if balance < 0:
        return max(balance, -total)
    return balance
