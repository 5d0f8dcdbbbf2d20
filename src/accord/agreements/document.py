"""Parsing a register document (YAML or JSON text) safely, and locating fields by line.

Untrusted text: the size is checked before parsing, YAML aliases are refused (an alias bomb
expands a small file into gigabytes), only plain data types are built (``yaml.SafeLoader``), and
dates stay text so that their precision survives.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import yaml

from accord.errors import InvalidInput

Format = Literal["yaml", "json"]


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps ``2005-10-01`` as text instead of making a ``datetime.date``."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def detect_format(name: str) -> Format:
    lowered = name.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith((".yaml", ".yml")):
        return "yaml"
    raise InvalidInput(f"cannot tell the format of '{name[-60:]}': name it .yaml, .yml or .json")


def parse_document(raw: bytes, fmt: Format, *, limit: int) -> tuple[object, LineLocator]:
    """The parsed document and a locator for its fields' lines."""
    if len(raw) > limit:
        raise InvalidInput(f"the file is {len(raw)} bytes; the limit is {limit}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InvalidInput(f"the file is not UTF-8 text (byte {e.start})") from None
    try:
        if fmt == "json":
            return _parse_json(text), LineLocator.of(text)
        return _parse_yaml(text), LineLocator.of(text)
    except RecursionError:
        raise InvalidInput("the document is nested too deeply") from None


def _parse_json(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidInput(f"malformed JSON: {e.msg}", line=e.lineno) from None


def _parse_yaml(text: str) -> object:
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark else None
                raise InvalidInput("YAML aliases (*name) are not accepted", line=line)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else None
        raise InvalidInput(f"malformed YAML: {e.problem or e.context}", line=line) from None
    except yaml.YAMLError as e:
        raise InvalidInput(f"malformed YAML: {e}") from None


class LineLocator:
    """Field path -> line number, from the YAML node tree (JSON is YAML here too)."""

    def __init__(self, lines: dict[str, int]) -> None:
        self._lines = lines

    @classmethod
    def of(cls, text: str) -> LineLocator:
        lines: dict[str, int] = {}
        try:
            root = yaml.compose(text, Loader=_Loader)
        except (yaml.YAMLError, RecursionError):
            return cls(lines)
        if root is not None:
            _walk(root, "", lines)
        return cls(lines)

    def line_of(self, path: str | None) -> int | None:
        """The line of the deepest known field on ``path``."""
        while path:
            if path in self._lines:
                return self._lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None


def _walk(node: Any, path: str, lines: dict[str, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = f"{path}.{key.value}" if path else str(key.value)
            lines[name] = key.start_mark.line + 1
            _walk(value, name, lines)
            lines[name] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, f"{path}[{index}]", lines)
