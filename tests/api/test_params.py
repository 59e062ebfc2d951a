from urllib.parse import parse_qsl

import pytest
from django.test import RequestFactory

from api import errors
from api.errors import ApiError
from api.params import Params, decode, decode_request


def d(query):
    return decode(parse_qsl(query, keep_blank_values=True))


def p(query):
    return Params(d(query))


def error_of(call):
    with pytest.raises(ApiError) as raised:
        call()
    return raised.value


# decode


def test_decode_scalars_nested_dicts_and_empty_values():
    assert d("email=a@b.co&metadata[plan]=pro&metadata[old]=&address[city]=Paris") == {
        "email": "a@b.co",
        "metadata": {"plan": "pro", "old": ""},
        "address": {"city": "Paris"},
    }
    assert d("metadata=&limit=20&created[gte]=1700000000") == {
        "metadata": "",
        "limit": "20",
        "created": {"gte": "1700000000"},
    }


def test_decode_lists_by_index_and_by_append():
    assert d("preferred_locales[0]=fr-CA&preferred_locales[1]=en") == {
        "preferred_locales": ["fr-CA", "en"]
    }
    assert d("expand[]=tax_ids&expand[]=sources") == {"expand": ["tax_ids", "sources"]}
    assert d("expand[0]=tax_ids") == {"expand": ["tax_ids"]}
    assert d("a[10]=ten&a[2]=two") == {"a": ["two", "ten"]}


def test_decode_lists_of_dicts_and_deep_names():
    assert d("tax_id_data[0][type]=eu_vat&tax_id_data[0][value]=DE123456789") == {
        "tax_id_data": [{"type": "eu_vat", "value": "DE123456789"}]
    }
    query = (
        "invoice_settings[custom_fields][0][name]=PO"
        "&invoice_settings[rendering_options][amount_tax_display]=include_inclusive_tax"
    )
    assert d(query) == {
        "invoice_settings": {
            "custom_fields": [{"name": "PO"}],
            "rendering_options": {"amount_tax_display": "include_inclusive_tax"},
        }
    }


def test_decode_accepts_the_same_value_twice():
    assert d("email=a&email=a") == {"email": "a"}


@pytest.mark.parametrize(
    "query, param",
    [
        ("a[b=1", "a"),
        ("a]=1", "a]"),
        ("a[b]c=1", "a"),
        ("[a]=1", "[a]"),
        ("a=x&a[b]=y", "a"),
        ("a[b]=y&a=x", "a"),
        ("a[]=x&a[b]=y", "a"),
        ("a[0]=x&a[b]=y", "a"),
        ("a[b]=x&a[0]=y", "a"),
        ("email=a&email=b", "email"),
        ("a[][b]=1", "a"),
    ],
)
def test_decode_refuses_malformed_names(query, param):
    error = error_of(lambda: d(query))
    assert (error.param, error.code) == (param, "parameter_invalid")
    assert param in error.message


def test_decode_bounds_pairs_and_depth():
    decode([("a", "1")] * 1000)
    assert error_of(lambda: decode([("a", "1")] * 1001)).param is None
    assert d("a[1][2][3][4][5]=x") == {"a": [[[[["x"]]]]]}
    error = error_of(lambda: d("a[1][2][3][4][5][6]=x"))
    assert error.param is None and "nested too deeply" in error.message


def test_decode_request_reads_get_and_form_post_and_refuses_json():
    factory = RequestFactory()
    get = factory.get("/v1/customers", {"limit": "3", "expand[]": ["a", "b"]})
    assert decode_request(get) == {"limit": "3", "expand": ["a", "b"]}
    post = factory.post(
        "/v1/customers",
        "metadata[plan]=pro&email=",
        content_type="application/x-www-form-urlencoded",
    )
    assert decode_request(post) == {"metadata": {"plan": "pro"}, "email": ""}
    empty = factory.post("/v1/invoices/in_1/finalize", "", content_type="")
    assert decode_request(empty) == {}
    json_post = factory.post("/v1/customers", {"email": "a"}, content_type="application/json")
    assert (
        "application/x-www-form-urlencoded" in error_of(lambda: decode_request(json_post)).message
    )
    query_post = factory.post("/v1/customers?email=a", "", content_type="")
    assert "query string" in error_of(lambda: decode_request(query_post)).message


# Params: scalars


def test_string_reads_absent_empty_and_values():
    params = p("email=a@b.co&name=")
    assert params.string("email") == "a@b.co"
    assert params.string("name") == ""
    assert params.string("phone") is None


def test_string_errors():
    assert error_of(lambda: p("").string("email", required=True)).code == "parameter_missing"
    error = error_of(lambda: p("email=").string("email", required=True))
    assert error.code == "parameter_invalid_empty"
    error = error_of(lambda: p("email[a]=b").string("email"))
    assert (error.param, error.message) == ("email", 'Invalid string: {"a": "b"}')
    error = error_of(lambda: p("name=abcdef").string("name", max_length=5))
    assert error.message == "Invalid string: abcdef; must be at most 5 characters"


def test_integer_reads_and_checks_bounds():
    assert p("limit=20").integer("limit", min=1, max=100) == 20
    assert p("amount=-5").integer("amount") == -5
    assert p("").integer("limit") is None
    error = error_of(lambda: p("limit=abc").integer("limit"))
    assert (error.code, error.message) == ("parameter_invalid_integer", "Invalid integer: abc")
    assert error_of(lambda: p("limit=1.5").integer("limit")).code == "parameter_invalid_integer"
    assert error_of(lambda: p("a=99999999999999999999").integer("a")).message.startswith("Invalid")
    assert "at least 1" in error_of(lambda: p("limit=0").integer("limit", min=1)).message
    assert "at most 100" in error_of(lambda: p("limit=101").integer("limit", max=100)).message
    assert error_of(lambda: p("").integer("amount", required=True)).code == "parameter_missing"
    assert error_of(lambda: p("limit=").integer("limit")).code == "parameter_invalid_empty"


def test_boolean():
    assert p("a=true&b=false").boolean("a") is True
    assert p("a=true&b=false").boolean("b") is False
    assert p("").boolean("a") is None
    assert error_of(lambda: p("a=yes").boolean("a")).message == "Invalid boolean: yes"


def test_choice():
    assert p("tax_exempt=none").choice("tax_exempt", ("none", "exempt")) == "none"
    assert p("tax_exempt=").choice("tax_exempt", ("", "none")) == ""
    error = error_of(lambda: p("tax_exempt=x").choice("tax_exempt", ("none", "exempt", "reverse")))
    assert error.message == "Invalid tax_exempt: must be one of none, exempt, reverse"
    assert error_of(lambda: p("t=").choice("t", ("a",))).code == "parameter_invalid_empty"
    assert error_of(lambda: p("").choice("t", ("a",), required=True)).code == "parameter_missing"


# Params: nested readers


def test_dictionary_sub_reader_and_path_names():
    params = p("address[city]=Paris&address[line1]=1 rue&shipping=")
    address = params.dictionary("address")
    assert isinstance(address, Params) and address.string("city") == "Paris"
    assert params.string("address[line1]") == "1 rue"
    assert params.dictionary("shipping") == ""
    assert params.dictionary("nope") is None
    assert params.string("shipping[name]") is None
    params.check_all_read()
    error = error_of(lambda: p("address[city][x]=1").string("address[city]"))
    assert error.param == "address[city]"
    assert error_of(lambda: p("address=Paris").dictionary("address")).message == "Invalid hash"


def test_missing_nested_parameter_is_named_in_brackets():
    error = error_of(lambda: p("address[line1]=x").string("address[city]", required=True))
    assert error.param == "address[city]"


def test_list_items_are_strings_or_sub_readers_named_by_position():
    params = p("tax_id_data[0][type]=eu_vat&tax_id_data[0][value]=x&tags[]=a&old=")
    (item,) = params.list("tax_id_data")
    error = error_of(lambda: item.integer("type"))
    assert error.param == "tax_id_data[0][type]"
    assert params.list("tags") == ["a"]
    assert params.list("old") == ""
    assert params.list("nope") is None
    assert error_of(lambda: p("tags=a").list("tags")).message == "Invalid array"


def test_metadata_rules():
    assert p("metadata[plan]=pro&metadata[old]=").metadata() == {"plan": "pro", "old": ""}
    assert p("metadata=").metadata() == ""
    assert p("").metadata() is None
    many = "&".join(f"metadata[k{i}]=v" for i in range(51))
    assert "at most 50 keys" in error_of(lambda: p(many).metadata()).message
    assert error_of(lambda: p(f"metadata[{'k' * 41}]=v").metadata()).param.startswith("metadata[")
    assert error_of(lambda: p(f"metadata[k]={'v' * 501}").metadata()).param == "metadata[k]"
    assert error_of(lambda: p("metadata[k][x]=v").metadata()).param == "metadata[k]"
    assert error_of(lambda: Params({"metadata": {"a[b": "v"}}).metadata()).param == "metadata[a[b]"
    assert error_of(lambda: p("metadata=pro").metadata()).param == "metadata"
    assert error_of(lambda: p("metadata[0]=pro").metadata()).param == "metadata"


def test_timestamp_filter():
    assert p("created=123").timestamp_filter("created") == {"eq": 123}
    assert p("created[gt]=1&created[lte]=2").timestamp_filter("created") == {"gt": 1, "lte": 2}
    assert p("").timestamp_filter("created") is None
    error = error_of(lambda: p("created[foo]=1").timestamp_filter("created"))
    assert (error.param, error.code) == ("created[foo]", "parameter_unknown")
    assert error_of(lambda: p("created[gt]=x").timestamp_filter("created")).param == "created[gt]"


def test_expand():
    assert p("expand[]=tax_ids&expand[]=sources").expand() == ["tax_ids", "sources"]
    assert p("").expand() == []
    assert error_of(lambda: p("expand=tax_ids").expand()).message == "Invalid array"


# Params: bookkeeping


def test_refuse_raises_for_the_first_sent_name():
    params = p("currency=eur&address[city]=x")
    params.refuse(["source", "coupon"], errors.not_supported)
    error = error_of(lambda: params.refuse(["source", "address[city]"], errors.not_supported))
    assert (error.param, error.code) == ("address[city]", "parameter_not_supported")


def test_sent():
    params = p("a=&b[c]=1")
    assert params.sent("a") and params.sent("b[c]")
    assert not params.sent("x") and not params.sent("a[c]") and not params.sent("b[d]")


def test_check_all_read_names_the_first_unread_in_request_order():
    params = p("email=a&zzz=1&address[city]=P&address[foo]=2")
    params.string("email")
    params.string("address[city]")
    error = error_of(params.check_all_read)
    assert (error.param, error.code) == ("zzz", "parameter_unknown")
    params.string("zzz")
    assert error_of(params.check_all_read).param == "address[foo]"


def test_check_all_read_finds_unread_keys_in_list_items():
    params = p("tax_id_data[0][type]=eu_vat&tax_id_data[1][type]=x&tax_id_data[1][bad]=y")
    for item in params.list("tax_id_data"):
        item.string("type")
    assert error_of(params.check_all_read).param == "tax_id_data[1][bad]"


def test_check_all_read_passes_when_everything_was_read():
    params = p("email=a&metadata[x]=1&created[gt]=5&expand[]=x")
    params.string("email")
    params.metadata()
    params.timestamp_filter("created")
    params.expand()
    params.check_all_read()
