"""Reading untrusted nested data (parsed YAML or JSON) into domain values, with the path of every
field, so an error can say exactly where it is (``agreements[2].events[0].date``)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from accord.errors import InvalidInput

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


class Reader:
    """A value at a path in a document."""

    __slots__ = ("path", "value")

    def __init__(self, value: object, path: str = "") -> None:
        self.value = value
        self.path = path

    def fail(self, reason: str) -> InvalidInput:
        return InvalidInput(reason, field=self.path or None)

    def _child_path(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def mapping(self, *, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()) -> Reader:
        if not isinstance(self.value, dict):
            raise self.fail(f"expected a mapping, got {_kind(self.value)}")
        allowed = set(required) | set(optional)
        for key in self.value:
            if not isinstance(key, str) or key not in allowed:
                raise InvalidInput(
                    f"unknown field (expected {', '.join(sorted(allowed))})",
                    field=self._child_path(str(key)[:40]),
                )
        for key in required:
            if key not in self.value:
                raise InvalidInput("is required", field=self._child_path(key))
        return self

    def field(self, key: str) -> Reader:
        assert isinstance(self.value, dict)
        return Reader(self.value.get(key), self._child_path(key))

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and self.value.get(key) is not None

    def text(self) -> str:
        # YAML reads an unquoted 2005 as a number; a date or code is text all the same.
        if isinstance(self.value, bool) or not isinstance(self.value, str | int):
            raise self.fail(f"expected text, got {_kind(self.value)}")
        return str(self.value)

    def optional_text(self, default: str = "") -> str:
        return default if self.value is None else self.text()

    def flag(self, default: bool = False) -> bool:
        if self.value is None:
            return default
        if not isinstance(self.value, bool):
            raise self.fail(f"expected true or false, got {_kind(self.value)}")
        return self.value

    def items(self, *, limit: int, optional: bool = True) -> list[Reader]:
        if self.value is None and optional:
            return []
        if not isinstance(self.value, list):
            raise self.fail(f"expected a list, got {_kind(self.value)}")
        if len(self.value) > limit:
            raise self.fail(f"more than {limit} entries")
        return [Reader(item, self._child_path(i)) for i, item in enumerate(self.value)]

    def choice(self, kind: type[E], what: str) -> E:
        """A value of the string enumeration ``kind`` (any case), or an error listing them."""
        value = self.text()
        try:
            return kind(value.strip().lower())
        except ValueError:
            known = ", ".join(k.value for k in kind)
            raise self.fail(f"unknown {what} '{value[:40]}': expected one of {known}") from None

    def texts(self, *, limit: int) -> list[str]:
        return [item.text() for item in self.items(limit=limit)]

    def build(self, make: Callable[..., T], *args: object, **kwargs: object) -> T:
        """Call a constructor; an :class:`InvalidInput` it raises is located at this path."""
        try:
            return make(*args, **kwargs)
        except InvalidInput as e:
            raise e.at(field_prefix=self.path or None) from None


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    return {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)
