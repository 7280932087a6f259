"""The AWS program: network, EKS, ECR, Pod Identity, add-ons, wired together under one component."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from mlops import ir
from mlops.targets.aws.access import Registry, autoscaler_role, autoscaler_values, model_roles
from mlops.targets.aws.cluster import Cluster, Network, cluster_name
from mlops.targets.base import helm
from mlops.targets.base.tags import tags


class EksPlatform(pulumi.ComponentResource):
    """Everything one environment needs on AWS. The AWS provider comes from `opts.providers`."""

    def __init__(self, name: str, env: ir.Environment, nodegroup_name: object,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:aws:Platform", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.network = Network(f"{name}-network", opts=child)
        self.cluster = Cluster(f"{name}-eks", env, self.network, nodegroup_name, opts=child)
        eks = self.cluster.cluster
        agent = self.cluster.pod_identity_agent
        # An external registry (the target names one) means no ECR repositories: the registry is not ours.
        self.registry = Registry(f"{name}-ecr", env if not env.registry.external else _without_models(env), opts=child)
        self.model_roles = model_roles(name, env, eks, self.registry, agent, parent=self)
        autoscaler = autoscaler_role(name, env, eks, agent, parent=self)
        self.k8s = k8s.Provider(f"{name}-k8s", kubeconfig=self.cluster.kubeconfig, enable_server_side_apply=True,
                                opts=child)
        self.addons = helm.install(
            env, self.k8s, self, nvidia_device_plugin=True,
            depends_on=[*self.cluster.node_groups.values(), autoscaler.association],
            extra={"cluster-autoscaler": autoscaler_values(env, cluster_name(env))})
        self.register_outputs({"clusterName": eks.name, "kubeconfig": self.cluster.kubeconfig})


def _without_models(env: ir.Environment) -> ir.Environment:
    import dataclasses

    return dataclasses.replace(env, models=())


def registry_url(env: ir.Environment, provider: aws.Provider) -> pulumi.Input[str]:
    """What `registry://` resolves to: the target's own registry, else
    `<account>.dkr.ecr.<region>.amazonaws.com/<stack>`
    (the ECR repositories are `<stack>/<name>`; the hint says the same when the account is known)."""
    if env.registry.external:
        return env.registry.external
    identity = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(provider=provider))
    return identity.account_id.apply(lambda account: f"{account}.dkr.ecr.{env.target.region}.amazonaws.com/{env.stack}")


def run(env: ir.Environment, nodegroup_name: object) -> None:
    provider = aws.Provider(
        f"{env.stack}-aws", region=env.target.region,
        allowed_account_ids=[env.target.account] if env.target.account else None,
        default_tags=aws.ProviderDefaultTagsArgs(tags=tags(env)))     # every taggable AWS resource
    platform = EksPlatform(env.stack, env, nodegroup_name, opts=pulumi.ResourceOptions(providers=[provider]))
    pulumi.export("clusterName", platform.cluster.cluster.name)
    pulumi.export("kubeconfig", platform.cluster.kubeconfig)
    pulumi.export("registryUrl", registry_url(env, provider))
    pulumi.export("region", env.target.region)
