"""Each app owns its tables' raw SQL (`<app>/sql.py`): no module outside an app names
one of its tables in code; other apps call the app's functions. Comments and migrations
don't count; read from the source, so SQL in any string is caught."""

import ast
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


# Where raw SQL may run: each app's sql.py; its triggers.py, for trigger DDL only (CREATE,
# DROP, ALTER); core/db.py, which installs the triggers and reads the database's trigger
# catalog; and migrations. No management command needs it (list one here with its reason).
RAW_SQL_CALLS = {"execute", "executemany", "raw", "extra"}
DDL = ("CREATE ", "DROP ", "ALTER ")
RAW_SQL_ALLOWED = {"core/db.py"}


def _raw_sql_calls(source):
    """(line, what, statement text or None) for each raw SQL call in a module: a method
    named in RAW_SQL_CALLS, or RawSQL(...). The text is the first argument's literal start
    (an f-string's too), None when it is not a literal."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in RAW_SQL_CALLS | {"RawSQL"}:
            continue
        first = node.args[0] if node.args else None
        if isinstance(first, ast.JoinedStr) and first.values:
            first = first.values[0]
        text = first.value if isinstance(first, ast.Constant) else None
        yield node.lineno, name, text if isinstance(text, str) else None


def _raw_sql_refusals(path, source):
    relative = path.relative_to(ROOT).as_posix()
    if relative in RAW_SQL_ALLOWED or path.name == "sql.py" or "migrations" in path.parts:
        return []
    refusals = []
    for line, name, text in _raw_sql_calls(source):
        if path.name == "triggers.py" and text and text.lstrip().upper().startswith(DDL):
            continue
        refusals.append(f"{relative}:{line} runs raw SQL ({name})")
    return refusals


def _all_modules():
    for package in sorted(ROOT.iterdir()):
        if package.name in NOT_APP_CODE or not (package / "__init__.py").exists():
            continue
        yield from sorted(package.rglob("*.py"))


def test_raw_sql_runs_only_in_an_apps_sql_module():
    found = [
        refusal
        for path in _all_modules()
        for refusal in _raw_sql_refusals(path, path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_raw_sql_rule_sees_data_sql_outside_sql_py_and_in_triggers():
    """The scan finds what it must, so an empty list above means something."""
    source = (
        "# cursor.execute('SELECT 1') in a comment is fine\n"
        'cursor.execute("SELECT 1")\n'
        'cursor.execute(f"DROP TRIGGER {name}")\n'
        "Customer.objects.raw(query)\n"
        'qs.annotate(x=RawSQL("1", []))\n'
    )
    services = ROOT / "customers" / "services.py"
    assert _raw_sql_refusals(services, source) == [
        "customers/services.py:2 runs raw SQL (execute)",
        "customers/services.py:3 runs raw SQL (execute)",
        "customers/services.py:4 runs raw SQL (raw)",
        "customers/services.py:5 runs raw SQL (RawSQL)",
    ]
    triggers = ROOT / "customers" / "triggers.py"
    assert _raw_sql_refusals(triggers, source) == [
        "customers/triggers.py:2 runs raw SQL (execute)",
        "customers/triggers.py:4 runs raw SQL (raw)",
        "customers/triggers.py:5 runs raw SQL (RawSQL)",
    ]
    assert _raw_sql_refusals(ROOT / "customers" / "sql.py", source) == []
