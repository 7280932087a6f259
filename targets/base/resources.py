"""How `mlops plan` reads a target's resource graph: what each resource is for, and which of its inputs the cloud
cannot change in place. Each target states these for its own resource types; the ones below are shared."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Role = Literal["cluster", "registry", "node pool", "resource group"]
CLUSTER: Role = "cluster"
REGISTRY: Role = "registry"
NODE_POOL: Role = "node pool"
RESOURCE_GROUP: Role = "resource group"


@dataclass(frozen=True)
class ResourceRules:
    """`replace_on`: type token -> the inputs whose change replaces the resource (Terraform's ForceNew,
    azure-native's path parameters); `roles`: type token -> what it is for the plan's destructive-change box."""

    replace_on: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    roles: Mapping[str, Role] = field(default_factory=dict)


# Every target installs Helm releases through pulumi-kubernetes.
SHARED = ResourceRules(replace_on={
    # A Helm release's name and namespace identify it; its chart, version and values are upgraded in place.
    "kubernetes:helm.sh/v3:Release": ("name", "namespace"),
    # Pointing at another cluster replaces every resource the provider manages.
    "pulumi:providers:kubernetes": ("context", "kubeconfig", "cluster"),
})
