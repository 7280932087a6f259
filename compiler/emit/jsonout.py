"""Indented, key-sorted JSON for emitted files (Grafana dashboards, the infra resource graph).

`json.dumps(indent=2)` runs CPython's pure-Python encoder (the C encoder serves only compact output), which
made dashboards a tenth of a large compile. `dumps` walks the tree itself and leaves each string to the C
string encoder; tests/test_jsonout.py holds it byte-equal to `json.dumps(obj, indent=2, sort_keys=True)`.
Anything but str keys and plain JSON values goes to `json.dumps` whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any


class _Fallback(Exception):
    """A value `json.dumps` would treat its own way (non-str keys, other types): it gets the whole tree."""


_SPECIAL_FLOATS = {float("inf"): "Infinity", -float("inf"): "-Infinity"}


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    return _SPECIAL_FLOATS.get(value) or float.__repr__(value)


def _write(out: list[str], value: Any, newline: str, quote: Callable[[str], str]) -> None:
    if isinstance(value, str):
        out.append(quote(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif type(value) is int:
        out.append(int.__repr__(value))
    elif type(value) is float:
        out.append(_float(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        try:
            keys = sorted(value)
        except TypeError:  # mixed key types: json.dumps raises the same error
            raise _Fallback from None
        for key in keys:
            if not isinstance(key, str):
                raise _Fallback
            out.append(separator + quote(key) + ": ")
            _write(out, value[key], inner, quote)
            separator = "," + inner
        out.append(newline + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            out.append(separator)
            _write(out, item, inner, quote)
            separator = "," + inner
        out.append(newline + "]")
    else:
        raise _Fallback


def dumps(obj: Any, *, ensure_ascii: bool = True) -> str:
    """`json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=ensure_ascii)`, faster."""
    out: list[str] = []
    try:
        _write(out, obj, "\n", encode_basestring_ascii if ensure_ascii else encode_basestring)
    except _Fallback:
        return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=ensure_ascii)
    return "".join(out)
