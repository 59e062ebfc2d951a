"""Each app owns its tables' raw SQL (`<app>/sql.py`): no module outside an app names
one of its tables in code; other apps call the app's functions. Comments and migrations
don't count; read from the source, so SQL in any string is caught."""

import io
import re
import tokenize
from pathlib import Path

import pytest
from django.apps import apps

from customers.triggers import FTS

ROOT = Path(__file__).resolve().parent.parent
APPS = ("customers", "ledger", "billing")
NOT_APP_CODE = {"tests", "bench"}  # bench seeds its data with raw INSERTs on purpose


def _tables(label):
    config = apps.get_app_config(label)
    tables = {model._meta.db_table for model in config.get_models(include_auto_created=True)}
    return tables | ({FTS} if label == "customers" else set())


def _code_tokens(source):
    """The names and strings of a module, comments left out."""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.NAME, tokenize.STRING):
            yield token.start[0], token.string


def _named_tables(source, tables):
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, sorted(tables))) + r")(?!\w)")
    for line, text in _code_tokens(source):
        for match in pattern.finditer(text):
            yield line, match.group(1)


def _modules_outside(label):
    for package in sorted(ROOT.iterdir()):
        if package.name == label or package.name in NOT_APP_CODE:
            continue
        if not (package / "__init__.py").exists():
            continue
        for path in sorted(package.rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


@pytest.mark.parametrize("label", APPS)
def test_no_module_outside_an_app_names_its_tables(label):
    tables = _tables(label)
    found = [
        f"{path.relative_to(ROOT)}:{line} names {table}"
        for path in _modules_outside(label)
        for line, table in _named_tables(path.read_text(encoding="utf-8"), tables)
    ]
    assert found == []


def test_the_check_sees_a_table_in_code_but_not_in_a_comment():
    """The scan itself finds SQL in a string, so an empty list above means something."""
    source = (
        "# UPDATE customers_customer in a comment is fine\n"
        'SQL = "UPDATE customers_customer SET x = 1"\n'
        'OTHER = f"SELECT 1 FROM {table} JOIN customers_customerbalance"\n'
    )
    tables = {"customers_customer"}
    assert list(_named_tables(source, tables)) == [(2, "customers_customer")]
