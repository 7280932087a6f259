"""Deferred values: what only the infra stack knows once `pulumi up` has run (a managed registry's URL, an
identity's client id). A target's hints write them as `$(infra.NAME)`, NAME an output of the infra stack; the
workloads program replaces each inside parsed YAML values, never by text templating. One token, one pattern.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

PATTERN = re.compile(r"\$\(infra\.([A-Za-z_][A-Za-z0-9_]*)\)")


def token(output: str) -> str:
    """The placeholder for infra stack output `output`."""
    return f"$(infra.{output})"


def names_in(value: Any) -> set[str]:
    """The infra outputs `value` (a string, or nested lists and mappings of them) refers to."""
    if isinstance(value, dict):
        return set().union(*(names_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(names_in(v) for v in value)) if value else set()
    return set(PATTERN.findall(value)) if isinstance(value, str) else set()


def substitute(value: Any, outputs: Mapping[str, Any]) -> Any:
    """`value` with each token in its strings replaced by `outputs[NAME]`; an unknown NAME is an error."""
    if isinstance(value, dict):
        return {k: substitute(v, outputs) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, outputs) for v in value]
    if isinstance(value, str):
        def one(match: re.Match[str]) -> str:
            found = outputs.get(match.group(1))
            if found is None:
                raise ValueError(f"the infra stack exports no '{match.group(1)}' (manifests ask for {match.group(0)})")
            return str(found)

        return PATTERN.sub(one, value)
    return value
