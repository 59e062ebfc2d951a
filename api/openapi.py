"""GET /v1/openapi.json: the OpenAPI 3 document of this API, made from the views themselves.
Each view is run once with a `Recorder` in place of the request's parameters: every
parameter it reads is written down with its type, and the view is stopped where it would
refuse unknown parameters, before it touches the database (views read all their parameters
first). So the document lists what the views accept, no more and no less."""

import builtins
import re
from collections.abc import Collection
from functools import cache
from typing import Any, Literal

from django.urls import URLPattern, URLResolver, get_resolver

from .errors import ApiError
from .http import Call, needs
from .params import Params

Schema = dict[str, Any]


class Described(Exception):
    """The view reached check_all_read: everything it accepts has been read."""


class Recorder(Params):
    """Parameters that were never sent, but note every read (name → schema, required)."""

    def __init__(self, prefix: str = "", notes: dict[str, tuple[Schema, bool]] | None = None):
        super().__init__({}, prefix)
        self.notes = notes if notes is not None else {}

    def _note(self, name: str, schema: Schema, required: bool = False) -> None:
        self.notes.setdefault(self._full_path(name), (schema, required))

    def sent(self, name: str) -> bool:
        return False

    def string(
        self, name: str, *, required: bool = False, max_length: int | None = None
    ) -> str | None:
        self._note(name, _without_none(type="string", maxLength=max_length), required)
        return None

    def integer(
        self, name: str, *, required: bool = False, min: int | None = None, max: int | None = None
    ) -> int | None:
        self._note(name, _without_none(type="integer", minimum=min, maximum=max), required)
        return None

    def boolean(self, name: str) -> bool | None:
        self._note(name, {"type": "boolean"})
        return None

    def choice(self, name: str, choices: Collection[str], *, required: bool = False) -> str | None:
        self._note(name, {"type": "string", "enum": sorted(choices)}, required)
        return None

    def dictionary(self, name: str) -> "Params | None | Literal['']":
        self._note(name, {"type": "object"})
        return Recorder(self._full_path(name), self.notes)

    def list(self, name: str) -> "builtins.list[Params | str] | Literal[''] | None":
        self._note(name, {"type": "array"})
        return []

    def items(self, name: str) -> "builtins.list[Params]":
        self._note(name, {"type": "array"})
        return [Recorder(f"{self._full_path(name)}[0]", self.notes)]

    def strings(self, name: str) -> "builtins.list[str] | None":
        self._note(name, {"type": "array", "items": {"type": "string"}})
        return None

    def metadata(self, name: str = "metadata") -> "dict[str, str] | Literal[''] | None":
        strings = {"type": "string", "maxLength": 500}
        self._note(name, {"type": "object", "additionalProperties": strings})
        return None

    def timestamp_filter(self, name: str) -> dict[str, int] | None:
        bounds = {op: {"type": "integer"} for op in ("gt", "gte", "lt", "lte")}
        self._note(name, {"anyOf": [{"type": "integer"}, {"type": "object", "properties": bounds}]})
        return None

    def expand(self) -> "builtins.list[str]":
        self._note("expand", {"type": "array", "items": {"type": "string"}})
        return []

    def check_all_read(self) -> None:
        raise Described


def _without_none(**schema: Any) -> Schema:
    return {key: value for key, value in schema.items() if value is not None}


def _nest(notes: dict[str, tuple[Schema, bool]]) -> tuple[Schema, list[str]]:
    """Bracket paths (`address[city]`, `tax_id_data[0][type]`) into one object schema; the
    required top-level names."""
    root: Schema = {"type": "object", "properties": {}}
    required = []
    for path, (schema, is_required) in notes.items():
        keys = re.findall(r"[^\[\]]+", path)
        node = root
        for key in keys[:-1]:
            if key.isdigit():  # an item of an array of hashes
                node = node.setdefault("items", {"type": "object", "properties": {}})
            else:
                node = node["properties"].setdefault(key, {"type": "object"})
                if node.get("type") == "object":
                    node.setdefault("properties", {})
        node["properties"][keys[-1]] = {**schema, **node["properties"].get(keys[-1], {})}
        if is_required and len(keys) == 1:
            required.append(keys[0])
    return root, required


def describe(view: Any, kwargs: dict[str, str]) -> dict[str, tuple[Schema, bool]]:
    """What `view` reads, found by running it on a Recorder."""
    recorder = Recorder()
    try:
        view(Call(request=None, key=None, params=recorder), **kwargs)  # type: ignore[arg-type]
    except Described:
        return recorder.notes
    except ApiError as error:
        raise RuntimeError(f"{view.__module__}.{view.__name__} refused: {error.message}") from None
    raise RuntimeError(f"{view.__module__}.{view.__name__} never called check_all_read()")


def _routes(resolver: URLResolver, prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            found += _routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "views"):
            found.append((prefix + str(pattern.pattern), pattern.callback.views))
    return found


def _operation(method: str, path: str, view: Any) -> Schema:
    names = re.findall(r"{(\w+)}", path)
    notes = describe(view, {name: f"{{{name}}}" for name in names})
    operation: Schema = {
        "operationId": f"{view.__module__.rsplit('.', 1)[-1]}.{view.__name__.rstrip('_')}",
        "summary": (view.__doc__ or "").strip().split("\n")[0] or f"{method.upper()} {path}",
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in names
        ],
        "responses": {
            "200": {"description": "The object, as Stripe's API reference describes it."},
            "default": {
                "description": "An error in Stripe's shape.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/error"}}},
            },
        },
    }
    schema, required = _nest(notes)
    if method == "get":
        for name, prop in schema["properties"].items():
            parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
            if prop.get("type") in ("object", "array") or "anyOf" in prop:
                parameter.update(style="deepObject", explode=True)
            operation["parameters"].append(parameter)
    elif schema["properties"]:
        if required:
            schema["required"] = sorted(required)
        operation["requestBody"] = {
            "content": {"application/x-www-form-urlencoded": {"schema": schema}}
        }
    if view.permission:
        operation["description"] = f"Needs the permission `{view.permission}`."
    return operation


@cache
def document() -> Schema:
    paths: Schema = {}
    for route, views in _routes(get_resolver()):
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        paths[path] = {
            method.lower(): _operation(method.lower(), path, view) for method, view in views.items()
        }
    error_fields = {name: {"type": "string"} for name in ("type", "code", "param", "message")}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Billing back office API (Stripe-shaped)", "version": "1"},
        "paths": paths,
        "security": [{"bearer": []}, {"basic": []}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "basic": {"type": "http", "scheme": "basic"},
            },
            "schemas": {
                "error": {
                    "type": "object",
                    "properties": {"error": {"type": "object", "properties": error_fields}},
                }
            },
        },
    }


@needs("")
def openapi_json(call: Call) -> Schema:
    """This document."""
    call.params.check_all_read()
    return document()
