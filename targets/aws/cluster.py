"""AWS infrastructure components: a VPC with private nodes, an EKS cluster with managed node groups.

Names are explicit and derived from `env.stack`; node group names are `Aws.nodegroup(env, pool)` because
the Kubernetes layer selects nodes by `eks.amazonaws.com/nodegroup`. Tags come from the provider's
`default_tags`, so every taggable resource carries them without each call repeating them.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import pulumi
import pulumi_aws as aws

from mlops import ir
from mlops.ir.names import short_name

AZ_COUNT = 3
VPC_CIDR = "10.0.0.0/16"
PUBLIC_CIDRS = ("10.0.0.0/22", "10.0.4.0/22", "10.0.8.0/22")        # load balancers and the NAT gateway
PRIVATE_CIDRS = ("10.0.64.0/18", "10.0.128.0/18", "10.0.192.0/18")  # nodes and pods (VPC CNI: pod IPs from here)
NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly")
GPU_TAINT = aws.eks.NodeGroupTaintArgs(key="nvidia.com/gpu", value="present", effect="NO_SCHEDULE")  # EKS spelling


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
        zones = aws.get_availability_zones_output(state="available", opts=pulumi.InvokeOptions(parent=self))
        self.vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block=VPC_CIDR, enable_dns_hostnames=True, enable_dns_support=True,
                               tags={"Name": name}, opts=child)
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, tags={"Name": name}, opts=child)
        public, private = [], []
        for i in range(AZ_COUNT):
            zone = zones.names.apply(functools.partial(_nth, i))
            public.append(aws.ec2.Subnet(f"{name}-public-{i}", vpc_id=self.vpc.id, cidr_block=PUBLIC_CIDRS[i],
                                         availability_zone=zone, map_public_ip_on_launch=False,
                                         tags={"Name": f"{name}-public-{i}", "kubernetes.io/role/elb": "1"}, opts=child))
            private.append(aws.ec2.Subnet(f"{name}-private-{i}", vpc_id=self.vpc.id, cidr_block=PRIVATE_CIDRS[i],
                                          availability_zone=zone,
                                          tags={"Name": f"{name}-private-{i}", "kubernetes.io/role/internal-elb": "1"},
                                          opts=child))
        eip = aws.ec2.Eip(f"{name}-nat", domain="vpc", tags={"Name": f"{name}-nat"}, opts=child)
        nat = aws.ec2.NatGateway(f"{name}-nat", allocation_id=eip.id, subnet_id=public[0].id, tags={"Name": name},
                                 opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]))
        routes = {
            "public": aws.ec2.RouteTable(f"{name}-public", vpc_id=self.vpc.id, tags={"Name": f"{name}-public"}, opts=child,
                                         routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)]),
            "private": aws.ec2.RouteTable(f"{name}-private", vpc_id=self.vpc.id, tags={"Name": f"{name}-private"}, opts=child,
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
    EKS Pod Identity agent. `kubeconfig` authenticates with `aws eks get-token`: it holds no key."""

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
            vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=network.private_subnet_ids, endpoint_private_access=True,
                                                    endpoint_public_access=True),
            access_config=aws.eks.ClusterAccessConfigArgs(authentication_mode="API",
                                                          bootstrap_cluster_creator_admin_permissions=True),
            enabled_cluster_log_types=["api", "audit", "authenticator"],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[attach], protect=True))
        node_role = aws.iam.Role(f"{name}-node-role", name=short_name(f"{env.stack}-node", 64),
                                 assume_role_policy=assume_role("ec2.amazonaws.com"), opts=child)
        attached = [aws.iam.RolePolicyAttachment(f"{name}-node-{p}", role=node_role.name, policy_arn=managed_policy(p),
                                                 opts=child) for p in NODE_POLICIES]
        self.node_groups = {pool.name: self._node_group(name, env, pool, nodegroup_name(env, pool), node_role, network,
                                                        attached) for pool in env.node_pools}
        self.pod_identity_agent = aws.eks.Addon(f"{name}-pod-identity-agent", cluster_name=self.cluster.name,
                                                addon_name="eks-pod-identity-agent", opts=child)
        config: pulumi.Output[str] = pulumi.Output.all(
            self.cluster.name, self.cluster.endpoint, self.cluster.certificate_authority.data,
        ).apply(lambda parts: kubeconfig(parts[0], parts[1], parts[2], env.target.region or ""))
        self.kubeconfig: pulumi.Output[str] = pulumi.Output.secret(config)
        self.register_outputs({"clusterName": self.cluster.name, "kubeconfig": self.kubeconfig})

    def _node_group(self, name: str, env: ir.Environment, pool: ir.NodePool, group: str, role: aws.iam.Role,
                    network: Network, attached: list[aws.iam.RolePolicyAttachment]) -> aws.eks.NodeGroup:
        gpu = bool(pool.instance_accelerator)
        return aws.eks.NodeGroup(
            f"{name}-pool-{pool.name}", cluster_name=self.cluster.name, node_group_name=group, node_role_arn=role.arn,
            subnet_ids=network.private_subnet_ids, instance_types=[pool.instance_type or ""],
            capacity_type="SPOT" if pool.spot else "ON_DEMAND",
            ami_type="AL2023_x86_64_NVIDIA" if gpu else "AL2023_x86_64_STANDARD",
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(min_size=pool.min, max_size=pool.max, desired_size=pool.min),
            labels={"mlops.dev/pool": pool.name, **({"nvidia.com/gpu.present": "true"} if gpu else {})},
            taints=[GPU_TAINT] if gpu else None,
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
            # the cluster autoscaler owns the size between min and max
            opts=pulumi.ResourceOptions(parent=self, depends_on=attached, ignore_changes=["scalingConfig.desiredSize"]))


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
