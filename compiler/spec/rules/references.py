"""References the target must be able to resolve: a registry for registry:// artifacts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops import targets
from mlops.diagnostics import Diagnostic
from mlops.spec.overlay import EnvSource
from mlops.spec.raw import mapping, models_of


def references(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> Iterator[Diagnostic]:
    """registry:// needs a registry: the clouds' targets create one, an existing cluster's target must name one."""
    provider = mapping(target).get("provider")
    if not isinstance(provider, str) or provider not in targets.REGISTRY or targets.get(provider).managed_registry \
            or mapping(target).get("registry"):
        return
    target_name = mapping(target)["_name"]
    for name, model in models_of(doc):
        artifacts: list[tuple[tuple[str, ...], Any]] = [(("models", name, "artifact"), model.get("artifact"))]
        rollout = mapping(model.get("rollout"))
        artifacts += [(("models", name, "rollout", "variants", v, "artifact"), mapping(spec).get("artifact"))
                      for v, spec in mapping(rollout.get("variants")).items()]
        artifacts.append((("models", name, "rollout", "candidate", "artifact"),
                          mapping(rollout.get("candidate")).get("artifact")))
        for path, uri in artifacts:
            if isinstance(uri, str) and uri.startswith("registry://"):
                yield at.error(path, f"registry:// needs a registry, but {provider} target '{target_name}' names none: "
                                     f"set targets.{target_name}.registry or use oci://HOST/REPO:TAG")
