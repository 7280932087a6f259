"""onprem: an existing cluster reached through a kubeconfig context. No cloud resources; add-ons only.
This module is SDK-free; `program` loads pulumi-kubernetes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlops import ir
from mlops.targets import Hints
from mlops.targets.base import deferred
from mlops.targets.base import hints as common
from mlops.targets.base.resources import CLUSTER, ResourceRules

if TYPE_CHECKING:
    from mlops.targets.base.allocatable import NodeBudget
    from mlops.targets.base.catalog import InstanceType
    from mlops.targets.base.mocks import Mocks


class OnPrem:
    provider = "onprem"
    fields = frozenset({"context", "registry", "storageClass", "addons"})
    managed_registry = False          # an existing cluster: registry:// needs the target to name its registry
    native_schemes: frozenset[str] = frozenset()   # an existing cluster has no cloud identity
    output_reader_role = ""
    registry_ignores: dict[str, str] = {}
    resources = ResourceRules(roles={"mlops:onprem:Cluster": CLUSTER})
    sdk = ("pulumi", "pulumi_kubernetes", "pulumi_random")   # the `onprem` extra (Helm add-ons, Grafana's password)
    config_keys = frozenset({"kubernetes:context"})   # what stack_config may set

    def hints(self, env: ir.Environment) -> Hints:
        # Existing nodes carry no pool label of ours: label them `mlops.dev/pool=<pool>` (see README).
        # No load balancer annotations: what a LoadBalancer Service gets on an existing cluster (MetalLB pools,
        # an appliance) is the operator's; the README says internal and public Gateways need their address pools.
        return Hints(
            registry=env.target.registry or deferred.token("registryUrl"),
            pools=common.pools(env, lambda pool: {common.POOL_LABEL: pool.name}),
        )

    def stack_config(self, env: ir.Environment) -> dict[str, Any]:
        return {"kubernetes:context": env.target.context} if env.target.context else {}

    def program(self, env: ir.Environment) -> None:
        from mlops.targets.onprem import program

        program.run(env)

    def mocks(self) -> Mocks:
        from mlops.targets.base.mocks import Mocks

        return Mocks()

    def ci_credentials(self, env: ir.Environment) -> dict[str, Any]:
        return {"name": "Kubeconfig of the existing cluster (repository secret KUBECONFIG)",
                "run": 'mkdir -p ~/.kube && printf "%s" "$KUBECONFIG_DATA" > ~/.kube/config',
                "env": {"KUBECONFIG_DATA": "${{ secrets.KUBECONFIG }}"}}

    def output_reader(self) -> dict[str, Any]:
        raise NotImplementedError("an existing cluster owns no object-store scheme (native_schemes is empty)")

    def comparison_target(self, region: str) -> dict[str, Any]:
        raise NotImplementedError("an existing cluster has no price catalog to compare on")

    def system_pools(self, env: ir.Environment) -> tuple[ir.NodePool, ...]:
        return ()


    def node_budget(self, instance: InstanceType) -> NodeBudget | None:
        # The nodes are the user's: their kubelet flags are not known here, so the rule keeps `machine` as capacity.
        return None

TARGET = OnPrem()
