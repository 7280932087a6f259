"""Targets: one package per provider, each implementing `Target`, listed in `REGISTRY`.

Everything the compiler knows of a provider sits behind this Protocol: the Kubernetes hints, the infra stack's
provider config, the Pulumi program, the mocks its preview needs, how its resources are diffed, its CI
credentials, the target fields it owns. Adding a provider is one package, one line in `REGISTRY` and one golden
folder. A provider package's `__init__` imports no cloud SDK (`mlops validate` and `compile --manifests-only`
import it); only `program` does, when it runs.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from mlops import DISTRIBUTION
from mlops.errors import Failure

if TYPE_CHECKING:
    from mlops import ir
    from mlops.targets.base.allocatable import NodeBudget
    from mlops.targets.base.catalog import InstanceType
    from mlops.targets.base.mocks import Mocks
    from mlops.targets.base.resources import ResourceRules

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
    pools: Mapping[str, PoolHints] = field(default_factory=lambda: MappingProxyType({}))
    service_account_annotations: tuple[tuple[str, str], ...] = ()   # workload identity, every model's
    pod_labels: tuple[tuple[str, str], ...] = ()
    # The Gateways' load balancer Service annotations: the internal one (every endpoint's default) and the public one
    # (endpoints with `visibility: public`); empty where the cluster's load balancer needs none (onprem).
    internal_lb_annotations: tuple[tuple[str, str], ...] = ()
    public_lb_annotations: tuple[tuple[str, str], ...] = ()
    # link-local addresses pods must not reach (the instance metadata service where pods need none of it)
    link_local_except: tuple[str, ...] = ()
    # workload identity of one model (its own cloud identity), by model name; added to the shared annotations
    model_service_account_annotations: Mapping[str, tuple[tuple[str, str], ...]] = field(
        default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        object.__setattr__(self, "pools", MappingProxyType(dict(self.pools)))
        object.__setattr__(self, "model_service_account_annotations",
                           MappingProxyType(dict(self.model_service_account_annotations)))

    def service_account(self, model: str) -> dict[str, str]:
        """The annotations of model `model`'s ServiceAccount."""
        return {**dict(self.service_account_annotations), **dict(self.model_service_account_annotations.get(model, ()))}


class Target(Protocol):
    """What a provider package offers (its module-level `TARGET`)."""

    provider: str
    fields: frozenset[str]          # the target fields (besides `provider`) the schema lets it carry
    managed_registry: bool          # creates a registry for registry:// artifacts when the target names none
    # `registry` settings its managed registry cannot apply, each with why (validation warns when a spec asks them)
    registry_ignores: Mapping[str, str]
    # object-store schemes (s3, gs, az) its workload identity reads; any other needs targets.<t>.storageCredentials
    native_schemes: frozenset[str]
    # what the identity `output_reader` names needs: read access to the training outputs, nothing more
    output_reader_role: str
    resources: ResourceRules        # how `mlops plan` diffs its resource types
    sdk: tuple[str, ...]            # modules its program needs (the pip extra named after the provider installs them)
    config_keys: frozenset[str]     # every stack config key `stack_config` may set (a recompile owns these)

    def hints(self, env: ir.Environment) -> Hints:
        """What the Kubernetes layer needs of the target (pure: no SDK, no cloud)."""

    def stack_config(self, env: ir.Environment) -> dict[str, Any]:
        """Config of the infra project's default provider (the programs also pass these explicitly)."""

    def program(self, env: ir.Environment) -> None:
        """The infra stack's Pulumi program; runs inside a Pulumi engine (real, or mocks at compile time)."""

    def mocks(self) -> Mocks:
        """Outputs and invoke results that make the program run under mocks."""

    def ci_credentials(self, env: ir.Environment) -> dict[str, Any]:
        """A GitHub Actions step giving a job access to the target (OIDC where the cloud offers it)."""

    def output_reader(self) -> dict[str, Any]:
        """A GitHub Actions step giving a job read access to this cloud's object storage through OIDC (no stored
        key), from repository variables named MLOPS_OUTPUTS_<CLOUD>_*: how the propose workflow reads training
        outputs in this cloud, whatever cloud the environment runs on. Only for a target with `native_schemes`."""

    def comparison_target(self, region: str) -> dict[str, Any]:
        """A target spec on this provider in `region`, to price a spec there (`mlops cost --compare`)."""

    def system_pools(self, env: ir.Environment) -> tuple[ir.NodePool, ...]:
        """Node pools the program creates besides the spec's (AKS's system pool): `mlops cost` prices them too."""

    def node_budget(self, instance: InstanceType) -> NodeBudget | None:
        """What pods may request on one node of `instance` as the program creates it (pure: catalog data and the
        provider's documented reserves); None where the target cannot know (onprem: the nodes are the user's)."""


def get(provider: str) -> Target:
    """The target of `provider`; UnknownProvider naming the valid ones otherwise."""
    if provider not in REGISTRY:
        raise UnknownProvider(provider)
    return _load(provider)


@functools.cache
def _load(provider: str) -> Target:
    return importlib.import_module(REGISTRY[provider]).TARGET  # type: ignore[no-any-return]


def config_keys() -> frozenset[str]:
    """Every provider's stack config keys: what a recompile owns in Pulumi.<env>.yaml besides `mlops:*` (a target
    switched to another provider drops the old one's)."""
    return frozenset(k for p in REGISTRY for k in get(p).config_keys)


def missing_sdk(provider: str) -> tuple[str, ...]:
    """The modules `provider`'s program needs that are not installed (found without importing them)."""
    return tuple(m for m in get(provider).sdk if importlib.util.find_spec(m) is None)


def extra_command(providers: Iterable[str]) -> str:
    """The command installing the extras of `providers`: `pip install 'mlops-compiler[aws,gcp]'`."""
    return f"pip install '{DISTRIBUTION}[{','.join(sorted(set(providers)))}]'"


def extra_hint(providers: Iterable[str]) -> str:
    """How to install the extras of `providers`, from an index and from a checkout."""
    chosen = sorted(set(providers))
    return f"{extra_command(chosen)} (from a checkout: pip install -e '.[{','.join(chosen)}]')"


class SdkMissing(Failure):
    """A target's Pulumi SDK is not installed, and the command needs its program (compile, apply)."""


def require_sdk(envs: Iterable[ir.Environment], what: str) -> None:
    """Raise SdkMissing naming every environment whose target's SDK is missing, and the one command installing
    them all. `what` says what needs them (`compile the infra layer`)."""
    missing = {e.name: (e.target.provider, missing_sdk(e.target.provider)) for e in envs}
    missing = {name: found for name, found in missing.items() if found[1]}
    if not missing:
        return
    which = "; ".join(f"{name} ({provider}) needs {', '.join(modules)}"
                      for name, (provider, modules) in missing.items())
    raise SdkMissing(f"cannot {what}: the Pulumi SDK of its target is not installed: {which}. Install the extra: "
                     f"{extra_hint(p for p, _ in missing.values())}")


def owners(field_name: str) -> tuple[str, ...]:
    """The providers whose targets may carry `field_name`, in registry order."""
    return tuple(p for p in REGISTRY if field_name in get(p).fields)


class UnknownProvider(ValueError):
    def __init__(self, provider: str):
        super().__init__(f"unknown provider '{provider}': expected one of {', '.join(sorted(REGISTRY))}")
