"""The customer form's row editors: metadata as rows of Key and Value inputs, and the
preferred languages as an ordered list of language menus. Both post plain form fields,
so they work without JavaScript (a few blank rows to fill); app.js adds and removes
rows and moves a language up."""

from functools import cache
from itertools import zip_longest
from typing import Any

from babel import Locale
from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from . import reference

BLANK_ROWS = 2  # offered under the filled rows; at least 3 when there are none


def _getlist(data: Any, name: str) -> list[str]:
    if hasattr(data, "getlist"):
        return list(data.getlist(name))
    value = data.get(name)  # a plain dict, as tests post
    return [] if value is None else [value] if isinstance(value, str) else list(value)


@cache
def language_choices() -> list[tuple[str, str]]:
    """(tag, label) in the reference order: the English name, the language's own name
    when it reads differently, and the tag, like "French (France) · Français (fr)"."""
    choices = []
    for tag, english in reference.DOCUMENT_LANGUAGES.items():
        locale = Locale.parse(tag, sep="-")
        own = locale.get_display_name(locale) or english
        own = own[:1].upper() + own[1:]
        same = own.split(" ")[0] == english.split(" ")[0]
        choices.append((tag, f"{english} ({tag})" if same else f"{english} · {own} ({tag})"))
    return choices


class RowsWidget(forms.Widget):
    """Shared by the two editors: posted with a `<name>_rows` marker, so an editor
    whose rows were all removed still says "none" rather than "not sent"."""

    template = ""
    use_fieldset = True

    def id_for_label(self, id_: str) -> str:
        return ""  # a group, named by its <legend>: there is no one control to point at

    def marker(self, name: str) -> str:
        return f"{name}_rows"

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return self.marker(name) not in data and name not in data

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        context = {"name": name, "marker": self.marker(name), "attrs": attrs,
                   "rows": self.rows(value), "invalid": attrs.get("aria-invalid") == "true",
                   "describedby": attrs.get("aria-describedby", "")}  # fmt: skip
        context.update(self.extra_context())
        return SafeString(render_to_string(self.template, context))

    def rows(self, value: Any) -> list[Any]:
        raise NotImplementedError

    def extra_context(self) -> dict[str, Any]:
        return {}


class KeyValueRowsWidget(RowsWidget):
    """Posts `<name>_key` and `<name>_value` once a row; read back as [(key, value)]."""

    template = "customers/_key_value_rows.html"
    error_row: int | None = None  # set by MetadataRowsField.clean: the row in error

    def extra_context(self) -> dict[str, Any]:
        return {"error_row": self.error_row}

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if self.marker(name) not in data and f"{name}_key" not in data:
            return data.get(name)  # the key=value lines the form took before
        keys = _getlist(data, f"{name}_key")
        values = _getlist(data, f"{name}_value")
        return list(zip_longest(keys, values, fillvalue=""))

    def rows(self, value: Any) -> list[tuple[str, str]]:
        if isinstance(value, dict):
            filled = [(str(k), str(v)) for k, v in value.items()]
        elif isinstance(value, list):
            # As posted, blank rows between filled ones kept: the errors' "Row 3" is the third.
            filled = [(str(k), str(v)) for k, v in value]
            while filled and not any(filled[-1]):
                filled.pop()
        elif isinstance(value, str):
            lines = (line.partition("=") for line in value.splitlines() if line.strip())
            filled = [(k.strip(), v.strip()) for k, _, v in lines]
        else:
            filled = []
        return filled + [("", "")] * (BLANK_ROWS if filled else BLANK_ROWS + 1)


class LanguageRowsWidget(RowsWidget):
    """One language menu a row, in order of preference; posts `<name>` once a row."""

    template = "customers/_language_rows.html"

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return _getlist(data, name)

    def rows(self, value: Any) -> list[tuple[str, bool]]:
        """(tag, known) a row: a tag we cannot write in stays shown, as typed."""
        if isinstance(value, str):
            value = [value]
        tags = [t.strip() for item in value or [] for t in str(item).split(",") if t.strip()]
        blank = [""] * (1 if tags else BLANK_ROWS)
        return [(tag, tag in reference.DOCUMENT_LANGUAGES) for tag in tags + blank]

    def extra_context(self) -> dict[str, Any]:
        return {"choices": language_choices()}
