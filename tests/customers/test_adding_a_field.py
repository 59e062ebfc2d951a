"""The "Adding a customer field" checklist (docs/decisions.md), followed on a copy of the
project: a `nickname` field is declared on the model, placed in a section of the form and
its migration made; the copy's own test then shows it created, edited, exported and
imported with nothing else written. Until it has a section, the system check refuses to
start the copy: the one hand-kept list cannot be forgotten."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COPIED = ["config", "core", "activity", "customers", "ledger", "billing", "api", "templates",
          "static", "locale", "tests", "manage.py", "pyproject.toml"]  # fmt: skip
IGNORED = shutil.ignore_patterns("__pycache__", "fonts", "*.sqlite3*")

FIELD_AFTER = "    metadata = models.JSONField("
FIELD = "    nickname = models.CharField(max_length=40, blank=True, validators=[single_line])\n"
SECTION = '("Account information", ["name", "email", "description", "phone"'

NEW_FIELD_TEST = """
import pytest
from django.urls import reverse

from customers.imports.services import import_apply, import_check, import_create
from customers.models import PROFILE_FIELDS
from tests.factories import make_customer, profile_post_data

pytestmark = pytest.mark.django_db


def test_the_new_field_is_edited_exported_and_imported(billing_client, ops_client):
    assert "nickname" in PROFILE_FIELDS
    customer = make_customer(nickname="Ace")
    url = reverse("customers:edit", args=[customer.public_id])
    page = billing_client.get(url).content.decode()
    assert 'name="nickname"' in page and 'value="Ace"' in page

    data = profile_post_data(name=customer.name, email=customer.email,
                             invoice_prefix=customer.invoice_prefix, nickname="Bee")
    billing_client.post(url, data)
    customer.refresh_from_db()
    assert customer.nickname == "Bee"

    response = ops_client.get(reverse("customers:export"))
    export = b"".join(response.streaming_content).decode()
    header, row = export.splitlines()[:2]
    assert header.split(",").index("nickname") == row.split(",").index("Bee")

    record = import_create(data=export.replace(",Bee,", ",Cee,").encode(), file_name="c.csv")
    import_check(record)
    import_apply(record)
    customer.refresh_from_db()
    assert customer.nickname == "Cee"
"""


def _run(copy, *args):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_TEST_PATH"}}
    env |= {"DJANGO_DEBUG": "1", "SQLITE_TEST_PATH": str(copy / "test.sqlite3"),
            "DATABASE_URL": f"sqlite:///{copy / 'db.sqlite3'}"}  # fmt: skip
    return subprocess.run(
        [sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, timeout=300
    )


def _edit(path, anchor, change):
    text = path.read_text()
    assert text.count(anchor) == 1, f"{path}: the checklist's anchor moved: {anchor!r}"
    path.write_text(text.replace(anchor, change(anchor)))


def test_a_field_declared_on_the_model_is_edited_exported_and_imported(tmp_path):
    copy = tmp_path / "project"
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=IGNORED)
        else:
            copy.mkdir(exist_ok=True)
            shutil.copy(source, copy / name)

    # 1. Declare the field on the model. Until it has a place in the form, the system
    # check (run by every manage.py command) names it.
    _edit(copy / "customers/models/customer.py", FIELD_AFTER, lambda anchor: FIELD + anchor)
    checked = _run(copy, "manage.py", "check")
    assert checked.returncode != 0
    assert "customers.E003" in checked.stderr and "'nickname'" in checked.stderr

    # 2. Place it in a section of the form, and make its migration.
    _edit(copy / "customers/forms.py", SECTION, lambda anchor: anchor + ', "nickname"')
    made = _run(copy, "manage.py", "makemigrations", "customers", "--name", "nickname")
    assert made.returncode == 0, made.stdout + made.stderr

    # Nothing else: the copy's own test shows it edited, exported and imported.
    (copy / "tests/customers/test_new_field.py").write_text(NEW_FIELD_TEST)
    tested = _run(copy, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
                  "tests/customers/test_new_field.py")  # fmt: skip
    assert tested.returncode == 0, tested.stdout[-3000:] + tested.stderr[-3000:]
