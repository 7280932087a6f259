"""Registry settings the target's managed registry cannot apply: said, not silently dropped."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops import targets
from mlops.diagnostics import Diagnostic
from mlops.spec.overlay import EnvSource
from mlops.spec.raw import mapping


def registry_settings(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> Iterator[Diagnostic]:
    provider = mapping(target).get("provider")
    if not isinstance(provider, str) or provider not in targets.REGISTRY or mapping(target).get("registry"):
        return  # a registry the target names is not ours to configure
    written = mapping(doc.get("registry"))
    for setting, why in sorted(targets.get(provider).registry_ignores.items()):
        if written.get(setting) is True:
            yield at.error(("registry", setting), f"registry.{setting} is not applied on {provider} target "
                                                  f"'{mapping(target)['_name']}': {why}", severity="warning")
