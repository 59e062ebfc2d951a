"""The tax ID type labels are translated for the PDFs (locale/): makemessages must find
them in the code, or it would mark their translations obsolete."""

import shutil
import subprocess
from pathlib import Path

import pytest

import customers.tax_ids
from customers.tax_ids import TAX_ID_TYPES


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs GNU gettext (as makemessages)")
def test_makemessages_extracts_every_tax_id_type_label():
    # The keywords Django's makemessages passes to xgettext for Python files.
    extracted = subprocess.run(
        ["xgettext", "--language=Python", "--from-code=UTF-8", "--keyword=gettext_noop",
         "--keyword=gettext_lazy", "--keyword=gettext", "--output=-",
         Path(customers.tax_ids.__file__)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    missing = [
        label for label, *_rest in TAX_ID_TYPES.values() if f'msgid "{label}"' not in extracted
    ]
    assert missing == []
