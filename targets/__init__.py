"""Targets: one module per provider, each implementing `Target`, listed in `REGISTRY`.

Adding a provider is one module, one line in `REGISTRY` and one golden folder. Modules are imported
only when asked for, so reading the catalog (as `mlops validate` does) never imports a cloud SDK.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from mlops import ir

REGISTRY: dict[str, str] = {
    "aws": "mlops.targets.aws",
    "gcp": "mlops.targets.gcp",
    "azure": "mlops.targets.azure",
    "onprem": "mlops.targets.onprem",
}


@dataclass(frozen=True)
class PoolHints:
    """How pods land on a node pool's nodes."""

    node_selector: tuple[tuple[str, str], ...]
    tolerations: tuple[tuple[tuple[str, str], ...], ...] = ()   # each a sorted (key, value) tuple of a toleration
    accelerator_resource: str | None = None                      # nvidia.com/gpu, google.com/tpu


@dataclass(frozen=True)
class Hints:
    """The little a target tells the cloud-agnostic Kubernetes layer."""

    registry: str                                 # host/prefix for registry:// artifacts (may be deferred)
    pools: dict[str, PoolHints] = field(default_factory=dict)
    service_account_annotations: tuple[tuple[str, str], ...] = ()   # workload identity
    pod_labels: tuple[tuple[str, str], ...] = ()
    gateway_annotations: tuple[tuple[str, str], ...] = ()           # load balancer of the shared Gateway


class Target(Protocol):
    """What a provider module offers. `program` runs inside a Pulumi engine (real, or mocks at compile time)."""

    provider: str

    def hints(self, env: ir.Environment) -> Hints: ...

    def program(self, env: ir.Environment) -> None: ...


def get(provider: str) -> Target:
    """The provider module for `provider`; ValueError naming the valid ones otherwise."""
    if provider not in REGISTRY:
        raise ValueError(f"unknown provider '{provider}': expected one of {', '.join(sorted(REGISTRY))}")
    module = importlib.import_module(REGISTRY[provider])
    return module.TARGET  # type: ignore[no-any-return]
