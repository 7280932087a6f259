"""Stage 1, load: bytes -> plain data plus the line and column of every node.

Safe YAML only, and defensive: size, nesting depth and alias expansion are capped before any
large structure is built, duplicate keys are errors, and only the core YAML types are accepted.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from typing import Any

import yaml

from mlops.diagnostics import Diagnostic, Path, json_path, shown
from mlops.errors import SpecError, UsageError
from mlops.spec import aliases

MAX_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_constructor = yaml.SafeLoader("")


@dataclass
class Source:
    """A loaded document: the data, and where each of its nodes was written."""

    name: str
    data: Any
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Line and column of the node at `path` (its key when `key`), else of its nearest ancestor."""
        path = tuple(path)
        while True:
            table = self.keys if key and path in self.keys else self.values
            if path in table:
                return table[path]
            if not path:
                return (1, 1)
            path = path[:-1]

    def error(self, path: Path, message: str, *, key: bool = False) -> Diagnostic:
        line, col = self.locate(path, key=key)
        return Diagnostic(self.name, line, col, message, json_path(path))


class Unreadable(UsageError):
    """The spec file cannot be read (missing, a folder, no permission)."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"cannot read {path}: {reason}")


def read_text(path: str) -> str:
    """The file as text; Unreadable if it cannot be read or is not a regular file, SpecError if oversized or not
    UTF-8. Opened without blocking and checked on the open file: a FIFO or a device is refused at once, and a
    file swapped for one after a check cannot slip through."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise Unreadable(path, exc.strerror or str(exc)) from None
    try:
        status = os.fstat(fd)
        if stat.S_ISDIR(status.st_mode):
            raise Unreadable(path, os.strerror(errno.EISDIR))
        if not stat.S_ISREG(status.st_mode):
            raise Unreadable(path, "not a regular file (a FIFO, socket or device): give the spec file itself")
        if status.st_size > MAX_BYTES:
            raise SpecError([Diagnostic(path, 1, 1, f"file is {status.st_size:,} bytes; "
                                                    f"the limit is {MAX_BYTES:,} (16 MiB)")])
        with os.fdopen(os.dup(fd), "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise Unreadable(path, exc.strerror or str(exc)) from None
    finally:
        os.close(fd)
    return decode(raw, path)


def decode(raw: bytes, name: str) -> str:
    """Bytes of a spec (from a file or a git revision) as text; SpecError if oversized or not UTF-8."""
    if len(raw) > MAX_BYTES:
        raise SpecError([Diagnostic(name, 1, 1, f"file is {len(raw):,} bytes or more; "
                                                f"the limit is {MAX_BYTES:,} (16 MiB)")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start]
        message = f"not UTF-8 text: byte 0x{byte:02x} at offset {exc.start}"
        raise SpecError([Diagnostic(name, line, col, message)]) from None


def load(path: str) -> Source:
    """Load one spec file. Raises Unreadable if it cannot be read, SpecError if it is not usable YAML."""
    return parse(read_text(path), path)


def parse(text: str, name: str) -> Source:
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        raise SpecError([Diagnostic(name, line, 1, "binary data: the file contains a NUL byte")])
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if problem.startswith("exceeded maximum nesting depth"):
            problem = f"nesting deeper than {MAX_DEPTH} levels"
        elif problem == "but found another document":
            problem = "expected one YAML document, found a second one ('---')"
        elif mark and _tab_in_indentation(text, mark.line):
            problem = "a tab in the indentation: YAML indents with spaces only"
        raise SpecError([Diagnostic(name, where[0], where[1], f"invalid YAML: {_clean(problem)}")]) from None
    except yaml.reader.ReaderError as exc:  # control characters and the like
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        what = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        message = f"invalid YAML: control character {what} is not allowed"
        raise SpecError([Diagnostic(name, line, col, message)]) from None
    except RecursionError:
        raise SpecError([Diagnostic(name, 1, 1, f"invalid YAML: nesting deeper than {MAX_DEPTH} levels")]) from None
    if node is None:
        raise SpecError([Diagnostic(name, 1, 1,
                                    "the file is empty: expected a mapping starting with 'apiVersion: mlops/v1'")])
    source = Source(name, None)
    if "&" in text:  # no anchor, no alias: the node graph is a tree no bigger than the text
        aliases.check(node, name)
    source.data = _Builder(source).build(node, (), 0)
    return source


def _tab_in_indentation(text: str, line: int) -> bool:
    lines = text.split("\n")
    if not 0 <= line < len(lines):
        return False
    current = lines[line]
    return "\t" in current[: len(current) - len(current.lstrip(" \t"))]


def _clean(problem: str) -> str:
    return " ".join(problem.split())


class _Builder:
    def __init__(self, source: Source):
        self.source = source

    @staticmethod
    def tag(node: yaml.Node) -> str:
        return node.tag.replace("tag:yaml.org,2002:", "!!")

    def fail(self, node: yaml.Node, path: Path, message: str) -> SpecError:
        mark = node.start_mark
        return SpecError([Diagnostic(self.source.name, mark.line + 1, mark.column + 1, message, json_path(path))])

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail(node, path, f"nesting deeper than {MAX_DEPTH} levels")
        self.source.values.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise self.fail(node, path, f"tag {self.tag(node)} is not allowed")
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if node.tag != _MAP or not isinstance(node, yaml.MappingNode):
            raise self.fail(node, path, f"tag {self.tag(node)} is not allowed")
        return self.mapping(node, path, depth)

    def scalar(self, node: yaml.ScalarNode, path: Path) -> Any:
        if node.tag not in _SCALAR_TAGS:
            raise self.fail(node, path,
                            f"tag {self.tag(node)} is not allowed: only plain strings, numbers, booleans and null")
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # dates stay text: the contract has no date type
        try:
            value = _constructor.yaml_constructors[node.tag](_constructor, node)
        except (ValueError, KeyError, IndexError, TypeError, OverflowError, yaml.YAMLError):
            # An explicit tag over text it does not fit (`!!int abc`, `!!bool maybe`, `!!float ''`), or an integer
            # past Python's digit limit: PyYAML's constructors raise whatever their parsing raised.
            raise self.fail(node, path, f"'{shown(node.value)}' is not a valid {self.tag(node)}") from None
        if isinstance(value, float) and value != value:
            raise self.fail(node, path, "NaN is not allowed")
        return value

    def mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        seen: dict[str, yaml.Node] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.update(self.merge(value_node, path, depth))
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in ("tag:yaml.org,2002:str",):
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "a " + key_node.id
                raise self.fail(key_node, path, f"keys must be strings; quote {shown!s} if you meant text")
            key = key_node.value
            if key in seen:
                first = seen[key].start_mark
                raise self.fail(key_node, (*path, key),
                                f"duplicate key '{key}' (first defined at line {first.line + 1}, "
                                f"column {first.column + 1})")
            seen[key] = key_node
            self.source.keys[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = self.build(value_node, (*path, key), depth + 1)
        for key, value in merged.items():  # explicit keys win over merged ones (YAML merge-key semantics)
            out.setdefault(key, value)
        return out

    def merge(self, node: yaml.Node, path: Path, depth: int) -> dict[str, Any]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        result: dict[str, Any] = {}
        for item in reversed(sources):  # earlier mappings in a merge list win
            if not isinstance(item, yaml.MappingNode):
                raise self.fail(item, path, "'<<' merges only mappings")
            result.update(self.mapping(item, path, depth))
        return result
