"""The one place emitted YAML is produced: sorted keys, block style, no line folding.

Every emitted file goes through `dump`, so byte-for-byte determinism lives here. Multi-line strings
(dashboards, programs) are written as literal blocks so they stay reviewable in diffs.

Speed: the Kubernetes layer writes tens of thousands of small objects, and PyYAML's representer (even over
the C emitter) spends most of its time building nodes and resolving tags for every scalar. `dump` therefore
walks the plain-data tree itself and writes the block structure directly, asking PyYAML only how to write
each *distinct* scalar (quoting, escaping, literal-block header), once per process. The result is byte-equal
to `reference_dump` (PyYAML with the same settings); tests/test_yamlout.py holds the two together on
generated trees. Shapes the fast path does not cover (keys that need the complex-key form, line separators
other than \\n) fall back to PyYAML for that document.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_Base: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# Wide enough that no scalar is ever folded: folding points would otherwise depend on the emitter.
WIDTH = 1 << 30


class _Dumper(_Base):
    """Safe dumper whose multi-line strings use the literal block style, and which never writes anchors:
    an object built from a shared dict is written out in full at each place."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not value.endswith((" ", "\t")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def reference_dump(obj: Any) -> bytes:
    """PyYAML's rendering of `obj`: the definition `dump` must match byte for byte."""
    text: str = yaml.dump(obj, Dumper=_Dumper, sort_keys=True, default_flow_style=False,
                          allow_unicode=True, width=WIDTH, explicit_start=False)
    return text.encode("utf-8")


class _Fallback(Exception):
    """A shape the fast path does not write; the document is handed to PyYAML whole."""


# Distinct scalar -> its rendering: a line, or a literal block's header and lines. These grow with the distinct
# values one process writes (a compile; both sides of a plan): megabytes at thousands of models. Strings, the
# bulk, are keyed by themselves; other scalars by type (1 and True are equal) and, for floats, by repr (0.0 and
# -0.0 are equal).
_STRINGS: dict[str, str | tuple[str, list[str]]] = {}
_OTHERS: dict[tuple[type, Any], str | tuple[str, list[str]]] = {}
_KEYS: dict[str, str] = {}
_BREAKS = ("\x85", "\u2028", "\u2029", "\r")
# PyYAML writes a simple key only under 128 characters (check_simple_key); longer keys take the `? ` form.
_SIMPLE_KEY_MAX = 100

# Most strings are names, paths and label values: letters first, then name characters. PyYAML writes those
# plain unless they read as a YAML 1.1 boolean or null (a letter first rules out numbers and timestamps),
# so they need no trip through the emitter. tests/test_yamlout.py checks this shortcut against PyYAML.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9._/-]*")
_RESERVED = frozenset(w for word in ("yes", "no", "true", "false", "on", "off", "null")
                      for w in (word, word.capitalize(), word.upper()))


def _render(value: Any) -> str | tuple[str, list[str]]:
    """How PyYAML writes `value` as a block-context node: one line, or a literal block's header and its
    lines (indented by 2 under a root sequence item, re-indented by the caller to where they belong)."""
    if type(value) is str:
        if _PLAIN.fullmatch(value) and value not in _RESERVED:
            return value
        if any(b in value for b in _BREAKS):
            raise _Fallback
    text = reference_dump([value]).decode("utf-8")
    if text.endswith("\n...\n"):  # an open-ended scalar (a kept trailing newline) ends the document too
        raise _Fallback
    first, _, rest = text[2:].partition("\n")
    if not rest:
        return first
    return first, [line[2:] if line else line for line in rest.split("\n")[:-1]]


def _scalar(value: Any) -> str | tuple[str, list[str]]:
    if type(value) is str:
        rendered = _STRINGS.get(value)
        if rendered is None:
            rendered = _STRINGS[value] = _render(value)
        return rendered
    if type(value) not in (int, float, bool, type(None)):  # a dict or list subclass, a tuple, ...
        raise _Fallback
    key = (float, repr(value)) if type(value) is float else (type(value), value)
    rendered = _OTHERS.get(key)
    if rendered is None:
        rendered = _OTHERS[key] = _render(value)
    return rendered


def _key(key: str) -> str:
    if not isinstance(key, str) or len(key) > _SIMPLE_KEY_MAX or "\n" in key or any(b in key for b in _BREAKS):
        raise _Fallback
    text = reference_dump({key: None}).decode("utf-8")
    rendered = _KEYS[key] = text[: -len(": null\n")]
    return rendered


def _mapping(out: list[str], data: dict[str, Any], pad: str, first: str) -> None:
    """Entries at indentation `pad`; the first line starts with `first` instead (after `- ` when inline)."""
    keys = _KEYS
    for key in sorted(data):
        _put(out, first + (keys.get(key) or _key(key)) + ":", data[key], pad, True)
        first = pad


def _sequence(out: list[str], data: list[Any], pad: str, first: str) -> None:
    for item in data:
        _put(out, first + "-", item, pad, False)
        first = pad


def _put(out: list[str], head: str, value: Any, pad: str, in_mapping: bool) -> None:
    """Write `value` after `head` (`key:` or `-`, indented by `pad`). As PyYAML does, a sequence under a key
    stays at the key's column, and a collection under `-` starts on the dash's line."""
    kind = type(value)
    if kind is dict:
        if not value:
            out.append(head + " {}\n")
        elif in_mapping:
            out.append(head + "\n")
            _mapping(out, value, pad + "  ", pad + "  ")
        else:
            _mapping(out, value, pad + "  ", head + " ")
    elif kind is list:
        if not value:
            out.append(head + " []\n")
        elif in_mapping:
            out.append(head + "\n")
            _sequence(out, value, pad, pad)
        else:
            _sequence(out, value, pad + "  ", head + " ")
    else:
        rendered = _scalar(value)
        if isinstance(rendered, str):
            out.append(head + " " + rendered + "\n")
        else:
            header, lines = rendered
            column = pad + "  "
            out.append(head + " " + header + "\n")
            out.extend(column + line + "\n" if line else "\n" for line in lines)


def dump(obj: Any) -> bytes:
    """One YAML document for `obj` (plain dicts, lists, str, int, float, bool, None), equal to
    `reference_dump(obj)`."""
    if not isinstance(obj, dict) or not obj:
        return reference_dump(obj)
    out: list[str] = []
    try:
        _mapping(out, obj, "", "")
    except _Fallback:
        return reference_dump(obj)
    return "".join(out).encode("utf-8")
