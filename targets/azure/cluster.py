"""Azure infrastructure components: a VNet whose node subnet egresses through a NAT gateway, and an AKS
cluster (OIDC issuer + Workload Identity) with a small system pool and one agent pool per spec pool.

Names are explicit and derived from `env.stack`; agent pool names are the spec's pool names, because the
Kubernetes layer selects nodes by `kubernetes.azure.com/agentpool=<pool>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure

from mlops import ir
from mlops.ir.names import short_name
from mlops.targets.azure import SYSTEM_NODES, SYSTEM_POOL, SYSTEM_VM_SIZE  # also priced by mlops cost
from mlops.targets.base.hints import POOL_LABEL
from mlops.targets.base.tags import k8s_labels

GPU_TAINT = "nvidia.com/gpu=present:NoSchedule"


@dataclass(frozen=True)
class NetworkArgs:
    env: ir.Environment
    resource_group: azure.resources.ResourceGroup
    tags: Mapping[str, str]


class Network(pulumi.ComponentResource):
    """A VNet with one node subnet. Nodes get no public IPs; egress goes through a NAT gateway (pods use
    Azure CNI overlay addresses, so the subnet only holds nodes)."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:azure:Network", name, None, opts)
        env, rg, child = args.env, args.resource_group.name, pulumi.ResourceOptions(parent=self)
        self.public_ip = azure.network.PublicIPAddress(
            f"{name}-nat-ip", public_ip_address_name=short_name(f"{env.stack}-nat-ip", 80), resource_group_name=rg,
            sku=azure.network.PublicIPAddressSkuArgs(name="Standard"), public_ip_allocation_method="Static",
            tags=dict(args.tags), opts=child)
        self.nat = azure.network.NatGateway(
            f"{name}-nat", nat_gateway_name=short_name(f"{env.stack}-nat", 80), resource_group_name=rg,
            sku=azure.network.NatGatewaySkuArgs(name="Standard"),
            public_ip_addresses=[azure.network.SubResourceArgs(id=self.public_ip.id)],
            tags=dict(args.tags), opts=child)
        self.vnet = azure.network.VirtualNetwork(
            f"{name}-vnet", virtual_network_name=short_name(f"{env.stack}-vnet", 64), resource_group_name=rg,
            address_space=azure.network.AddressSpaceArgs(address_prefixes=["10.224.0.0/12"]),
            tags=dict(args.tags), opts=pulumi.ResourceOptions(parent=self, ignore_changes=["subnets"]))
        self.subnet = azure.network.Subnet(
            f"{name}-nodes", subnet_name="nodes", resource_group_name=rg, virtual_network_name=self.vnet.name,
            address_prefix="10.224.0.0/16", nat_gateway=azure.network.SubResourceArgs(id=self.nat.id), opts=child)
        self.register_outputs({"subnetId": self.subnet.id})


@dataclass(frozen=True)
class ClusterArgs:
    env: ir.Environment
    resource_group: azure.resources.ResourceGroup
    network: Network
    tags: Mapping[str, str]


def cluster_name(env: ir.Environment) -> str:
    return short_name(env.stack, 63)


class Cluster(pulumi.ComponentResource):
    """AKS at `env.kubernetes_version` with the OIDC issuer and Workload Identity on, Azure CNI overlay
    with Cilium (which enforces the NetworkPolicies the Kubernetes layer writes), and the agent pools."""

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:azure:Cluster", name, None, opts)
        env, rg, subnet = args.env, args.resource_group.name, args.network.subnet.id
        self.cluster = azure.containerservice.ManagedCluster(
            f"{name}-cluster", resource_name_=cluster_name(env), resource_group_name=rg,
            dns_prefix=short_name(env.stack, 54), kubernetes_version=env.kubernetes_version,
            sku=azure.containerservice.ManagedClusterSKUArgs(name="Base", tier="Standard"),
            identity=azure.containerservice.ManagedClusterIdentityArgs(
                type=azure.containerservice.ResourceIdentityType.SYSTEM_ASSIGNED),
            oidc_issuer_profile=azure.containerservice.ManagedClusterOIDCIssuerProfileArgs(enabled=True),
            security_profile=azure.containerservice.ManagedClusterSecurityProfileArgs(
                workload_identity=azure.containerservice.ManagedClusterSecurityProfileWorkloadIdentityArgs(enabled=True)),
            network_profile=azure.containerservice.ContainerServiceNetworkProfileArgs(
                network_plugin="azure", network_plugin_mode="overlay", network_dataplane="cilium",
                network_policy="cilium", pod_cidr="10.244.0.0/16", service_cidr="10.0.0.0/16",
                dns_service_ip="10.0.0.10", load_balancer_sku="standard", outbound_type="userAssignedNATGateway"),
            auto_upgrade_profile=azure.containerservice.ManagedClusterAutoUpgradeProfileArgs(
                upgrade_channel="patch", node_os_upgrade_channel="NodeImage"),
            agent_pool_profiles=[system_pool(env, subnet, args.tags)],
            tags=dict(args.tags),
            # The spec pools are AgentPool resources: the cluster's own list only seeds the system pool.
            opts=pulumi.ResourceOptions(parent=self, protect=True, ignore_changes=["agentPoolProfiles"]))
        self.node_pools = {pool.name: self._pool(name, args, pool) for pool in env.node_pools}
        self.register_outputs({"name": self.cluster.name})

    def _pool(self, prefix: str, args: ClusterArgs, pool: ir.NodePool) -> azure.containerservice.AgentPool:
        env = args.env
        return azure.containerservice.AgentPool(
            f"{prefix}-{pool.name}", agent_pool_name=pool.name, resource_name_=self.cluster.name,
            resource_group_name=args.resource_group.name, mode="User", os_type="Linux", os_sku="Ubuntu",
            vm_size=pool.instance_type, orchestrator_version=env.kubernetes_version,
            vnet_subnet_id=args.network.subnet.id,
            # `count` seeds the pool; afterwards the autoscaler owns it (hence ignored below).
            enable_auto_scaling=True, count=pool.min, min_count=pool.min, max_count=pool.max,
            node_labels={**k8s_labels(env), POOL_LABEL: pool.name},
            # AKS taints spot nodes (kubernetes.azure.com/scalesetpriority=spot) itself, GPU nodes never.
            node_taints=[GPU_TAINT] if is_gpu(pool) else None,
            # Spot: evicted nodes are deleted (the autoscaler replaces them), at up to the on-demand price.
            scale_set_priority="Spot" if pool.spot else None,
            scale_set_eviction_policy="Delete" if pool.spot else None,
            spot_max_price=-1 if pool.spot else None,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["count"]))


def is_gpu(pool: ir.NodePool) -> bool:
    return bool(pool.instance_accelerator) and not (pool.instance_accelerator or "").startswith("tpu")


def system_pool(env: ir.Environment, subnet: pulumi.Input[str],
                tags: Mapping[str, str]) -> azure.containerservice.ManagedClusterAgentPoolProfileArgs:
    """A small pool for AKS's own components (CoreDNS, metrics-server, konnectivity)."""
    return azure.containerservice.ManagedClusterAgentPoolProfileArgs(
        name=SYSTEM_POOL, mode="System", os_type="Linux", os_sku="Ubuntu", vm_size=SYSTEM_VM_SIZE,
        orchestrator_version=env.kubernetes_version, vnet_subnet_id=subnet,
        enable_auto_scaling=True, count=SYSTEM_NODES[0], min_count=SYSTEM_NODES[0], max_count=SYSTEM_NODES[1],
        node_labels={**k8s_labels(env), POOL_LABEL: SYSTEM_POOL}, tags=dict(tags))
