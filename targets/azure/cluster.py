"""Azure infrastructure components: a VNet whose node subnet egresses through a NAT gateway, and an AKS
cluster (OIDC issuer + Workload Identity) with a small system pool and one agent pool per spec pool.

Names are explicit and derived from `env.stack`; agent pool names are the spec's pool names, because the
Kubernetes layer selects nodes by `kubernetes.azure.com/agentpool=<pool>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_azure_native as azure

from mlops import ir
from mlops.ir.names import short_name
from mlops.targets.azure import SYSTEM_NODES, SYSTEM_POOL, SYSTEM_VM_SIZE  # also priced by mlops cost
from mlops.targets.azure.access import assignment_name, role_definition
from mlops.targets.base import disks
from mlops.targets.base.hints import POOL_LABEL
from mlops.targets.base.tags import k8s_labels

GPU_TAINT = "nvidia.com/gpu=present:NoSchedule"
# AKS taints every Spot node so ("A Spot node pool has ... the kubernetes.azure.com/scalesetpriority=spot:NoSchedule
# taint", MicrosoftDocs/azure-aks-docs@fb060ab:articles/aks/spot-node-pool.md:41) and reports it back in nodeTaints;
# a later PUT without it fails with "Changing property 'properties.nodeTaints' is not allowed"
# (pulumi/pulumi-azure-native#959), so spot pools send it themselves.
SPOT_TAINT = "kubernetes.azure.com/scalesetpriority=spot:NoSchedule"
# AKS keeps an image's compressed layers (AgentBaker's containerd template leaves containerd's default
# `discard_unpacked_layers = false`): targets/base/disks.py.
LAYERS_KEPT = True
NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7"   # built-in role ids (MicrosoftDocs/azure-docs built-in
RBAC_CLUSTER_ADMIN = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"    # roles: networking, containers)


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
        control_plane, joined = self._control_plane_identity(name, args)
        self.cluster = azure.containerservice.ManagedCluster(
            f"{name}-cluster", resource_name_=cluster_name(env), resource_group_name=rg,
            dns_prefix=short_name(env.stack, 54), kubernetes_version=env.kubernetes_version,
            sku=azure.containerservice.ManagedClusterSKUArgs(name="Base", tier="Standard"),
            identity=azure.containerservice.ManagedClusterIdentityArgs(
                type=azure.containerservice.ResourceIdentityType.USER_ASSIGNED,
                user_assigned_identities=[control_plane.id]),
            # Entra ID authentication with Azure RBAC, and no local accounts: "--admin access still exists as a
            # non-auditable backdoor" otherwise (articles/aks/local-accounts.md:16); the kubeconfig holds no key.
            aad_profile=azure.containerservice.ManagedClusterAADProfileArgs(managed=True, enable_azure_rbac=True),
            disable_local_accounts=True,
            api_server_access_profile=api_server_access(env.api_access, args.network.public_ip.ip_address),
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
            opts=pulumi.ResourceOptions(parent=self, protect=True, ignore_changes=["agentPoolProfiles"],
                                        depends_on=[joined]))
        self.deployer = self._deployer_admin(name, args)
        self.node_pools = {pool.name: self._pool(name, args, pool) for pool in env.node_pools}
        self.register_outputs({"name": self.cluster.name})

    def _control_plane_identity(self, name: str, args: ClusterArgs) -> tuple[azure.managedidentity.UserAssignedIdentity,
                                                                           azure.authorization.RoleAssignment]:
        """The control plane's own identity, made before the cluster and allowed to join load balancers to the node
        subnet (which is outside AKS's node resource group). "If you're not using the Azure CLI, but you're using
        your own VNet ... we recommend using a user-assigned managed identity for the control plane and manually
        performing the required role assignment" (articles/aks/managed-identity-overview.md:74-78; the AKS baseline,
        mspnp/aks-baseline, grants Network Contributor on the subnet the same way)."""
        env = args.env
        identity = azure.managedidentity.UserAssignedIdentity(
            f"{name}-control-plane", resource_name_=short_name(f"{env.stack}-aks", 128),
            resource_group_name=args.resource_group.name, tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self))
        joined = azure.authorization.RoleAssignment(
            f"{name}-subnet-network-contributor", role_assignment_name=assignment_name(env, "aks-subnet"),
            scope=args.network.subnet.id,
            role_definition_id=role_definition(args.resource_group.id, NETWORK_CONTRIBUTOR),
            principal_id=identity.principal_id, principal_type="ServicePrincipal",
            opts=pulumi.ResourceOptions(parent=self))
        return identity, joined

    def _deployer_admin(self, name: str, args: ClusterArgs) -> azure.authorization.RoleAssignment:
        """With Azure RBAC, whoever runs `pulumi up` needs a role on the cluster to install the add-ons: the caller
        of this program (a CI identity or a person) is made its RBAC cluster admin."""
        caller = azure.authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self))
        return azure.authorization.RoleAssignment(
            f"{name}-deployer-cluster-admin", role_assignment_name=assignment_name(args.env, "aks-deployer"),
            scope=self.cluster.id, role_definition_id=role_definition(args.resource_group.id, RBAC_CLUSTER_ADMIN),
            principal_id=caller.object_id, opts=pulumi.ResourceOptions(parent=self))

    def _pool(self, prefix: str, args: ClusterArgs, pool: ir.NodePool) -> azure.containerservice.AgentPool:
        env = args.env
        return azure.containerservice.AgentPool(
            f"{prefix}-{pool.name}", agent_pool_name=pool.name, resource_name_=self.cluster.name,
            resource_group_name=args.resource_group.name, mode="User", os_type="Linux", os_sku="Ubuntu",
            vm_size=pool.instance_type, orchestrator_version=env.kubernetes_version,
            vnet_subnet_id=args.network.subnet.id,
            **os_disk(env, pool),
            # `count` seeds the pool; afterwards the autoscaler owns it (hence ignored below).
            enable_auto_scaling=True, count=pool.min, min_count=pool.min, max_count=pool.max,
            node_labels={**k8s_labels(env), POOL_LABEL: pool.name},
            # AKS taints GPU nodes never; spot nodes itself, and the taint must be restated (SPOT_TAINT).
            node_taints=[*([SPOT_TAINT] if pool.spot else []), *([GPU_TAINT] if is_gpu(pool) else [])] or None,
            # Spot: evicted nodes are deleted (the autoscaler replaces them), at up to the on-demand price.
            scale_set_priority="Spot" if pool.spot else None,
            scale_set_eviction_policy="Delete" if pool.spot else None,
            spot_max_price=-1 if pool.spot else None,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["count"]))



def os_disk(env: ir.Environment, pool: ir.NodePool) -> dict[str, Any]:
    """The OS disk of a pool whose models ask for `resources.disk` (targets/base/disks.py), as a managed disk: an
    ephemeral OS disk lives in the VM's temp storage and is sized by it (articles/aks/concepts-storage.md:37, at
    MicrosoftDocs/azure-aks-docs@fb060ab), which the sizes a model's disk needs outgrow. Other pools keep AKS's
    default. "You can't change the OS disk size after cluster or node pool creation" (:42): a change replaces the
    pool (RESOURCES)."""
    size = disks.node_disk_gib(env, pool, LAYERS_KEPT)
    return {"os_disk_size_gb": size, "os_disk_type": "Managed"} if size else {}

def api_server_access(access: ir.ApiAccess, egress_ip: pulumi.Input[str | None]
                      ) -> azure.containerservice.ManagedClusterAPIServerAccessProfileArgs | None:
    """The API server as cluster.apiAccess says: not given, public (validation warns); an empty list, a private
    cluster; CIDRs, authorized IP ranges, with the cluster's own egress (the NAT gateway's address), which AKS
    recommends including ("The cluster egress IP address (firewall, NAT gateway ...)",
    articles/aks/api-server-authorized-ip-ranges.md:45; AKS adds the load balancer's outbound IP by itself, but the
    nodes leave through the NAT gateway here)."""
    if access.allowed_cidrs is None:
        return None
    if not access.allowed_cidrs:
        return azure.containerservice.ManagedClusterAPIServerAccessProfileArgs(enable_private_cluster=True)
    own = pulumi.Output.from_input(egress_ip).apply(lambda ip: f"{ip}/32")
    return azure.containerservice.ManagedClusterAPIServerAccessProfileArgs(
        authorized_ip_ranges=pulumi.Output.all(*access.allowed_cidrs, own))


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
