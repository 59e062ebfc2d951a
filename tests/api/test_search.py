import datetime

import pytest

from api.errors import ApiError
from api.search import Clause, Query, customers_matching, parse
from customers.services import customer_delete
from tests.factories import make_customer

# 2024-01-01T00:00:00Z and the seconds after it.
T0 = 1_704_067_200


def at(seconds, microseconds=0):
    moment = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    return moment + datetime.timedelta(microseconds=microseconds)


def error_of(query):
    with pytest.raises(ApiError) as raised:
        parse(query)
    error = raised.value
    assert (error.param, error.code, error.status) == ("query", "parameter_invalid", 400)
    return error.message


# Parsing


@pytest.mark.parametrize(
    ("query", "clause"),
    [
        ('email:"amy@example.com"', Clause("email", ":", "amy@example.com")),
        ("name~'Lovelace'", Clause("name", "~", "Lovelace")),
        ('phone:"+44 20 7946 0000"', Clause("phone", ":", "+44 20 7946 0000")),
        ("metadata['plan']:'pro'", Clause("metadata", ":", "pro", key="plan")),
        ('metadata["order id"]:"42"', Clause("metadata", ":", "42", key="order id")),
        ("created>1704067200", Clause("created", ">", 1704067200)),
        ("created<1704067200", Clause("created", "<", 1704067200)),
        ("created>=1704067200", Clause("created", ">=", 1704067200)),
        ("created<=1704067200", Clause("created", "<=", 1704067200)),
        ('created:"1704067200"', Clause("created", ":", 1704067200)),
        ("-email:'x@example.com'", Clause("email", ":", "x@example.com", negated=True)),
        ("metadata['plan']:null", Clause("metadata", ":", None, key="plan")),
        ("-metadata['plan']:NULL", Clause("metadata", ":", None, key="plan", negated=True)),
        ("email:'null'", Clause("email", ":", "null")),
        ("  name:'Ada'  ", Clause("name", ":", "Ada")),
    ],
)
def test_parse_reads_each_kind_of_clause(query, clause):
    assert parse(query) == Query([clause], "AND")


@pytest.mark.parametrize(
    ("query", "value"),
    [
        (r'name:"the \"Sky\" and Sea"', 'the "Sky" and Sea'),
        (r"name:'O\'Brien'", "O'Brien"),
        ("name:'say \"hi\"'", 'say "hi"'),
        (r'name:"back\\slash"', "back\\slash"),
    ],
)
def test_parse_unescapes_quotes(query, value):
    assert parse(query).clauses[0].value == value


@pytest.mark.parametrize(
    ("query", "joiner"),
    [
        ("name:'a' email:'b'", "AND"),
        ("name:'a' AND email:'b'", "AND"),
        ("name:'a' and email:'b'", "AND"),
        ("name:'a' AND email:'b' phone:'c'", "AND"),
        ("name:'a' OR email:'b'", "OR"),
        ("name:'a' or email:'b' OR phone:'1'", "OR"),
    ],
)
def test_parse_joins_clauses_with_and_or_or(query, joiner):
    parsed = parse(query)
    assert parsed.joiner == joiner
    assert [c.field for c in parsed.clauses] == ["name", "email", "phone"][: len(parsed.clauses)]


def test_parse_takes_ten_clauses_but_not_eleven():
    ten = " AND ".join(f"created>{n}" for n in range(10))
    assert len(parse(ten).clauses) == 10
    assert "at most 10 clauses (at character 141" in error_of(ten + " AND created>10")


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("", "The query is empty (at character 1"),
        ("description:'x'", "Unsupported field 'description': search customers by created, "),
        ("name:'a' email:'b' OR phone:'c'", "AND or OR, not both (at character 20"),
        ("name:'a' OR email:'b' phone:'c'", "AND or OR, not both (at character 23"),
        ("name:Ada", 'Quote string values, like "value" (at character 6'),
        ("name:'Ada", "This quote is never closed (at character 6"),
        ("name~'Ad'", "at least 3 characters (at character 6"),
        ("email>'a@b.c'", "email does not take the operator '>' (at character 6"),
        ("metadata['k']~'abc'", "metadata does not take the operator '~' (at character 14"),
        ("created~'123'", "created does not take the operator '~' (at character 8"),
        ("created>yesterday", "Unix timestamp in seconds (at character 9"),
        ("created>'12.5'", "Unix timestamp in seconds (at character 9"),
        ("created:null", "created:null is not a search (at character 9"),
        ("name~null", "name~null is not a search (at character 6"),
        ("name='Ada'", "Expected an operator (: ~ > < >= <=) after the field (at character 5"),
        ("name :'Ada'", "Expected an operator"),
        ("name:", "Expected a value (at character 6"),
        ("name:'a'email:'b'", "Separate clauses with a space, AND or OR (at character 9"),
        ("name:'a' AND", "Expected a clause after AND (at character 13"),
        ("name:'a' OR ", "Expected a clause after OR (at character 13"),
        ("metadata:'x'", "Name the metadata key like metadata['key'] (at character 9"),
        ("metadata[plan]:'x'", "Quote the metadata key (at character 10"),
        ("metadata['']:'x'", "The metadata key is empty"),
        ("metadata['plan':'x'", "Expected ] after the metadata key (at character 16"),
        ("(name:'a')", "Expected a field name (at character 1"),
    ],
)
def test_parse_errors_name_the_problem_and_where(query, problem):
    message = error_of(query)
    assert message.startswith("Invalid query: ")
    assert problem in message


# Results


@pytest.fixture
def ada(db):
    return make_customer(
        name="Ada Lovelace",
        email="Ada@Example.com",
        phone="+44 20 7946 0000",
        metadata={"plan": "pro", "team": "engines"},
        created=at(T0, 500_000),
    )


@pytest.fixture
def grace(db):
    return make_customer(
        name="Grace Hopper",
        email="grace@navy.example",
        phone="+1 555 0100",
        metadata={"plan": "free"},
        created=at(T0 + 10),
    )


@pytest.fixture
def alan(db):
    return make_customer(name="Alan Turing", email="", created=at(T0 + 20))


@pytest.fixture
def customers(ada, grace, alan):
    return {"ada": ada, "grace": grace, "alan": alan}


def names(query):
    return [customer.name.split()[0] for customer in customers_matching(query)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Exact email, in any case; not a part of one.
        ("email:'ada@example.com'", ["Ada"]),
        ("email:'ADA@EXAMPLE.COM'", ["Ada"]),
        ("email:'ada@example'", []),
        ("email~'EXAMPLE'", ["Grace", "Ada"]),
        ("email~'navy'", ["Grace"]),
        # Not a name or metadata value that holds it: the email itself.
        ("email~'engines'", []),
        ("email:null", ["Alan"]),
        ("-email:null", ["Grace", "Ada"]),
        # Names: exact in any case, or a part of one.
        ("name:'ada lovelace'", ["Ada"]),
        ("name:'Ada'", []),
        ("name~'hop'", ["Grace"]),
        ("name~'ING'", ["Alan"]),
        ("phone:'+1 555 0100'", ["Grace"]),
        ("phone~'7946'", ["Ada"]),
        ("phone:null", ["Alan"]),
        # Metadata: exact values; null is a missing key.
        ("metadata['plan']:'pro'", ["Ada"]),
        ('metadata["plan"]:"free"', ["Grace"]),
        ("metadata['plan']:'pr'", []),
        ("metadata['team']:'pro'", []),
        ("metadata['plan']:null", ["Alan"]),
        ("-metadata['plan']:null", ["Grace", "Ada"]),
        ("-metadata['plan']:'pro'", ["Alan", "Grace"]),
        # Whole seconds, as the API shows `created` (Ada at T0 + 0.5 s is T0).
        (f"created:{T0}", ["Ada"]),
        (f"created>{T0}", ["Alan", "Grace"]),
        (f"created>={T0}", ["Alan", "Grace", "Ada"]),
        (f"created<{T0}", []),
        (f"created<={T0}", ["Ada"]),
        (f"created>{T0} created<{T0 + 20}", ["Grace"]),
        (f"created>={T0 + 10} AND created<={T0 + 20}", ["Alan", "Grace"]),
        # Combined.
        (f"email~'example' AND created>{T0}", ["Grace"]),
        ("name~'ada' OR metadata['plan']:'free'", ["Grace", "Ada"]),
        ("metadata['plan']:'pro' OR metadata['plan']:'free'", ["Grace", "Ada"]),
        ("metadata['plan']:'pro' metadata['team']:'engines'", ["Ada"]),
        ("metadata['plan']:'free' metadata['team']:'engines'", []),
        ("-name~'ada' -email:null", ["Grace"]),
        ("-name~'ada' OR email:null", ["Alan", "Grace"]),
    ],
)
def test_customers_matching(customers, query, expected):
    assert names(query) == expected


@pytest.mark.django_db
def test_customers_matching_leaves_out_deleted_customers(customers):
    customer_delete(customer=customers["ada"], deleted_by=None)
    assert names("name~'lace'") == []
    assert names("-name~'hopper'") == ["Alan"]
    assert names("name~'lace' OR name~'hopper'") == ["Grace"]


@pytest.mark.django_db
def test_customers_matching_orders_newest_first_then_by_id(db):
    same_moment = at(T0)
    first = make_customer(name="Twin one", created=same_moment)
    second = make_customer(name="Twin two", created=same_moment)
    newer = make_customer(name="Twin three", created=at(T0 + 1))
    assert list(customers_matching("name~'twin'")) == [newer, second, first]
