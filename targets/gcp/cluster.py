"""GCP infrastructure components: VPC with Cloud NAT, a private GKE cluster, one node pool per spec pool.

Names are explicit and derived from `env.stack` (GKE cluster names: 40 characters; other GCE names: 63);
node pool names are the spec's pool names, because the Kubernetes layer selects nodes by
`cloud.google.com/gke-nodepool=<pool>`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from mlops import ir
from mlops.ir.names import short_name
from mlops.targets.base import catalog, disks
from mlops.targets.base.hints import POOL_LABEL
from mlops.targets.base.tags import gcp_labels, k8s_labels

POD_RANGE, SERVICE_RANGE = "pods", "services"
SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]   # access is decided by IAM, not scopes
GPU_TAINT = gcp.container.NodePoolNodeConfigTaintArgs(key="nvidia.com/gpu", value="present", effect="NO_SCHEDULE")
TPU_TAINT = gcp.container.NodePoolNodeConfigTaintArgs(key="google.com/tpu", value="present", effect="NO_SCHEDULE")


def gce_name(env: ir.Environment, suffix: str) -> str:
    return short_name(f"{env.stack}-{suffix}", 63)


def cluster_name(env: ir.Environment) -> str:
    return short_name(env.stack, 40)


class Network(pulumi.ComponentResource):
    """A custom-mode VPC, one regional subnet with secondary ranges for pods and services, and Cloud NAT
    so private nodes (no external IPs) can still pull public images."""

    def __init__(self, name: str, env: ir.Environment, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:gcp:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        project, region = env.target.project, env.target.region
        self.vpc = gcp.compute.Network(f"{name}-vpc", name=gce_name(env, "vpc"), project=project,
                                       auto_create_subnetworks=False, routing_mode="REGIONAL", opts=child)
        self.subnet = gcp.compute.Subnetwork(
            f"{name}-nodes", name=gce_name(env, "nodes"), project=project, region=region, network=self.vpc.id,
            ip_cidr_range="10.0.0.0/20", private_ip_google_access=True,
            secondary_ip_ranges=[
                gcp.compute.SubnetworkSecondaryIpRangeArgs(range_name=POD_RANGE, ip_cidr_range="10.4.0.0/14"),
                gcp.compute.SubnetworkSecondaryIpRangeArgs(range_name=SERVICE_RANGE, ip_cidr_range="10.8.0.0/20"),
            ],
            opts=child)
        self.router = gcp.compute.Router(f"{name}-router", name=gce_name(env, "router"), project=project,
                                         region=region, network=self.vpc.id, opts=child)
        self.nat = gcp.compute.RouterNat(
            f"{name}-nat", name=gce_name(env, "nat"), project=project, region=region, router=self.router.name,
            nat_ip_allocate_option="AUTO_ONLY", source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
            log_config=gcp.compute.RouterNatLogConfigArgs(enable=True, filter="ERRORS_ONLY"),
            opts=child)
        self.register_outputs({"network": self.vpc.id, "subnetwork": self.subnet.id})


# Ports the control plane must reach on pods of private nodes besides the 443/10250 GKE opens itself: KEDA's metrics
# API server (6443: keda-docs content/docs/2.16/operate/cluster.md:55, "Only required for Google Cloud";
# kedacore/charts@v2.16.0 keda/values.yaml:465-471 portHttpsTarget) and the admission webhooks on 9443 (KEDA's,
# values.yaml:165-186; Envoy Gateway's topology injector, charts/gateway-helm envoy-gateway Service `webhook`).
CONTROL_PLANE_PORTS = ("6443", "9443")
# GKE's containerd configuration is not published: sized as if compressed layers stay (targets/base/disks.py).
LAYERS_KEPT = True


def control_plane_firewall(name: str, env: ir.Environment, network: Network, node_account: pulumi.Input[str],
                           opts: pulumi.ResourceOptions) -> gcp.compute.Firewall:
    """Lets the control plane call the add-ons' API services and webhooks on the nodes (infra review G5).

    A PSC-based private cluster with neither `master_ipv4_cidr_block` nor a private endpoint subnetwork takes its
    control plane's internal endpoint from the node subnet's primary range, which is therefore the source
    (terraform-google-modules/kubernetes-engine modules/private-cluster main.tf:116-122, firewall.tf:99-120)."""
    return gcp.compute.Firewall(
        name, name=gce_name(env, "control-plane-webhooks"), project=env.target.project, network=network.vpc.id,
        direction="INGRESS", source_ranges=[network.subnet.ip_cidr_range],
        allows=[gcp.compute.FirewallAllowArgs(protocol="tcp", ports=list(CONTROL_PLANE_PORTS))],
        target_service_accounts=[node_account], opts=opts)


@dataclass(frozen=True)
class ClusterArgs:
    env: ir.Environment
    network: Network
    node_service_account: pulumi.Input[str]     # email of the nodes' least-privilege service account


class Cluster(pulumi.ComponentResource):
    """A regional, VPC-native GKE Standard cluster with private nodes and Workload Identity, its default
    node pool removed, and one autoscaled node pool per spec pool."""

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:gcp:Cluster", name, None, opts)
        env = args.env
        self.cluster = gcp.container.Cluster(
            f"{name}-cluster", name=cluster_name(env), project=env.target.project, location=env.target.region,
            network=args.network.vpc.id, subnetwork=args.network.subnet.id,
            min_master_version=env.kubernetes_version,
            release_channel=gcp.container.ClusterReleaseChannelArgs(channel="REGULAR"),
            remove_default_node_pool=True, initial_node_count=1,
            networking_mode="VPC_NATIVE",
            ip_allocation_policy=gcp.container.ClusterIpAllocationPolicyArgs(
                cluster_secondary_range_name=POD_RANGE, services_secondary_range_name=SERVICE_RANGE),
            # Private nodes; the control plane endpoint as cluster.apiAccess says (the Pulumi run must reach it).
            private_cluster_config=gcp.container.ClusterPrivateClusterConfigArgs(
                enable_private_nodes=True, enable_private_endpoint=env.api_access.allowed_cidrs == ()),
            master_authorized_networks_config=authorized_networks(env.api_access),
            # The default pool lives only until the cluster exists, but under the nodes' own service account: where
            # the Compute Engine default one is disabled, creation fails otherwise (terraform-google-modules/
            # terraform-google-kubernetes-engine@bb176b2 cluster.tf:521-603 does the same for its default-pool).
            node_config=gcp.container.ClusterNodeConfigArgs(service_account=args.node_service_account,
                                                            oauth_scopes=SCOPES),
            workload_identity_config=gcp.container.ClusterWorkloadIdentityConfigArgs(
                workload_pool=f"{env.target.project}.svc.id.goog"),
            # Dataplane V2 enforces the NetworkPolicies the Kubernetes layer writes.
            datapath_provider="ADVANCED_DATAPATH",
            resource_labels=gcp_labels(env),
            deletion_protection=True,
            # nodeConfig only shapes the default pool removed at creation: clusters made before it was set keep theirs
            opts=pulumi.ResourceOptions(parent=self, protect=True, ignore_changes=["nodeConfig"]))
        self.node_pools = {pool.name: self._pool(name, env, pool, args.node_service_account)
                           for pool in env.node_pools}
        self.register_outputs({"name": self.cluster.name, "endpoint": self.cluster.endpoint})

    def _pool(self, prefix: str, env: ir.Environment, pool: ir.NodePool,
              service_account: pulumi.Input[str]) -> gcp.container.NodePool:
        return gcp.container.NodePool(
            f"{prefix}-{pool.name}", name=pool.name, project=env.target.project, location=env.target.region,
            cluster=self.cluster.id,
            # Per zone, at creation only (a change would replace the pool, hence ignored below); 0 lets pools
            # that may be empty start empty and scale up on demand.
            initial_node_count=1 if pool.min > 0 else 0,
            # Accelerators are offered in some zones of a region only (TPU v5e in us-central1: us-central1-a): the
            # catalog names them, and a pool spread over the cluster's zones would fail in the others.
            node_locations=list(zones(env, pool)) or None,
            autoscaling=gcp.container.NodePoolAutoscalingArgs(
                total_min_node_count=pool.min, total_max_node_count=pool.max,
                # Spot capacity comes and goes per zone: take it wherever it is.
                location_policy="ANY" if pool.spot else "BALANCED"),
            management=gcp.container.NodePoolManagementArgs(auto_repair=True, auto_upgrade=True),
            node_config=node_config(env, pool, service_account),
            placement_policy=placement(pool),
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["initialNodeCount"]))


def authorized_networks(access: ir.ApiAccess) -> gcp.container.ClusterMasterAuthorizedNetworksConfigArgs | None:
    """Who reaches the control plane: the CIDRs of cluster.apiAccess (none, with the private endpoint, for an empty
    list; Google Cloud's own addresses excluded). Not given: no block, any address (validation warns). An empty
    block means "disallow external access" (terraform-google-modules/terraform-google-kubernetes-engine@bb176b2
    README "master_authorized_networks", cluster.tf:267-279)."""
    if access.allowed_cidrs is None:
        return None
    return gcp.container.ClusterMasterAuthorizedNetworksConfigArgs(
        cidr_blocks=[gcp.container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs(
            cidr_block=cidr, display_name=f"cluster.apiAccess.allowedCidrs[{i}]")
            for i, cidr in enumerate(access.allowed_cidrs)],
        gcp_public_cidrs_access_enabled=False)


def zones(env: ir.Environment, pool: ir.NodePool) -> tuple[str, ...]:
    """The zones of the region that offer the pool's instance type, when the catalog says only some do."""
    price = instance(pool).prices.get(env.target.region or "")
    return price.zones if price else ()


def instance(pool: ir.NodePool) -> catalog.InstanceType:
    if not pool.instance_type:
        raise ValueError(f"node pool '{pool.name}' has no instance type (normalize picks one for gcp)")
    return catalog.load("gcp").instances[pool.instance_type]


def node_config(env: ir.Environment, pool: ir.NodePool,
                service_account: pulumi.Input[str]) -> gcp.container.NodePoolNodeConfigArgs:
    item = instance(pool)
    gpu = item.gke_accelerator if item.gke_accelerator and not item.tpu_topology else None
    return gcp.container.NodePoolNodeConfigArgs(
        machine_type=item.machine_type or item.name,
        spot=pool.spot,
        labels={**k8s_labels(env), POOL_LABEL: pool.name},
        resource_labels=gcp_labels(env),
        guest_accelerators=[gcp.container.NodePoolNodeConfigGuestAcceleratorArgs(
            type=gpu, count=item.accelerator_count,
            # GKE installs the driver, and runs the device plugin itself: no add-on needed.
            gpu_driver_installation_config=gcp.container.NodePoolNodeConfigGuestAcceleratorGpuDriverInstallationConfigArgs(
                gpu_driver_version="DEFAULT"))] if gpu else None,
        # Set explicitly: GKE taints GPU nodes itself only when a non-GPU pool already exists at creation
        # (not with only accelerator pools, not retroactively), so the taint would depend on creation order.
        taints=[GPU_TAINT] if gpu else [TPU_TAINT] if item.tpu_topology else None,
        service_account=service_account,
        oauth_scopes=SCOPES,
        workload_metadata_config=gcp.container.NodePoolNodeConfigWorkloadMetadataConfigArgs(mode="GKE_METADATA"),
        shielded_instance_config=gcp.container.NodePoolNodeConfigShieldedInstanceConfigArgs(
            enable_secure_boot=True, enable_integrity_monitoring=True),
        # Sized for the models asking for `resources.disk` (targets/base/disks.py); else GKE's default (100 GB).
        disk_size_gb=disks.node_disk_gib(env, pool, LAYERS_KEPT),
    )


def placement(pool: ir.NodePool) -> gcp.container.NodePoolPlacementPolicyArgs | None:
    """TPU slices need their topology; GKE places the slice's hosts compactly."""
    item = instance(pool)
    if not item.tpu_topology:
        return None
    return gcp.container.NodePoolPlacementPolicyArgs(type="COMPACT", tpu_topology=item.tpu_topology)

