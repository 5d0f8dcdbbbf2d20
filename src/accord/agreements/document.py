"""Parsing a register document (YAML or JSON text) safely and fast, and locating fields by line.

Untrusted text: the size is checked before parsing; JSON is read by ``json`` (C), YAML by
libyaml's C parser where PyYAML has it; one pass over the YAML events refuses aliases (an alias
bomb expands a small file into gigabytes) and nesting deeper than ``MAX_DEPTH`` before anything is
built; only plain data types are built (the safe constructor), and dates stay text so that their
precision survives. Lines are located only when there is an error to report (``LineLocator``
composes the document again then), never on the way to a successful import.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import yaml

from accord.errors import InvalidInput

Format = Literal["yaml", "json"]
#: No register document nests deeper than a few levels; anything deeper is refused unread.
MAX_DEPTH = 32

_CParser: Any = getattr(yaml, "CSafeLoader", None)


def _without_timestamps(loader: type[Any]) -> None:
    """Keep ``2005-10-01`` as text instead of making a ``datetime.date``."""
    loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


class _Loader(yaml.SafeLoader):
    """The pure-Python safe loader (where libyaml is missing), dates kept as text."""


_without_timestamps(_Loader)
_FastLoader: type[Any] = _Loader
if _CParser is not None:
    _FastLoader = type("_FastLoader", (_CParser,), {})
    _without_timestamps(_FastLoader)


def detect_format(name: str) -> Format:
    lowered = name.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith((".yaml", ".yml")):
        return "yaml"
    raise InvalidInput(f"cannot tell the format of '{name[-60:]}': name it .yaml, .yml or .json")


def parse_document(raw: bytes, fmt: Format, *, limit: int) -> tuple[object, LineLocator]:
    """The parsed document and a locator for its fields' lines (computed only if asked)."""
    if len(raw) > limit:
        raise InvalidInput(f"the file is {len(raw)} bytes; the limit is {limit}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InvalidInput(f"the file is not UTF-8 text (byte {e.start})") from None
    try:
        if fmt == "json":
            return _parse_json(text), LineLocator(text)
        return _parse_yaml(text), LineLocator(text)
    except RecursionError:
        raise InvalidInput("the document is nested too deeply") from None


def _parse_json(text: str) -> object:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidInput(f"malformed JSON: {e.msg}", line=e.lineno) from None
    except ValueError as e:  # an integer of more digits than Python converts (CVE-2020-10735)
        raise InvalidInput(f"malformed JSON: {str(e)[:120]}") from None
    _check_depth(value)
    return value


def _check_depth(value: object) -> None:
    """JSON's parser nests as deep as the text does; the document's shape goes no deeper than
    ``MAX_DEPTH``."""
    level = [value]
    for _ in range(MAX_DEPTH + 1):
        level = [
            child
            for item in level
            for child in (
                item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
            )
            if isinstance(child, (dict, list))
        ]
        if not level:
            return
    raise InvalidInput(f"the document nests deeper than {MAX_DEPTH} levels")


def _parse_yaml(text: str) -> object:
    """Compose the node tree (libyaml, in C), check it, then build plain values from it: one
    parse. An alias is a node reached twice; it is refused before anything is built from it."""
    loader = _FastLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        try:
            _check_nodes(root)
        except _Alias:
            raise InvalidInput(
                "YAML aliases (*name) are not accepted", line=_alias_line(text)
            ) from None
        return loader.construct_document(root)
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else None
        raise InvalidInput(f"malformed YAML: {e.problem or e.context}", line=line) from None
    except yaml.YAMLError as e:
        raise InvalidInput(f"malformed YAML: {e}") from None
    except ValueError as e:  # the safe constructor's int() on a 5,000-digit integer
        raise InvalidInput(f"malformed YAML: {str(e)[:120]}") from None
    finally:
        loader.dispose()


class _Alias(Exception):
    """A node reached twice: the document uses an alias."""


def _alias_line(text: str) -> int | None:
    """The line of the first alias (the error path only: a second parse, of events)."""
    for event in yaml.parse(text, Loader=_FastLoader):
        if isinstance(event, yaml.AliasEvent):
            return _line(event)
    return None


def _check_nodes(root: yaml.Node) -> None:
    seen: set[int] = set()
    level: list[yaml.Node] = [root]
    depth = 0
    while level:
        depth += 1
        if depth > MAX_DEPTH + 1:
            raise InvalidInput(
                f"the document nests deeper than {MAX_DEPTH} levels", line=_line(level[0])
            )
        following: list[yaml.Node] = []
        for node in level:
            if id(node) in seen:
                raise _Alias
            seen.add(id(node))
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    following.append(key)
                    following.append(value)
            elif isinstance(node, yaml.SequenceNode):
                following.extend(node.value)
        level = following


def _line(event: Any) -> int | None:
    return event.start_mark.line + 1 if event.start_mark else None


class LineLocator:
    """Field path -> line number, from the YAML node tree (JSON is YAML here too), composed the
    first time a line is asked for: only an import that fails pays for it."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._found: dict[str, int] | None = None

    @property
    def _lines(self) -> dict[str, int]:
        if self._found is None:
            self._found = {}
            try:
                root = yaml.compose(self._text, Loader=_FastLoader)
            except (yaml.YAMLError, RecursionError, ValueError):
                return self._found
            if root is not None:
                _walk(root, "", self._found)
        return self._found

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
