"""Field-level differences between two JSON-like values, as readable paths.

`spec.template.spec.initContainers[model].image: registry/x:v12 -> registry/x:v13`: lists whose items are
mappings with distinct `name`s (containers, ports, env, metrics) are compared by name, not by position, so
inserting one entry does not report every later one as changed. Keys that are not plain words (labels such
as `app.kubernetes.io/name`) are quoted: `metadata.labels["app.kubernetes.io/name"]`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any


class _Absent:
    """The value on a side where the field does not exist (distinct from null)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class FieldChange:
    path: str
    before: Any = ABSENT
    after: Any = ABSENT

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path}
        if self.before is not ABSENT:
            out["before"] = self.before
        if self.after is not ABSENT:
            out["after"] = self.after
        return out


def key_path(prefix: str, key: str) -> str:
    if _WORD.fullmatch(key):
        return f"{prefix}.{key}" if prefix else key
    return f"{prefix}[{json.dumps(key)}]"


def _named(items: list[Any]) -> dict[str, Any] | None:
    """A list of mappings with distinct string `name`s, by name; else None."""
    if not all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in items):
        return None
    names = [i["name"] for i in items]
    return dict(zip(names, items, strict=True)) if len(set(names)) == len(names) else None


def diff(before: Any, after: Any, path: str = "") -> list[FieldChange]:
    """Every leaf that differs, in a stable order (mapping keys sorted, named items in their new order)."""
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[FieldChange] = []
        for key in sorted({*before, *after}, key=str):
            out += diff(before.get(key, ABSENT), after.get(key, ABSENT), key_path(path, str(key)))
        return out
    if isinstance(before, list) and isinstance(after, list):
        return _list_diff(before, after, path)
    return [FieldChange(path or ".", before, after)]


def _list_diff(before: list[Any], after: list[Any], path: str) -> list[FieldChange]:
    old, new = _named(before), _named(after)
    if old is not None and new is not None and (old or new):
        out: list[FieldChange] = []
        for name in [*new, *(n for n in old if n not in new)]:
            out += diff(old.get(name, ABSENT), new.get(name, ABSENT), f"{path}[{name}]")
        return out
    if len(before) == len(after):
        return [c for i, (b, a) in enumerate(zip(before, after, strict=True)) for c in diff(b, a, f"{path}[{i}]")]
    return [FieldChange(path or ".", before, after)]


def touches(change: FieldChange, field: str) -> bool:
    """Whether `change` is at `field` or inside it (`vpcConfig.subnetIds[0]` touches `vpcConfig.subnetIds`)."""
    return change.path == field or change.path.startswith((field + ".", field + "["))
