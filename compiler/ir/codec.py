"""The IR as plain data and back: how `mlops compile` writes an environment into the Pulumi stack config, and
how the infra program reads it there (`mlops.runtime.infra`)."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, TypeVar

T = TypeVar("T")


def to_dict(value: Any) -> Any:
    """Plain JSON-compatible data, field order as declared."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_dict(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [to_dict(v) for v in value]
    return value


def from_dict(cls: type[T], data: Any) -> T:
    """Inverse of `to_dict`, guided by the dataclass annotations."""
    return typing.cast(T, _build(cls, data))


def _build(kind: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return _build(options[0], data)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], item) for item in data)
        return tuple(_build(a, item) for a, item in zip(args, data, strict=True))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: _build(hints[f.name], data[f.name]) for f in dataclasses.fields(kind) if f.name in data})
    if origin is typing.Literal:
        return data
    if kind is float and isinstance(data, int):
        return float(data)
    return data
