"""Kubernetes quantities and durations, as the contract writes them, turned into numbers."""

from __future__ import annotations

import re
from typing import Any

_MEMORY = re.compile(r"([1-9][0-9]*)(Mi|Gi|Ti)")
_DURATION = re.compile(r"([1-9][0-9]*)(ms|s|m|h)")
_UNIT_GIB = {"Mi": 1 / 1024, "Gi": 1.0, "Ti": 1024.0}
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def millicores(value: Any) -> int | None:
    """"500m" -> 500, "2" -> 2000, 1.5 -> 1500; None when not a CPU quantity."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return round(value * 1000)
    if isinstance(value, str):
        try:
            return int(value[:-1]) if value.endswith("m") else round(float(value) * 1000)
        except ValueError:
            return None
    return None


def cpu_text(value: Any) -> str:
    """The canonical Kubernetes form of a CPU quantity: whole cores as "2", else millicores "500m"."""
    milli = millicores(value)
    if milli is None:
        raise ValueError(f"not a CPU quantity: {value!r}")
    return str(milli // 1000) if milli % 1000 == 0 else f"{milli}m"


def memory_gib(value: Any) -> float | None:
    match = _MEMORY.fullmatch(value) if isinstance(value, str) else None
    return int(match.group(1)) * _UNIT_GIB[match.group(2)] if match else None


def seconds(value: str) -> float:
    """"5m" -> 300.0, "250ms" -> 0.25."""
    match = _DURATION.fullmatch(value)
    if not match:
        raise ValueError(f"not a duration: {value!r}")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
