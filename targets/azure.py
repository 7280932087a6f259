"""Azure: AKS with agent pools, ACR, Azure Workload Identity."""

from __future__ import annotations

import hashlib
import re

from compiler import ir

from . import Hints
from . import hints as common

SPOT_TOLERATION = (("effect", "NoSchedule"), ("key", "kubernetes.azure.com/scalesetpriority"),
                   ("operator", "Equal"), ("value", "spot"))


class Azure:
    provider = "azure"

    @staticmethod
    def acr_name(env: ir.Environment) -> str:
        """ACR names are global, 5..50 letters and digits: the stack name plus a stable suffix."""
        suffix = hashlib.sha256(f"{env.stack}/{env.target.region}".encode()).hexdigest()[:8]
        return re.sub(r"[^a-z0-9]", "", env.stack)[:42] + suffix

    def registry(self, env: ir.Environment) -> str:
        return f"{self.acr_name(env)}.azurecr.io/{env.platform}"

    def hints(self, env: ir.Environment) -> Hints:
        return Hints(
            registry=common.registry(env, lambda: self.registry(env)),
            # AKS taints spot pools itself but adds no toleration for them, nor for GPU taints (Azure/AKS#1449).
            pools=common.pools(env, lambda pool: {"kubernetes.azure.com/agentpool": pool.name},
                               lambda pool: (SPOT_TOLERATION,) if pool.spot else ()),
            # The identity's client id is a GUID Azure assigns at creation: filled in by the workloads stack.
            service_account_annotations=(("azure.workload.identity/client-id", common.deferred("modelsClientId")),),
            pod_labels=(("azure.workload.identity/use", "true"),),
        )

    def program(self, env: ir.Environment) -> None:
        raise NotImplementedError("the Azure Pulumi program is being written")


TARGET = Azure()
