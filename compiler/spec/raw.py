"""Defensive reads of a raw document: the rules also run on documents the schema rejected, so every read
checks the shape it expects and treats anything else as absent (the schema reports it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def models_of(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, model in mapping(doc.get("models")).items():
        if isinstance(model, dict):
            yield name, model


def pools_of(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in mapping(mapping(doc.get("cluster")).get("nodePools")).items() if isinstance(v, dict)}
