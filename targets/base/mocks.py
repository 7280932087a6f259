"""What a target gives the compile-time preview (`mlops.emit.preview`): plausible, deterministic outputs for the
resources its program reads outputs of, and results of the functions it invokes. SDK-free data and functions."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# (logical name, inputs, inputs of the explicit provider or {}) -> extra state
OutputsFn = Callable[[str, Mapping[str, Any], Mapping[str, Any]], Mapping[str, Any]]
# (invoke args, inputs of the explicit provider or {}) -> result
CallFn = Callable[[Mapping[str, Any], Mapping[str, Any]], Mapping[str, Any]]

MOCK_ACCOUNT = "123456789012"


@dataclass(frozen=True)
class Mocks:
    """Keyed by type token (`pkg:*` is the package's fallback) and by invoke token."""

    outputs: Mapping[str, OutputsFn] = field(default_factory=dict)
    calls: Mapping[str, CallFn] = field(default_factory=dict)


def digest(*parts: str, length: int = 8) -> str:
    """A stable stand-in for an id the cloud would assign, derived from the names."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]
