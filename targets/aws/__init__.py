"""AWS: EKS with managed node groups, ECR, EKS Pod Identity. This module is SDK-free; `program` loads pulumi-aws."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlops import ir
from mlops.targets import Hints
from mlops.targets.base import allocatable, catalog, deferred
from mlops.targets.base import hints as common
from mlops.targets.base.resources import CLUSTER, NODE_POOL, REGISTRY, ResourceRules

if TYPE_CHECKING:
    from mlops.targets.base.mocks import Mocks

RESOURCES = ResourceRules(
    replace_on={
        # EKS: the version is upgraded in place; name, role and network identity are fixed at creation.
        "aws:eks/cluster:Cluster": ("name", "roleArn", "accessConfig.bootstrapClusterCreatorAdminPermissions",
                                    "kubernetesNetworkConfig", "encryptionConfig"),
        # Managed node groups: sizes, labels, taints change in place; what the instances are does not.
        "aws:eks/nodeGroup:NodeGroup": ("amiType", "capacityType", "clusterName", "diskSize", "instanceTypes",
                                        "nodeGroupName", "nodeRoleArn", "subnetIds", "remoteAccess",
                                        "launchTemplate.id", "launchTemplate.name"),
        "aws:ec2/launchTemplate:LaunchTemplate": ("name",),
        "aws:ecr/repository:Repository": ("name", "encryptionConfigurations"),
        "aws:ecr/lifecyclePolicy:LifecyclePolicy": ("repository",),
        "aws:ec2/vpc:Vpc": ("cidrBlock",),
        "aws:ec2/subnet:Subnet": ("availabilityZone", "cidrBlock", "vpcId"),
        "aws:iam/role:Role": ("name", "path"),
        "aws:iam/rolePolicy:RolePolicy": ("name", "role"),
        "aws:eks/addon:Addon": ("addonName", "clusterName"),
        "aws:eks/podIdentityAssociation:PodIdentityAssociation": ("clusterName", "namespace", "serviceAccount"),
        # Pointing at another account or region replaces every resource the provider manages.
        "pulumi:providers:aws": ("region",),
    },
    roles={"aws:eks/cluster:Cluster": CLUSTER, "aws:ecr/repository:Repository": REGISTRY,
           "aws:eks/nodeGroup:NodeGroup": NODE_POOL},
)


# The program installs no AWS Load Balancer Controller, so EKS's own cloud controller (kubernetes/cloud-provider-aws)
# creates the Gateways' load balancers. It reads `aws-load-balancer-type: nlb` and `aws-load-balancer-internal`
# (any value but "false" = internal, in the private subnets tagged kubernetes.io/role/internal-elb, cluster.py);
# the controller's `aws-load-balancer-scheme` is not among its annotations (cloud-provider-aws@v1.36.1:
# pkg/providers/v1/aws.go:100,104,2419-2426; aws_loadbalancer.go:84-89). Without the internal annotation:
# internet-facing.
NLB = ("service.beta.kubernetes.io/aws-load-balancer-type", "nlb")
INTERNAL = ("service.beta.kubernetes.io/aws-load-balancer-internal", "true")

# The DaemonSets EKS puts on every node whose requests are published: aws-node (the VPC CNI; containers aws-node
# and aws-eks-nodeagent, 25m CPU each: aws/amazon-vpc-cni-k8s@v1.23.0:config/master/aws-k8s-cni.yaml:299,341).
# kube-proxy and eks-pod-identity-agent are EKS add-ons whose manifests EKS renders itself: their requests are not
# published in a source mlops can pin, so they are not counted.
DAEMONSETS = (allocatable.DaemonSet("aws-node", 50, 0, "amazon-vpc-cni-k8s v1.23.0 aws-k8s-cni.yaml:299,341"),)


class Aws:
    provider = "aws"
    fields = frozenset({"region", "account", "registry"})
    managed_registry = True
    native_schemes = frozenset({"s3"})
    output_reader_role = ("an IAM role trusting GitHub's OIDC provider for this repository, with s3:GetObject under "
                          "each output prefix and s3:ListBucket on its bucket with an s3:prefix condition")
    registry_ignores: dict[str, str] = {}
    resources = RESOURCES
    sdk = ("pulumi", "pulumi_kubernetes", "pulumi_random", "pulumi_aws")   # the `aws` extra
    config_keys = frozenset({"aws:region", "aws:allowedAccountIds"})   # what stack_config may set

    @staticmethod
    def nodegroup(env: ir.Environment, pool: ir.NodePool) -> str:
        return f"{env.stack}-{pool.name}"

    def registry(self, env: ir.Environment) -> str:
        if env.target.account:
            return f"{env.target.account}.dkr.ecr.{env.target.region}.amazonaws.com/{env.stack}"
        return deferred.token("registryUrl")

    def hints(self, env: ir.Environment) -> Hints:
        return Hints(
            registry=common.registry(env, lambda: self.registry(env)),
            pools=common.pools(env, lambda pool: {"eks.amazonaws.com/nodegroup": self.nodegroup(env, pool)}),
            # EKS Pod Identity binds the role to the ServiceAccount from the infra side: no annotation needed.
            internal_lb_annotations=(NLB, INTERNAL), public_lb_annotations=(NLB,),
        )

    def stack_config(self, env: ir.Environment) -> dict[str, Any]:
        t = env.target
        return {"aws:region": t.region, **({"aws:allowedAccountIds": [t.account]} if t.account else {})}

    def program(self, env: ir.Environment) -> None:
        from mlops.targets.aws import program  # pulumi-aws only when a program runs, not for hints

        program.run(env, self.nodegroup)

    def mocks(self) -> Mocks:
        from mlops.targets.aws import mocks
        from mlops.targets.base.mocks import Mocks

        return Mocks(mocks.OUTPUTS, mocks.CALLS)

    def ci_credentials(self, env: ir.Environment) -> dict[str, Any]:
        return {"name": "AWS credentials (OIDC role in the variable AWS_ROLE_ARN of the job's environment)",
                "uses": "aws-actions/configure-aws-credentials@v4",
                "with": {"role-to-assume": "${{ vars.AWS_ROLE_ARN }}",
                         "aws-region": env.target.region or "${{ vars.AWS_REGION }}"}}

    def output_reader(self) -> dict[str, Any]:
        # inputs aws-region (required), role-to-assume, role-session-name (CloudTrail shows who read):
        # aws-actions/configure-aws-credentials@v6.2.3:action.yml:12,21,58 (e6de054, 2026-07-22)
        return {"name": "AWS credentials to read training outputs (OIDC)",
                "uses": "aws-actions/configure-aws-credentials@v6.2.3",
                "with": {"role-to-assume": "${{ vars.MLOPS_OUTPUTS_AWS_ROLE_ARN }}",
                         "aws-region": "${{ vars.MLOPS_OUTPUTS_AWS_REGION }}", "role-session-name": "mlops-propose"}}

    def comparison_target(self, region: str) -> dict[str, Any]:
        return {"provider": self.provider, "region": region}

    def system_pools(self, env: ir.Environment) -> tuple[ir.NodePool, ...]:
        return ()


    def node_budget(self, instance: catalog.InstanceType) -> allocatable.NodeBudget:
        # The node groups use EKS's AL2023 AMIs (cluster.py: ami_type), whose nodeadm sets the kubelet's reserve;
        # max pods comes from the catalog (nodeadm's ENI formula; 110, its default, for a type it lacks).
        reserve = allocatable.eks(instance.vcpu, instance.max_pods or 110)
        return allocatable.budget(instance.name, instance.vcpu, instance.memory_gib, reserve, DAEMONSETS,
                                  instance.accelerator is not None)

TARGET = Aws()
