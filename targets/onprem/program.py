"""The onprem program: nothing but the add-ons, on the existing cluster the kubeconfig context names."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from mlops import ir
from mlops.targets.base import addons, helm


class OnPremCluster(pulumi.ComponentResource):
    """An existing cluster, reached through a kubeconfig context: only the add-ons are created."""

    def __init__(self, name: str, env: ir.Environment, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:onprem:Cluster", name, None, opts)
        self.provider = k8s.Provider(f"{name}-k8s", context=env.target.context, enable_server_side_apply=True,
                                     opts=pulumi.ResourceOptions(parent=self))
        # Only where a pool asks for GPUs, and not where the cluster already runs a device plugin (the GPU Operator,
        # `targets.<t>.addons.nvidiaDevicePlugin`): two plugins would both advertise nvidia.com/gpu.
        self.addons = helm.install(env, self.provider, self, nvidia_device_plugin=bool(addons.gpu_pools(env)))
        self.register_outputs({"context": env.target.context})


def run(env: ir.Environment) -> None:
    cluster = OnPremCluster(env.stack, env)
    pulumi.export("registryUrl", env.target.registry)
    pulumi.export("kubeContext", env.target.context)
    pulumi.export("clusterName", env.target.context)
    pulumi.export("addons", {name: addons.CHARTS[name].version for name in sorted(cluster.addons.releases)})
    if env.addons_from:
        pulumi.export("addonsFrom", env.addons_from)     # the environment whose stack installs this cluster's add-ons
