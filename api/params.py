"""Request parameters in Stripe's bracket notation (`metadata[plan]=pro`, `expand[]=tax_ids`,
`tax_id_data[0][type]=eu_vat`): `decode` turns the pairs into nested dicts and lists, and
`Params` reads them with Stripe's checks while recording what was read, so a view can refuse
every parameter it did not expect (`check_all_read`) instead of silently ignoring it."""

import builtins
import json
import re
from collections.abc import Callable, Collection, Iterable
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, QueryDict

from api import errors
from api.errors import ApiError

MAX_PAIRS = 1000
MAX_DEPTH = 5  # brackets after the outer name; Stripe's deepest parameters use four
TIMESTAMP_OPERATORS = ("gt", "gte", "lt", "lte")
# 9999-12-31T23:59:58Z: a second later is still a datetime (created=N reads to N + 1).
LAST_TIMESTAMP = 253_402_300_798
METADATA_MAX_KEYS, METADATA_KEY_LENGTH, METADATA_VALUE_LENGTH = 50, 40, 500
INT64_MAX = 2**63 - 1

_NAME = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
_INTEGER = re.compile(r"-?[0-9]+")
_APPEND = object()  # the key of `a[]`: the next index


def decode(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Nested dicts for `a[b]`, lists for `a[0]` (in index order) and `a[]` (in sent order);
    values stay strings. Branches are built as dicts (int keys for lists) and converted last."""
    tree: dict[Any, Any] = {}
    for count, (name, value) in enumerate(pairs, start=1):
        if count > MAX_PAIRS:
            raise ApiError(f"Too many parameters: at most {MAX_PAIRS} are accepted.")
        _insert(tree, name, value)
    decoded: dict[str, Any] = _finish(tree)
    return decoded


def decode_request(request: HttpRequest) -> dict[str, Any]:
    """GET (and DELETE) read the query string; POST reads the form-encoded body only.
    Django's own limits on a request (DATA_UPLOAD_MAX_NUMBER_FIELDS and
    DATA_UPLOAD_MAX_MEMORY_SIZE) are answered as Stripe errors, not its HTML 400 page."""
    try:
        return _decode_request(request)
    except TooManyFieldsSent:
        raise ApiError(
            f"Too many parameters: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} are accepted."
        ) from None
    except RequestDataTooBig:
        raise ApiError(
            f"The request body is too large: at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} "
            "bytes are accepted."
        ) from None


def _decode_request(request: HttpRequest) -> dict[str, Any]:
    if request.method != "POST":
        return decode(_query_pairs(request.GET))
    if request.content_type != "application/x-www-form-urlencoded" and request.body:
        raise ApiError("Send parameters as application/x-www-form-urlencoded.")
    if request.GET:  # silently dropping them would leave the client thinking they applied
        raise ApiError("Send POST parameters in the request body, not the query string.")
    return decode(_query_pairs(request.POST))


def _query_pairs(query: QueryDict) -> Iterable[tuple[str, str]]:
    for name, values in query.lists():
        for value in values:
            yield name, value


def _insert(tree: dict[Any, Any], name: str, value: str) -> None:
    match = _NAME.fullmatch(name)
    outer = name.split("[", 1)[0] or name
    if not match:
        raise errors.invalid_parameter(
            outer, f"Invalid parameter name {name}: use brackets such as a[b]."
        )
    segments = _SEGMENT.findall(match[2])
    if len(segments) > MAX_DEPTH:
        raise ApiError(f"Parameter {name} is nested too deeply: at most {MAX_DEPTH} brackets.")
    if "" in segments[:-1]:
        raise errors.invalid_parameter(
            outer, f"Invalid parameter name {name}: [] may only end a name; use {outer}[0][...]."
        )
    keys: list[Any] = [outer] + [_segment_key(segment) for segment in segments]
    node, path = tree, outer
    for depth, key in enumerate(keys):
        if node and (key is _APPEND or isinstance(key, int)) != isinstance(next(iter(node)), int):
            raise errors.invalid_parameter(
                outer, f"Invalid {outer}: {path} mixes list indexes and keys."
            )
        if key is _APPEND:
            key = max(node, default=-1) + 1
        if depth:
            path += f"[{segments[depth - 1]}]"
        if depth == len(keys) - 1:
            existing = node.setdefault(key, value)
            if isinstance(existing, dict):
                raise errors.invalid_parameter(
                    outer, f"Invalid {outer}: {path} has both a value and keys."
                )
            if existing != value:
                raise errors.invalid_parameter(
                    outer, f"Invalid {outer}: {path} was sent twice with different values."
                )
        else:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise errors.invalid_parameter(
                    outer, f"Invalid {outer}: {path} has both a value and keys."
                )


def _segment_key(segment: str) -> Any:
    if segment == "":
        return _APPEND
    if segment.isascii() and segment.isdigit():
        return int(segment)
    return segment


def _finish(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and isinstance(next(iter(node)), int):
        return [_finish(node[index]) for index in sorted(node)]
    return {key: _finish(child) for key, child in node.items()}


def invalid_empty(param: str) -> ApiError:
    """Stripe's answer to `name=` for a parameter that cannot be unset."""
    return ApiError(
        f"You passed an empty string for '{param}'. We assume empty values are an attempt to "
        f"unset a parameter; however '{param}' cannot be unset. You should remove '{param}' "
        "from your request or supply a non-empty value.",
        param=param,
        code="parameter_invalid_empty",
    )


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 100 else text[:100] + "..."


def _integer(param: str, value: Any, min: int | None = None, max: int | None = None) -> int:
    if value == "":
        raise invalid_empty(param)
    if not isinstance(value, str) or not _INTEGER.fullmatch(value) or len(value) > 20:
        raise errors.invalid_parameter(
            param, f"Invalid integer: {_shown(value)}", "parameter_invalid_integer"
        )
    number = int(value)
    if abs(number) > INT64_MAX:
        raise errors.invalid_parameter(
            param, f"Invalid integer: {value}", "parameter_invalid_integer"
        )
    if min is not None and number < min:
        raise errors.invalid_parameter(param, f"Invalid {param}: must be at least {min}.")
    if max is not None and number > max:
        raise errors.invalid_parameter(param, f"Invalid {param}: must be at most {max}.")
    return number


class Params:
    """Reads decoded parameters and records which were read. A name may be a path into
    nested dicts (`"address[city]"`), read through the same sub-readers `dictionary` returns;
    errors name parameters in bracket form (`address[city]`, `tax_id_data[0][type]`)."""

    def __init__(self, data: dict[str, Any], prefix: str = "") -> None:
        self._data = data
        self._prefix = prefix
        self._read: set[str] = set()
        self._children: dict[str, Any] = {}  # key -> its Params, or its list of items

    def _full(self, key: str) -> str:
        return f"{self._prefix}[{key}]" if self._prefix else key

    def _full_path(self, name: str) -> str:
        outer, *segments = _split(name)
        return self._full(outer) + "".join(f"[{segment}]" for segment in segments)

    def _take(self, name: str) -> tuple["Params | None", str]:
        """The reader holding the last key of `name` (None when a parent was not sent or
        was unset) and that key, marked as read."""
        *parents, key = _split(name)
        reader: Params | None = self
        for parent in parents:
            child = reader.dictionary(parent) if reader else None
            reader = child if isinstance(child, Params) else None
        if reader:
            reader._read.add(key)
        return reader, key

    def _value(self, name: str) -> tuple[str, Any]:
        reader, key = self._take(name)
        if not reader:
            return self._full_path(name), None
        return reader._full(key), reader._data.get(key)

    def sent(self, name: str) -> bool:
        *parents, key = _split(name)
        data: Any = self._data
        for parent in parents:
            data = data.get(parent)
            if not isinstance(data, dict):
                return False
        return key in data

    def string(
        self, name: str, *, required: bool = False, max_length: int | None = None
    ) -> str | None:
        full, value = self._value(name)
        if value is None:
            if required:
                raise errors.missing_parameter(full)
            return None
        if not isinstance(value, str):
            raise errors.invalid_parameter(full, f"Invalid string: {_shown(value)}")
        if value == "" and required:
            raise invalid_empty(full)
        if max_length is not None and len(value) > max_length:
            raise errors.invalid_parameter(
                full, f"Invalid string: {_shown(value)}; must be at most {max_length} characters"
            )
        return value

    def integer(
        self, name: str, *, required: bool = False, min: int | None = None, max: int | None = None
    ) -> int | None:
        full, value = self._value(name)
        if value is None:
            if required:
                raise errors.missing_parameter(full)
            return None
        return _integer(full, value, min, max)

    def boolean(self, name: str) -> bool | None:
        full, value = self._value(name)
        if value is None:
            return None
        if value == "":
            raise invalid_empty(full)
        if value not in ("true", "false"):
            raise errors.invalid_parameter(full, f"Invalid boolean: {_shown(value)}")
        return bool(value == "true")

    def choice(self, name: str, choices: Collection[str], *, required: bool = False) -> str | None:
        full, value = self._value(name)
        if value is None:
            if required:
                raise errors.missing_parameter(full)
            return None
        if value == "" and "" not in choices:
            raise invalid_empty(full)
        if value not in choices:
            shown = ", ".join(choice for choice in choices if choice)
            raise errors.invalid_parameter(full, f"Invalid {full}: must be one of {shown}")
        return str(value)

    def dictionary(self, name: str) -> "Params | None | Literal['']":
        reader, key = self._take(name)
        if not reader:
            return None
        value = reader._data.get(key)
        if value is None or value == "":
            return value
        if not isinstance(value, dict):
            raise errors.invalid_parameter(reader._full(key), "Invalid hash")
        if key not in reader._children:
            reader._children[key] = Params(value, reader._full(key))
        child: Params = reader._children[key]
        return child

    def list(self, name: str) -> "builtins.list[Params | str] | Literal[''] | None":
        reader, key = self._take(name)
        if not reader:
            return None
        value, full = reader._data.get(key), reader._full(key)
        if value is None or value == "":
            return value
        if not isinstance(value, list):
            raise errors.invalid_parameter(full, "Invalid array")
        if key not in reader._children:
            items: list[Params | str] = []
            for index, item in enumerate(value):
                if isinstance(item, list):
                    raise errors.invalid_parameter(f"{full}[{index}]", "Invalid hash")
                items.append(Params(item, f"{full}[{index}]") if isinstance(item, dict) else item)
            reader._children[key] = items
        result: list[Params | str] = reader._children[key]
        return result

    def items(self, name: str) -> "builtins.list[Params]":
        """A list of hashes (`tax_id_data[0][type]=…`), each a reader; [] when not sent."""
        found = self.list(name) or []
        for index, item in enumerate(found):
            if not isinstance(item, Params):
                raise errors.invalid_parameter(f"{self._full_path(name)}[{index}]", "Invalid hash")
        return found  # type: ignore[return-value]

    def strings(self, name: str) -> "builtins.list[str] | None":
        """A list of strings (`preferred_locales[0]=fr-CA`); "" (unset) is []."""
        found = self.list(name)
        if found is None:
            return None
        if any(not isinstance(item, str) for item in found):
            raise errors.invalid_parameter(self._full_path(name), "Invalid array of strings")
        return list(found)  # type: ignore[arg-type]

    def metadata(self, name: str = "metadata") -> "dict[str, str] | Literal[''] | None":
        full, value = self._value(name)
        if value is None or value == "":
            return None if value is None else ""
        if not isinstance(value, dict):  # a list too: metadata[0] decodes as one
            raise errors.invalid_parameter(full, f"Invalid {full}: send keys as {full}[key]")
        if len(value) > METADATA_MAX_KEYS:
            raise errors.invalid_parameter(
                full, f"Invalid {full}: at most {METADATA_MAX_KEYS} keys are allowed"
            )
        for key, item in value.items():
            param = f"{full}[{key}]"
            if len(key) > METADATA_KEY_LENGTH or "[" in key or "]" in key:
                raise errors.invalid_parameter(
                    param,
                    f"Invalid {full} key {key}: at most {METADATA_KEY_LENGTH} characters, "
                    "without [ or ]",
                )
            if not isinstance(item, str):
                raise errors.invalid_parameter(
                    param, f"Invalid value type: {_shown(item)} must be a string"
                )
            if len(item) > METADATA_VALUE_LENGTH:
                raise errors.invalid_parameter(
                    param, f"Invalid {param}: at most {METADATA_VALUE_LENGTH} characters"
                )
        return dict(value)

    def timestamp_filter(self, name: str) -> dict[str, int] | None:
        full, value = self._value(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            return {"eq": _integer(full, value, 0, LAST_TIMESTAMP)}
        for operator in value:
            if operator not in TIMESTAMP_OPERATORS:
                raise errors.unknown_parameter(f"{full}[{operator}]")
        return {
            op: _integer(f"{full}[{op}]", item, 0, LAST_TIMESTAMP) for op, item in value.items()
        }

    def expand(self) -> builtins.list[str]:
        full, value = self._value("expand")
        if value is None or value == "":
            return []
        if not isinstance(value, list) or not all(isinstance(path, str) for path in value):
            raise errors.invalid_parameter(full, "Invalid array")
        return [str(path) for path in value]

    def refuse(self, names: Iterable[str], error: Callable[[str], ApiError]) -> None:
        for name in names:
            if self.sent(name):
                raise error(self._full_path(name))

    def check_all_read(self) -> None:
        """Refuse the first parameter, in request order, that no method read."""
        for key in self._data:
            if key not in self._read:
                raise errors.unknown_parameter(self._full(key))
            child = self._children.get(key)
            for reader in child if isinstance(child, list) else [child]:
                if isinstance(reader, Params):
                    reader.check_all_read()


def _split(name: str) -> list[str]:
    """`"address[city]"` -> `["address", "city"]`: a path into nested dicts."""
    match = _NAME.fullmatch(name)
    if not match:
        raise ValueError(f"not a parameter path: {name}")
    return [match[1], *_SEGMENT.findall(match[2])]
