"""AWS infrastructure components: a VPC with private nodes, an EKS cluster with managed node groups.

Names are explicit and derived from `env.stack`; node group names are `Aws.nodegroup(env, pool)` because
the Kubernetes layer selects nodes by `eks.amazonaws.com/nodegroup`. Tags come from the provider's
`default_tags`, so every taggable resource carries them without each call repeating them; the instances, volumes
and network interfaces a node group launches are not created by Pulumi, so each node group's launch template tags
them ("These tags don't propagate to other resources in the node group, such as Auto Scaling groups or instances",
awsdocs/amazon-eks-user-guide@4d52b4d:latest/ug/nodes/create-managed-node-group.adoc:178).
"""

from __future__ import annotations

import functools
import json
from typing import Any

import pulumi
import pulumi_aws as aws

from mlops import ir
from mlops.ir.names import short_name
from mlops.targets.aws.access import pod_trust
from mlops.targets.base import disks
from mlops.targets.base.tags import tags

AZ_COUNT = 3
VPC_CIDR = "10.0.0.0/16"
PUBLIC_CIDRS = ("10.0.0.0/22", "10.0.4.0/22", "10.0.8.0/22")        # load balancers and the NAT gateway
PRIVATE_CIDRS = ("10.0.64.0/18", "10.0.128.0/18", "10.0.192.0/18")  # nodes and pods (VPC CNI: pod IPs from here)
# The VPC CNI's permissions are not the nodes': aws-node gets them through EKS Pod Identity (CNI_POLICY below), so
# no pod can use the node's credentials to attach ENIs (EKS Best Practices, security/iam.adoc:999-1012, infra A8).
NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly")
CNI_POLICY, CNI_SERVICE_ACCOUNT = "AmazonEKS_CNI_Policy", ("kube-system", "aws-node")
# Network policy enforcement is opt-in on the VPC CNI: this configuration value turns on the node agent that
# enforces NetworkPolicies (the string "true": amazon-eks-user-guide latest/ug/networking/
# eks-networking-add-ons.adoc:1465-1478; VPC CNI >= 1.14, which every supported EKS version's default add-on is).
VPC_CNI_CONFIG = json.dumps({"enableNetworkPolicy": "true"}, sort_keys=True)
GPU_TAINT = aws.eks.NodeGroupTaintArgs(key="nvidia.com/gpu", value="present", effect="NO_SCHEDULE")  # EKS spelling
# Zone ids EKS refuses cluster subnets in ("The subnets can't reside in the following Availability Zones",
# awsdocs/amazon-eks-user-guide@4d52b4d:latest/ug/networking/network-reqs.adoc:82-101). By id: names map to ids
# differently in every account.
EKS_REFUSED_ZONE_IDS = ["cac1-az3", "use1-az3", "usw1-az2"]
# Only the region's own zones: an opted-in Local Zone is "available" too (pulumi_aws get_availability_zones docstring,
# "Only Availability Zones (no Local Zones)").
REGIONAL_ZONES = aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])
# What a launch template tags (terraform-aws-modules/terraform-aws-eks v21.19.0 modules/eks-managed-node-group
# variables.tf:430-435 defaults tag_specifications to these three).
TAGGED_AT_LAUNCH = ("instance", "volume", "network-interface")
# The cluster autoscaler reads this label to tell a GPU node whose device plugin is not yet up from a node without
# GPUs (aws/aws-eks-best-practices@dc0243a:latest/bpg/autoscaling/cluster-autoscaler.adoc:492-497).
ACCELERATOR_LABEL = "k8s.amazonaws.com/accelerator"
# AL2023 nodes drop an image's compressed layers once unpacked (nodeadm: `discard_unpacked_layers = true`,
# awslabs/amazon-eks-ami@v20260724:nodeadm/internal/containerd/config.template.toml:10): targets/base/disks.py.
LAYERS_KEPT = False


def cluster_name(env: ir.Environment) -> str:
    """EKS cluster names: up to 100 characters."""
    return short_name(env.stack, 100)


def assume_role(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


def managed_policy(name: str) -> str:
    return f"arn:aws:iam::aws:policy/{name}"


class Network(pulumi.ComponentResource):
    """A VPC across three availability zones: public subnets (load balancers, one NAT gateway) and private
    subnets for the nodes, which get no public IPs and reach out through the NAT gateway."""

    private_subnet_ids: list[pulumi.Output[str]]

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:aws:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        zones = aws.get_availability_zones_output(state="available", filters=[REGIONAL_ZONES],
                                                  exclude_zone_ids=EKS_REFUSED_ZONE_IDS,
                                                  opts=pulumi.InvokeOptions(parent=self))
        self.vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block=VPC_CIDR, enable_dns_hostnames=True, enable_dns_support=True,
                               tags={"Name": name}, opts=child)
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, tags={"Name": name}, opts=child)
        public, private = [], []
        for i in range(AZ_COUNT):
            zone = zones.names.apply(functools.partial(_nth, i))
            public.append(aws.ec2.Subnet(f"{name}-public-{i}", vpc_id=self.vpc.id, cidr_block=PUBLIC_CIDRS[i],
                                         availability_zone=zone, map_public_ip_on_launch=False,
                                         tags={"Name": f"{name}-public-{i}", "kubernetes.io/role/elb": "1"},
                                         opts=child))
            private.append(aws.ec2.Subnet(f"{name}-private-{i}", vpc_id=self.vpc.id, cidr_block=PRIVATE_CIDRS[i],
                                          availability_zone=zone,
                                          tags={"Name": f"{name}-private-{i}", "kubernetes.io/role/internal-elb": "1"},
                                          opts=child))
        eip = aws.ec2.Eip(f"{name}-nat", domain="vpc", tags={"Name": f"{name}-nat"}, opts=child)
        nat = aws.ec2.NatGateway(f"{name}-nat", allocation_id=eip.id, subnet_id=public[0].id, tags={"Name": name},
                                 opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]))
        routes = {
            "public": aws.ec2.RouteTable(
                f"{name}-public", vpc_id=self.vpc.id, tags={"Name": f"{name}-public"}, opts=child,
                routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)]),
            "private": aws.ec2.RouteTable(
                f"{name}-private", vpc_id=self.vpc.id, tags={"Name": f"{name}-private"}, opts=child,
                routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)]),
        }
        for kind, subnets in (("public", public), ("private", private)):
            for i, subnet in enumerate(subnets):
                aws.ec2.RouteTableAssociation(f"{name}-{kind}-{i}", subnet_id=subnet.id, route_table_id=routes[kind].id,
                                              opts=child)
        self.private_subnet_ids = [s.id for s in private]
        self.public_subnet_ids = [s.id for s in public]
        self.register_outputs({"vpcId": self.vpc.id, "privateSubnetIds": self.private_subnet_ids})


class Cluster(pulumi.ComponentResource):
    """The EKS control plane (API authentication mode, protected), a managed node group per pool, and the
    EKS-managed core add-ons (VPC CNI with network policy, Pod Identity agent, CoreDNS, kube-proxy). `kubeconfig`
    authenticates with `aws eks get-token`: it holds no key."""

    def __init__(self, name: str, env: ir.Environment, network: Network, nodegroup_name: Any,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:aws:Cluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(f"{name}-cluster-role", name=short_name(f"{env.stack}-cluster", 64),
                            assume_role_policy=assume_role("eks.amazonaws.com"), opts=child)
        attach = aws.iam.RolePolicyAttachment(f"{name}-cluster-policy", role=role.name,
                                              policy_arn=managed_policy("AmazonEKSClusterPolicy"), opts=child)
        self.cluster = aws.eks.Cluster(
            f"{name}-cluster", name=cluster_name(env), version=env.kubernetes_version, role_arn=role.arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=network.private_subnet_ids,
                                                    **endpoint_access(env.api_access)),
            access_config=aws.eks.ClusterAccessConfigArgs(authentication_mode="API",
                                                          bootstrap_cluster_creator_admin_permissions=True),
            enabled_cluster_log_types=["api", "audit", "authenticator"],
            # The core add-ons are EKS-managed (below), not bootstrapped self-managed copies nobody upgrades (infra
            # A11). The flag only matters at creation and changing it REPLACES a cluster (pulumi_aws eks/cluster.py:
            # "Changing this value will force a new cluster to be created"): ignored afterwards, so clusters created
            # with the default keep it, and the managed add-ons below adopt their self-managed ones (OVERWRITE), as
            # terraform-aws-modules/eks does (main.tf:46,207-211).
            bootstrap_self_managed_addons=False,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[attach], protect=True,
                                        ignore_changes=["bootstrapSelfManagedAddons"]))
        self.pod_identity_agent = aws.eks.Addon(f"{name}-pod-identity-agent", cluster_name=self.cluster.name,
                                                addon_name="eks-pod-identity-agent", opts=child)
        self.vpc_cni = self._vpc_cni(name, env)
        node_role = aws.iam.Role(f"{name}-node-role", name=short_name(f"{env.stack}-node", 64),
                                 assume_role_policy=assume_role("ec2.amazonaws.com"), opts=child)
        attached = [aws.iam.RolePolicyAttachment(f"{name}-node-{p}", role=node_role.name, policy_arn=managed_policy(p),
                                                 opts=child) for p in NODE_POLICIES]
        # Nodes join only once the CNI runs (no bootstrapped one on new clusters): vpc-cni and the Pod Identity agent
        # it takes its credentials from come first, CoreDNS and kube-proxy (which need nodes) after
        # (terraform-aws-modules/eks README:151-160, `before_compute`).
        before: list[pulumi.Resource] = [*attached, self.vpc_cni, self.pod_identity_agent]
        self.node_groups = {pool.name: self._node_group(name, env, pool, nodegroup_name(env, pool), node_role, network,
                                                        before) for pool in env.node_pools}
        self.core_addons = [aws.eks.Addon(f"{name}-{addon}", cluster_name=self.cluster.name, addon_name=addon,
                                          resolve_conflicts_on_create="OVERWRITE",
                                          resolve_conflicts_on_update="OVERWRITE",
                                          opts=pulumi.ResourceOptions(parent=self,
                                                                      depends_on=list(self.node_groups.values())))
                            for addon in ("coredns", "kube-proxy")]
        config: pulumi.Output[str] = pulumi.Output.all(
            self.cluster.name, self.cluster.endpoint, self.cluster.certificate_authority.data,
        ).apply(lambda parts: kubeconfig(parts[0], parts[1], parts[2], env.target.region or ""))
        self.kubeconfig: pulumi.Output[str] = pulumi.Output.secret(config)
        self.register_outputs({"clusterName": self.cluster.name, "kubeconfig": self.kubeconfig})

    def _vpc_cni(self, name: str, env: ir.Environment) -> aws.eks.Addon:
        """The managed VPC CNI, enforcing NetworkPolicies, with its own role (EKS Pod Identity for aws-node)."""
        child = pulumi.ResourceOptions(parent=self)
        namespace, account = CNI_SERVICE_ACCOUNT
        role = aws.iam.Role(f"{name}-cni-role", name=short_name(f"{env.stack}-cni", 64), opts=child,
                            assume_role_policy=self.cluster.name.apply(lambda c: pod_trust(c, namespace, account)))
        aws.iam.RolePolicyAttachment(f"{name}-cni-policy", role=role.name, policy_arn=managed_policy(CNI_POLICY),
                                     opts=child)
        return aws.eks.Addon(
            f"{name}-vpc-cni", cluster_name=self.cluster.name, addon_name="vpc-cni",
            configuration_values=VPC_CNI_CONFIG,
            resolve_conflicts_on_create="OVERWRITE", resolve_conflicts_on_update="OVERWRITE",
            pod_identity_associations=[aws.eks.AddonPodIdentityAssociationArgs(role_arn=role.arn,
                                                                               service_account=account)],
            opts=child)

    def _node_group(self, name: str, env: ir.Environment, pool: ir.NodePool, group: str, role: aws.iam.Role,
                    network: Network, attached: list[pulumi.Resource]) -> aws.eks.NodeGroup:
        gpu = bool(pool.instance_accelerator)
        disk = disks.node_disk_gib(env, pool, LAYERS_KEPT)
        template = launch_template(f"{name}-launch-{pool.name}", env, group, self, disk)
        accelerator = ({"nvidia.com/gpu.present": "true", ACCELERATOR_LABEL: pool.instance_accelerator or ""}
                       if gpu else {})
        return aws.eks.NodeGroup(
            f"{name}-pool-{pool.name}", cluster_name=self.cluster.name, node_group_name=group, node_role_arn=role.arn,
            subnet_ids=network.private_subnet_ids, instance_types=[pool.instance_type or ""],
            capacity_type="SPOT" if pool.spot else "ON_DEMAND",
            ami_type="AL2023_x86_64_NVIDIA" if gpu else "AL2023_x86_64_STANDARD",
            # Nodes follow the control plane: EKS does not upgrade managed node groups with it ("These instances
            # aren't automatically upgraded", latest/ug/versioning/kubernetes-versions.adoc, version FAQ).
            version=env.kubernetes_version,
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(id=template.id,
                                                                version=template.latest_version.apply(str)),
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(min_size=pool.min, max_size=pool.max,
                                                              desired_size=pool.min),
            labels={"mlops.dev/pool": pool.name, **accelerator},
            taints=[GPU_TAINT] if gpu else None,
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
            # the cluster autoscaler owns the size between min and max
            opts=pulumi.ResourceOptions(parent=self, depends_on=attached, ignore_changes=["scalingConfig.desiredSize"]))


def endpoint_access(access: ir.ApiAccess) -> dict[str, Any]:
    """The API endpoint as `cluster.apiAccess` says: not given, public to any address (EKS's default public CIDR is
    0.0.0.0/0; validation warns); an empty list, the private endpoint only; CIDRs, public to those alone. The
    private endpoint is always on, so nodes reach the API inside the VPC (terraform-aws-eks v21.19.0
    variables.tf:130-146 defaults endpoint_private_access to true)."""
    if access.allowed_cidrs is None:
        return {"endpoint_private_access": True, "endpoint_public_access": True}
    if not access.allowed_cidrs:
        return {"endpoint_private_access": True, "endpoint_public_access": False}
    return {"endpoint_private_access": True, "endpoint_public_access": True,
            "public_access_cidrs": list(access.allowed_cidrs)}


def launch_template(name: str, env: ir.Environment, group: str, parent: pulumi.Resource,
                    disk_gib: int | None = None) -> aws.ec2.LaunchTemplate:
    """Tags for what a node group launches, and IMDSv2 with hop limit 1 (pods get no node credentials: AL2023's
    managed default, which a custom launch template must restate, latest/ug/nodes/al2023.adoc:38-40). Nothing EKS
    forbids in a managed node group's template (no subnet, instance profile, shutdown behaviour, instance type or
    security groups: latest/ug/nodes/launch-templates.adoc:31-105), so EKS keeps choosing the AMI and the cluster
    security group. A pool whose models ask for `resources.disk` gets a root volume of `disk_gib` (targets/base/
    disks.py): with a launch template the disk size is set in it, not on the node group (launch-templates.adoc:49-80,
    "You must specify this in the launch template"), on AL2023's root device /dev/xvda, gp3 like its own
    (awslabs/amazon-eks-ami@v20260724:templates/al2023/template.json:84-86, variables-default.json:40); other pools
    keep the AMI's 20 GiB."""
    labelled = {**tags(env), "Name": group}
    return aws.ec2.LaunchTemplate(
        name, name=group, description=f"Nodes of {group}", update_default_version=True,
        metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(http_endpoint="enabled", http_tokens="required",
                                                                   http_put_response_hop_limit=1),
        tag_specifications=[aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=labelled)
                            for kind in TAGGED_AT_LAUNCH],
        block_device_mappings=[aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
            device_name="/dev/xvda", ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                volume_size=disk_gib, volume_type="gp3", delete_on_termination="true"))] if disk_gib else None,
        opts=pulumi.ResourceOptions(parent=parent))


def kubeconfig(cluster: str, endpoint: str, ca: str, region: str) -> str:
    user = {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "aws",
                     "args": ["eks", "get-token", "--cluster-name", cluster, "--region", region, "--output", "json"]}}
    return json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": cluster,
        "clusters": [{"name": cluster, "cluster": {"server": endpoint, "certificate-authority-data": ca}}],
        "contexts": [{"name": cluster, "context": {"cluster": cluster, "user": cluster}}],
        "users": [{"name": cluster, "user": user}],
    }, sort_keys=True)


def _nth(i: int, names: list[str]) -> str:
    """The i-th availability zone, wrapping round in regions with fewer zones than subnets."""
    return names[i % len(names)]
