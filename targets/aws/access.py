"""AWS registry and identities: ECR repositories, and EKS Pod Identity roles for model pods and the cluster
autoscaler. Model pods read exactly their own artifacts (scoped S3 reads, ECR pulls) and hold no key."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from mlops import ir
from mlops.ir.names import short_name
from mlops.targets.base import artifacts
from mlops.targets.base.identities import identities

POD_IDENTITY_TRUST = "pods.eks.amazonaws.com"
ECR_PULL = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
AUTOSCALER_SA = "cluster-autoscaler"
# The cluster autoscaler's least privilege (aws/aws-eks-best-practices@dc0243a:latest/bpg/autoscaling/
# cluster-autoscaler.adoc:107-125, the policy kubernetes/autoscaler's AWS README gives): it reads everywhere, but
# resizes and terminates only the auto scaling groups EKS tags as this cluster's (managed node groups are tagged
# for auto-discovery, latest/ug/nodes/managed-node-groups.adoc:37).
AUTOSCALER_READS = sorted([
    "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities", "autoscaling:DescribeTags",
    "ec2:DescribeImages", "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements", "eks:DescribeNodegroup",
])
AUTOSCALER_WRITES = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]


def lifecycle_policy(keep_last: int, pins: artifacts.Pins) -> str:
    """Expire all but the newest `keep_last` images, never one a deployed tag names (infra review S5).

    ECR rules expire only; a rule keeps an image by matching it first: "An image that matches the tagging
    requirements of a higher priority rule cannot be expired by a rule with a lower priority"
    (https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html, lifecycle policy evaluation rules).
    One rule per tag, because a tagPatternList selects only images matching ALL its patterns
    (lifecycle_policy_parameters.html, tagPatternList); a tag names one image, so "more than 1" never expires it.
    The `any` rule must be evaluated last (same page, rulePriority). ECR rules select by tag only: an artifact
    pinned by digest alone is kept only while it is among the newest `keep_last` (the README says so)."""
    keeps = [{"rulePriority": i, "description": f"keep deployed tag {tag}",
              "selection": {"tagStatus": "tagged", "tagPatternList": [tag], "countType": "imageCountMoreThan",
                            "countNumber": 1},
              "action": {"type": "expire"}} for i, tag in enumerate(pins.tags, start=1)]
    last = {"rulePriority": len(keeps) + 1, "description": f"keep the last {keep_last} images",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep_last},
            "action": {"type": "expire"}}
    return json.dumps({"rules": [*keeps, last]}, sort_keys=True)


def pod_trust(cluster: str, namespace: str, service_account: str) -> str:
    """Trust for EKS Pod Identity, narrowed by its session tags to one ServiceAccount of one cluster."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": POD_IDENTITY_TRUST}, "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {"StringEquals": {"aws:RequestTag/eks-cluster-name": cluster,
                                       "aws:RequestTag/kubernetes-namespace": namespace,
                                       "aws:RequestTag/kubernetes-service-account": service_account}}}]},
                      sort_keys=True)


def s3_statements(uris: Sequence[str]) -> list[dict[str, Any]]:
    """Read-only access to exactly these objects (or prefixes): GetObject on them, ListBucket under them."""
    out: list[dict[str, Any]] = []
    # A folder is written with its trailing slash (s3://b/model/v12/): without stripping it the ARN would read
    # `model/v12//*`, which matches no object (infra review A3).
    found = {(bucket, key.rstrip("/")) for u in uris if (loc := artifacts.bucket_object(u, "s3"))
             for bucket, key in [loc]}
    for bucket, key in sorted(found):
        objects = ([f"arn:aws:s3:::{bucket}/{key}", f"arn:aws:s3:::{bucket}/{key}/*"] if key
                   else [f"arn:aws:s3:::{bucket}/*"])
        out.append({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": objects})
        listing: dict[str, Any] = {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": f"arn:aws:s3:::{bucket}"}
        if key:
            listing["Condition"] = {"StringLike": {"s3:prefix": [key, f"{key}/*"]}}
        out.append(listing)
    return out


class Registry(pulumi.ComponentResource):
    """One ECR repository per `registry://` name, `<stack>/<name>`: immutable tags, scan on push, keep-last."""

    def __init__(self, name: str, env: ir.Environment, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:aws:Registry", name, None, opts)
        self.repositories: dict[str, aws.ecr.Repository] = {}
        for repo, pins in artifacts.registry_pins(env).items():
            self.repositories[repo] = aws.ecr.Repository(
                f"{name}-repo-{repo}", name=f"{env.stack}/{repo}",
                image_tag_mutability="IMMUTABLE" if env.registry.immutable_tags else "MUTABLE",
                image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
                    scan_on_push=env.registry.scan_on_push),
                opts=pulumi.ResourceOptions(parent=self, protect=True))
            aws.ecr.LifecyclePolicy(f"{name}-lifecycle-{repo}", repository=self.repositories[repo].name,
                                    policy=lifecycle_policy(env.registry.keep_last, pins),
                                    opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"repositories": {r: repo.repository_url for r, repo in self.repositories.items()}})


class PodRole(pulumi.ComponentResource):
    """An IAM role a ServiceAccount of the cluster assumes through EKS Pod Identity, with its policy."""

    def __init__(self, name: str, role_name: str, cluster: aws.eks.Cluster, namespace: str, service_account: str,
                 statements: pulumi.Input[list[dict[str, Any]]] | None, agent: pulumi.Resource,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:aws:PodRole", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.role = aws.iam.Role(f"{name}-role", name=short_name(role_name, 64), opts=child,
                                 assume_role_policy=cluster.name.apply(
                                     lambda c: pod_trust(c, namespace, service_account)))
        if statements is not None:    # IAM refuses a policy without statements: no access, no policy
            aws.iam.RolePolicy(f"{name}-access", role=self.role.id, name="access", opts=child,
                               policy=pulumi.Output.from_input(statements).apply(
                                   lambda s: json.dumps({"Version": "2012-10-17", "Statement": s}, sort_keys=True)))
        self.association = aws.eks.PodIdentityAssociation(
            f"{name}-association", cluster_name=cluster.name, namespace=namespace, service_account=service_account,
            role_arn=self.role.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[agent]))
        self.register_outputs({"roleArn": self.role.arn})


def model_roles(name: str, env: ir.Environment, cluster: aws.eks.Cluster, registry: Registry, agent: pulumi.Resource,
                parent: pulumi.Resource) -> dict[str, PodRole]:
    """A role per workload identity (`identities`: each model, each trainer, Vector), bound to its ServiceAccount in
    the environment's namespace, reading and writing what that entry lists."""
    return {i.service_account: _pod_role(Grant(f"{name}-{i.slug}", f"{env.stack}-{i.slug}", i.service_account,
                                               i.reads, i.writes), env, cluster, registry, agent, parent)
            for i in identities(env)}


@dataclass(frozen=True)
class Grant:
    name: str                           # the Pulumi name of the PodRole
    role_name: str
    service_account: str
    reads: tuple[str, ...]
    writes: tuple[str, ...] = ()


def _pod_role(grant: Grant, env: ir.Environment, cluster: aws.eks.Cluster, registry: Registry,
              agent: pulumi.Resource, parent: pulumi.Resource) -> PodRole:
    uris = grant.reads
    repos = [registry.repositories[r] for u in uris if (r := artifacts.registry_repo(u)) in registry.repositories]
    statements: pulumi.Output[list[dict[str, Any]]] | None = pulumi.Output.all(*[r.arn for r in repos]).apply(
        functools.partial(_model_statements, uris, grant.writes))
    if not repos and not s3_statements(uris) and not s3_write_statements(grant.writes):
        statements = None
    return PodRole(grant.name, grant.role_name, cluster, env.namespace, grant.service_account, statements, agent,
                   opts=pulumi.ResourceOptions(parent=parent))


def s3_write_statements(uris: Sequence[str]) -> list[dict[str, Any]]:
    """PutObject under these prefixes only. It also covers a multipart upload's initiate, parts and complete
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html, "Multipart upload API and permissions":
    each "must be allowed to perform the s3:PutObject action"); no delete, no abort.

    And GetBucketLocation on their buckets: Argo's S3 driver (minio-go) signs for the bucket's region and, with no
    `region` in the artifact (mlops.targets.base.artifacts.workflow_output names none: the spec does not say where a
    bucket is), asks the bucket for it first (argoproj/argo-workflows@v4.0.6:docs/configure-artifact-repository.md
    :127-140 "Region discovery ... Without this, you must specify the region"; minio/minio-go@v7.0.100, Argo's
    pin in go.mod:43: api.go:832 newRequest -> bucket-cache.go:43-75 getBucketLocation)."""
    found = sorted({(bucket, key.rstrip("/")) for u in uris if (loc := artifacts.bucket_object(u, "s3"))
                    for bucket, key in [loc]})
    if not found:
        return []
    return [{"Effect": "Allow", "Action": ["s3:PutObject"],
             "Resource": [f"arn:aws:s3:::{bucket}/{key}/*" if key else f"arn:aws:s3:::{bucket}/*"
                          for bucket, key in found]},
            {"Effect": "Allow", "Action": ["s3:GetBucketLocation"],
             "Resource": sorted({f"arn:aws:s3:::{bucket}" for bucket, _ in found})}]


def autoscaler_statements(cluster: str) -> list[dict[str, Any]]:
    owned = {"aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
             f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster}": "owned"}
    return [{"Effect": "Allow", "Action": AUTOSCALER_READS, "Resource": "*"},
            {"Effect": "Allow", "Action": AUTOSCALER_WRITES, "Resource": "*", "Condition": {"StringEquals": owned}}]


def autoscaler_role(name: str, env: ir.Environment, cluster: aws.eks.Cluster, agent: pulumi.Resource,
                    parent: pulumi.Resource) -> PodRole:
    statements = cluster.name.apply(autoscaler_statements)
    return PodRole(f"{name}-autoscaler", f"{env.stack}-autoscaler", cluster, "kube-system", AUTOSCALER_SA, statements,
                   agent, opts=pulumi.ResourceOptions(parent=parent))


def autoscaler_values(env: ir.Environment, cluster_name: str) -> dict[str, Any]:
    """cluster-autoscaler chart values: auto-discovers the node groups' ASGs (EKS tags them) and reads their labels
    and taints from the EKS API to scale from zero. Its image minor version follows the cluster's."""
    return {"autoDiscovery": {"clusterName": cluster_name}, "awsRegion": env.target.region,
            "image": {"tag": f"v{env.kubernetes_version}.0"},
            "rbac": {"serviceAccount": {"create": True, "name": AUTOSCALER_SA}},
            "extraArgs": {"balance-similar-node-groups": True, "skip-nodes-with-system-pods": False}}


def _model_statements(uris: tuple[str, ...], writes: tuple[str, ...], arns: list[str]) -> list[dict[str, Any]]:
    """What one identity may do: read its S3 artifacts (write its outputs), and pull its ECR repositories if any."""
    pulls = [{"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"},
             {"Effect": "Allow", "Action": ECR_PULL, "Resource": sorted(set(arns))}] if arns else []
    return s3_statements(uris) + s3_write_statements(writes) + pulls
