import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from customers.models import Customer
from customers.services import customer_delete
from ledger import services
from ledger.models import BalanceTransaction, CustomerBalance, TransactionType
from ledger.verify import ledger_problems
from tests.factories import adjust, make_customer, make_user

pytestmark = pytest.mark.django_db


def _balances(customer):
    return dict(CustomerBalance.objects.filter(customer=customer).values_list("currency", "amount"))


def test_credit_and_debit_move_the_balance_and_chain_ending_balances():
    customer = make_customer()
    user = make_user()
    credit = adjust(customer, -1000, internal_note="Goodwill", created_by=user)
    debit = adjust(customer, 250)
    assert credit.type == TransactionType.ADJUSTMENT and credit.is_credit
    assert credit.public_id.startswith("cbtxn_") and credit.created_by == user
    assert (credit.ending_balance, debit.ending_balance) == (-1000, -750)
    assert _balances(customer) == {"USD": -750}


def test_currencies_are_independent():
    customer = make_customer()
    adjust(customer, -1000, "USD")
    adjust(customer, 500, "EUR")
    adjust(customer, -7, "JPY")
    adjust(customer, -1, "USD")
    assert _balances(customer) == {"USD": -1001, "EUR": 500, "JPY": -7}
    assert list(ledger_problems()) == []


@pytest.mark.parametrize(
    ("amount", "currency"),
    [(0, "USD"), (1.5, "USD"), (True, "USD"), (100, "XXX"), (100_000_000_001, "USD"),
     (1_000_000_001, "JPY")],
)  # fmt: skip
def test_bad_amounts_and_currencies_post_nothing(amount, currency):
    customer = make_customer()
    with pytest.raises(ValidationError):
        adjust(customer, amount, currency)
    assert not BalanceTransaction.objects.exists() and not CustomerBalance.objects.exists()


def test_staff_adjustments_are_capped_with_a_reason():
    customer = make_customer()
    adjust(customer, -100_000_000_000)  # 1,000,000,000 USD, the most at a time
    with pytest.raises(ValidationError, match="At most 1,000,000,000 USD at a time."):
        adjust(customer, -100_000_000_001)
    with pytest.raises(ValidationError, match="At most 1,000,000,000 KWD at a time."):
        services.balance_open(customer=customer, amount=10**12 + 1, currency="KWD")
    assert _balances(customer) == {"USD": -100_000_000_000}


def test_system_postings_take_any_amount_the_balance_holds():
    customer = make_customer()
    adjust(customer, -100_000_000_000)
    adjust(customer, -100_000_000_000)
    applied = services.transaction_post(
        customer=customer, type=TransactionType.APPLIED_TO_INVOICE, amount=150_000_000_000,
        currency="USD",
    )  # fmt: skip
    assert applied.ending_balance == -50_000_000_000
    largest = 2**63 - 1
    posted = services.transaction_post(
        customer=customer, type=TransactionType.CREDIT_NOTE, amount=-largest, currency="EUR"
    )
    assert posted.ending_balance == -largest
    assert _balances(customer) == {"USD": -50_000_000_000, "EUR": -largest}
    assert list(ledger_problems()) == []


@pytest.mark.parametrize("amount", [-(2**63), 2**63, -2, 10**19])
def test_a_posting_beyond_what_the_balance_holds_is_refused(amount):
    customer = make_customer()
    services.transaction_post(
        customer=customer, type=TransactionType.CREDIT_NOTE, amount=-(2**63 - 2), currency="EUR"
    )
    with pytest.raises(ValidationError, match="beyond what a balance can hold"):
        services.transaction_post(
            customer=customer, type=TransactionType.CREDIT_NOTE, amount=amount, currency="EUR"
        )
    assert _balances(customer) == {"EUR": -(2**63 - 2)}
    assert BalanceTransaction.objects.count() == 1


def test_deleted_customer_balance_cannot_change():
    customer = make_customer()
    customer_delete(customer=customer, deleted_by=None)
    with pytest.raises(ValidationError):
        adjust(customer, 100)


def test_reversal_undoes_once_and_links_to_the_original():
    customer = make_customer()
    original = adjust(customer, -1000)
    reversal = services.transaction_reverse(original=original)
    assert reversal.amount == 1000 and reversal.reverses == original
    assert reversal.type == TransactionType.ADJUSTMENT
    assert reversal.description == f"Reversal of {original.public_id}"
    assert _balances(customer) == {"USD": 0}
    original.refresh_from_db()
    assert not original.can_be_reversed
    with pytest.raises(ValidationError, match="already been reversed"):
        services.transaction_reverse(original=original)
    with pytest.raises(ValidationError, match="not itself a reversal"):
        services.transaction_reverse(original=reversal)
    assert BalanceTransaction.objects.count() == 2


def test_only_adjustments_can_be_reversed():
    customer = make_customer()
    opening = services.balance_open(customer=customer, amount=-500, currency="EUR")
    assert opening.type == TransactionType.INITIAL and opening.ending_balance == -500
    with pytest.raises(ValidationError):
        services.transaction_reverse(original=opening)


def test_same_idempotency_key_posts_once():
    customer = make_customer()
    first = adjust(customer, -1000, idempotency_key="form-123")
    again = adjust(customer, -1000, idempotency_key="form-123")
    assert again == first
    assert BalanceTransaction.objects.count() == 1 and _balances(customer) == {"USD": -1000}


def test_same_key_with_other_values_is_refused():
    customer = make_customer()
    adjust(customer, -1000, idempotency_key="form-123")
    with pytest.raises(ValidationError, match="other values"):
        adjust(customer, 99900, idempotency_key="form-123")
    assert BalanceTransaction.objects.count() == 1


def test_a_key_taken_by_another_request_does_not_fake_a_reversal():
    customer = make_customer()
    original = adjust(customer, -1000)
    adjust(customer, -1, idempotency_key=f"reverse-{original.public_id}")
    with pytest.raises(ValidationError):
        services.transaction_reverse(
            original=original, idempotency_key=f"reverse-{original.public_id}"
        )


def test_retired_currencies_still_format_and_can_be_described():
    from core.money_format import format_money

    customer = make_customer()
    posted = services.transaction_post(
        customer=customer, type="adjustment", amount=-1000, currency="EUR"
    )
    # A balance in a currency since retired (HRK became EUR in 2023).
    assert format_money(-1050, "HRK").endswith("10.50")
    services.transaction_describe(balance_transaction=posted, description="ok", metadata={})


def test_idempotency_key_of_another_customer_is_refused():
    adjust(make_customer(), -1000, idempotency_key="form-123")
    with pytest.raises(ValidationError):
        adjust(make_customer(), -1000, idempotency_key="form-123")


def test_description_and_metadata_can_change_after_posting():
    posted = adjust(make_customer(), -1000, description="Before")
    services.transaction_describe(
        balance_transaction=posted, description="After", metadata={"ticket": "42"}
    )
    posted.refresh_from_db()
    assert posted.description == "After" and posted.metadata == {"ticket": "42"}
    with pytest.raises(ValidationError):
        services.transaction_describe(
            balance_transaction=posted, description="x" * 351, metadata={}
        )


class LedgerProperties(HypothesisTestCase):
    @settings(max_examples=25, deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.sampled_from(["USD", "EUR", "JPY", "KWD"]),
                st.integers(min_value=-(10**9), max_value=10**9).filter(bool),
                st.booleans(),
            ),
            min_size=1,
            max_size=25,
        )
    )
    def test_balance_equals_sum_equals_last_ending_balance(self, steps):
        customer = make_customer()
        for currency, amount, reverse in steps:
            posted = adjust(customer, amount, currency)
            if reverse:
                services.transaction_reverse(original=posted)
        for balance in CustomerBalance.objects.filter(customer=customer):
            transactions = BalanceTransaction.objects.filter(
                customer=customer, currency=balance.currency
            )
            assert balance.amount == sum(t.amount for t in transactions)
            assert balance.amount == transactions.order_by("-id").first().ending_balance
        assert list(ledger_problems()) == []


def test_customer_created_with_a_starting_balance_gets_an_initial_transaction():
    user = make_user("Billing staff")
    customer = services.customer_create_with_balance(
        fields={"name": "Ada", "email": "ada@example.com"},
        opening_amount=-2500,
        opening_currency="EUR",
        created_by=user,
    )
    opening = BalanceTransaction.objects.get(customer=customer)
    assert (opening.type, opening.amount, opening.currency) == ("initial", -2500, "EUR")
    assert opening.created_by == user


def test_customer_and_starting_balance_are_written_both_or_neither():
    with pytest.raises(ValidationError):
        services.customer_create_with_balance(
            fields={"name": "Ada", "email": "ada@example.com"},
            opening_amount=10**12 + 1,
            opening_currency="KWD",
        )
    assert not Customer.objects.exists() and not BalanceTransaction.objects.exists()


def test_only_a_user_who_may_post_to_the_ledger_sets_a_starting_balance():
    with pytest.raises(ValidationError, match="Your role cannot set a starting balance."):
        services.customer_create_with_balance(
            fields={"name": "Ada", "email": "ada@example.com"},
            opening_amount=1000,
            opening_currency="USD",
            created_by=make_user("Support"),
        )
    assert not Customer.objects.exists()
