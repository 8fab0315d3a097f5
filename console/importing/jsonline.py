"""Reading one import line as JSON without trusting it: bounded nesting, no duplicate keys,
no NaN or Infinity, no lone surrogates. Each refusal names the field it was found in, so a
hostile line is a `line N: field: problem` and never a crash.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from models.core.errors import ValidationError
from models.core.i18n import _
from models.core.text import has_lone_surrogate

MAX_DEPTH = 32  # the deepest real line (system info) is 4 levels
MAX_LINE = 4 * 1024 * 1024


class _NotANumber(float):
    """What NaN, Infinity and -Infinity parse into, so the walk can name the field holding one."""


class _Object(dict):
    """A JSON object that remembers the keys it was given more than once."""

    duplicates: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = _Object()
    result.duplicates = []
    for key, value in pairs:
        if key in result:
            result.duplicates.append(key)
        result[key] = value
    return result


def _depth(text: str) -> int:
    """The deepest bracket nesting outside strings, counted without recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _path(where: tuple[str | int, ...]) -> str:
    """The field name of a place in the value: `file.name`, `contacts[1].email`."""
    text = ""
    for key in where:
        text = f"{text}[{key}]" if isinstance(key, int) else (f"{text}.{key}" if text else key)
    return text


def _check(obj: Any, surrogates: bool = True) -> None:
    """Walk the parsed value (iteratively) and raise for the first field that is not plain data.

    `surrogates`: whether a lone surrogate can be in it at all (only a \\uD800–\\uDFFF escape
    in the text makes one); paths are built only for the field that is refused."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), obj)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            for key in getattr(value, "duplicates", ()):
                raise ValidationError(
                    _path((*where, key)), _("appears twice in one object; which value is meant is unclear")
                )
            for key, item in value.items():
                if surrogates and has_lone_surrogate(key):
                    raise ValidationError(_path(where) or "json", _("a key holds a lone UTF-16 surrogate"))
                stack.append(((*where, key), item))
        elif isinstance(value, list):
            stack.extend(((*where, n), item) for n, item in enumerate(value))
        elif isinstance(value, float):
            if isinstance(value, _NotANumber) or not math.isfinite(value):
                raise ValidationError(_path(where) or "json", _("NaN and Infinity are not numbers JSON allows"))
        elif surrogates and isinstance(value, str) and has_lone_surrogate(value):
            raise ValidationError(
                _path(where) or "json", _("holds a lone UTF-16 surrogate, which is not valid Unicode text")
            )


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def loads(text: str) -> Any:
    """The value of one line; ValidationError(field, problem) for anything hostile."""
    if len(text) > MAX_LINE:
        raise ValidationError("json", _("the line is longer than {n} characters").format(n=MAX_LINE))
    if text.count("[") + text.count("{") > MAX_DEPTH and _depth(text) > MAX_DEPTH:
        raise ValidationError("json", _("nested deeper than {n} levels").format(n=MAX_DEPTH))
    try:
        obj = json.loads(text, object_pairs_hook=_pairs, parse_constant=lambda name: _NotANumber("nan"))
    except RecursionError:
        raise ValidationError("json", _("nested deeper than {n} levels").format(n=MAX_DEPTH)) from None
    except ValueError as exc:
        raise ValidationError("json", _("not valid JSON ({error})").format(error=exc)) from None
    _check(obj, surrogates=_SURROGATE_ESCAPE.search(text) is not None or has_lone_surrogate(text))
    return obj
