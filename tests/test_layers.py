"""The dependency direction: core <- activity <- customers <- ledger <- billing <- api.
A module never imports from an app to its right; read from the source, so a lazy import
inside a function counts too."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("activity", "customers", "ledger", "billing", "api")


def _imported_packages(path):
    """The top-level packages a module imports (relative imports stay inside it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def _imports_of(package, forbidden):
    return sorted(
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in (ROOT / package).rglob("*.py")
        for line, name in _imported_packages(path)
        if name in forbidden
    )


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("core", APPS),
        ("activity", APPS),
        ("customers", ("ledger", "billing", "api")),
        ("ledger", ("billing", "api")),
        ("billing", ("api",)),
    ],
)
def test_no_module_imports_from_a_layer_above_it(package, forbidden):
    assert _imports_of(package, forbidden) == []


def test_the_check_sees_an_import(tmp_path):
    """The walk itself finds both spellings, so an empty list above means something."""
    module = tmp_path / "m.py"
    module.write_text("import ledger.models\n\ndef f():\n    from billing import views\n")
    assert [name for _line, name in _imported_packages(module)] == ["ledger", "billing"]
