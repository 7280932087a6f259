"""GCP registry and identities: the Artifact Registry repository with its policies, the nodes' least-privilege
service account, and a service account per model that its pods act as through GKE Workload Identity."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from mlops import ir
from mlops.ir.names import short_name
from mlops.targets.base import artifacts
from mlops.targets.base.identities import identities
from mlops.targets.base.tags import gcp_labels
from mlops.targets.gcp import model_account_id

WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser"
NODE_ROLE = "roles/container.defaultNodeServiceAccount"   # logging, monitoring, metadata: what nodes need
REGISTRY_READER = "roles/artifactregistry.reader"
OBJECT_READER = "roles/storage.objectViewer"
# Creates objects (and multipart uploads), never reads, replaces or deletes them
# (https://cloud.google.com/storage/docs/access-control/iam-roles, "Storage Object Creator").
# Kept on purpose for the trainer although it cannot overwrite: Argo uploads each run under a fresh
# `<output>/<workflow name>/`, so only a retry of an upload whose first try already landed is refused (the step
# fails; the next run is unaffected), while a role that can replace or delete (objectUser, objectAdmin) would let
# any run destroy earlier runs' models under the output, the champion production serves among them.
OBJECT_CREATOR = "roles/storage.objectCreator"


def cleanup_policies(keep_last: int, pins: Mapping[str, artifacts.Pins]) -> list[
        gcp.artifactregistry.RepositoryCleanupPolicyArgs]:
    """Keep the newest `keep_last` versions of each image, and every version the environment deploys: a
    delete-everything policy that keep policies override ("When an artifact matches the criteria for both a delete
    policy and a keep policy, the artifact is kept", https://cloud.google.com/artifact-registry/docs/repositories/
    cleanup-policy-overview). Deployed tags and digests go in one keep policy each, not one per repository: a
    repository takes at most 10 policies (same page), and the lists match on any prefix (pulumi-gcp
    RepositoryCleanupPolicyConditionArgs), so `v1` also keeps `v10`: keeping too much is the safe side (S5).
    A Docker version is named by its digest (the dockerImages REST resource: `nginx@sha256:…`)."""
    policies = [
        gcp.artifactregistry.RepositoryCleanupPolicyArgs(
            id="delete-beyond-keep-last", action="DELETE",
            condition=gcp.artifactregistry.RepositoryCleanupPolicyConditionArgs(tag_state="ANY")),
        gcp.artifactregistry.RepositoryCleanupPolicyArgs(
            id=f"keep-last-{keep_last}", action="KEEP",
            most_recent_versions=gcp.artifactregistry.RepositoryCleanupPolicyMostRecentVersionsArgs(keep_count=keep_last)),
    ]
    tags = sorted({t for p in pins.values() for t in p.tags})
    digests = sorted({d for p in pins.values() for d in p.digests})
    if tags:
        policies.append(gcp.artifactregistry.RepositoryCleanupPolicyArgs(
            id="keep-deployed-tags", action="KEEP", condition=gcp.artifactregistry.RepositoryCleanupPolicyConditionArgs(
                tag_state="TAGGED", tag_prefixes=tags)))
    if digests:
        policies.append(gcp.artifactregistry.RepositoryCleanupPolicyArgs(
            id="keep-deployed-digests", action="KEEP",
            condition=gcp.artifactregistry.RepositoryCleanupPolicyConditionArgs(version_name_prefixes=digests)))
    return policies


class Registry(pulumi.ComponentResource):
    """A Docker repository named `env.stack`: immutable tags, keep-last cleanup, vulnerability scanning.

    Scanning on push is Artifact Analysis: the repository inherits it from the project once the Container
    Scanning API is on, so that API is enabled here (and left on when the stack goes: other stacks may rely on it).
    """

    def __init__(self, name: str, env: ir.Environment, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:gcp:Registry", name, None, opts)
        depends: list[pulumi.Resource] = []
        if env.registry.scan_on_push:
            depends.append(gcp.projects.Service(
                f"{name}-scanning", project=env.target.project, service="containerscanning.googleapis.com",
                disable_on_destroy=False, opts=pulumi.ResourceOptions(parent=self)))
        self.repository = gcp.artifactregistry.Repository(
            f"{name}-repository", project=env.target.project, location=env.target.region, repository_id=env.stack,
            format="DOCKER", description=f"Images and model artifacts of {env.platform} ({env.name})",
            labels=gcp_labels(env),
            docker_config=gcp.artifactregistry.RepositoryDockerConfigArgs(immutable_tags=env.registry.immutable_tags),
            cleanup_policies=cleanup_policies(env.registry.keep_last, artifacts.registry_pins(env)),
            cleanup_policy_dry_run=False,
            vulnerability_scanning_config=gcp.artifactregistry.RepositoryVulnerabilityScanningConfigArgs(
                enablement_config="INHERITED" if env.registry.scan_on_push else "DISABLED"),
            opts=pulumi.ResourceOptions(parent=self, protect=True, depends_on=depends))
        # The same string as the target's registry hint, but known only once the repository exists.
        self.url = pulumi.Output.all(self.repository.location, self.repository.project,
                                     self.repository.repository_id).apply(
            lambda parts: f"{parts[0]}-docker.pkg.dev/{parts[1]}/{parts[2]}")
        self.register_outputs({"url": self.url})


def reader(name: str, repository: gcp.artifactregistry.Repository, member: pulumi.Input[str],
           parent: pulumi.Resource) -> gcp.artifactregistry.RepositoryIamMember:
    return gcp.artifactregistry.RepositoryIamMember(
        name, project=repository.project, location=repository.location, repository=repository.repository_id,
        role=REGISTRY_READER, member=member, opts=pulumi.ResourceOptions(parent=parent))


class NodeIdentity(pulumi.ComponentResource):
    """The nodes' own service account, instead of the broad Compute Engine default one."""

    def __init__(self, name: str, env: ir.Environment, repository: gcp.artifactregistry.Repository | None,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:gcp:NodeIdentity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.account = gcp.serviceaccount.Account(
            f"{name}-account", project=env.target.project, account_id=short_name(f"{env.stack}-nodes", 30),
            display_name=f"GKE nodes of {env.stack}", opts=child)
        gcp.projects.IAMMember(f"{name}-node-role", project=env.target.project, role=NODE_ROLE,
                               member=self.account.member, opts=child)
        if repository is not None:
            reader(f"{name}-registry-reader", repository, self.account.member, self)
        self.register_outputs({"email": self.account.email})


@dataclass(frozen=True)
class WorkloadIdentityArgs:
    env: ir.Environment
    cluster: gcp.container.Cluster                         # creates the workload pool the bindings name
    repository: gcp.artifactregistry.Repository | None


class WorkloadIdentity(pulumi.ComponentResource):
    """One Google service account per workload identity (`identities`: each model, each trainer, Vector; the
    account `Gcp.model_service_account` of its ServiceAccount): only that Kubernetes ServiceAccount may act as it; it
    reads only its entry's gs:// objects (and, if it pulls any, the registry) and creates objects only under its
    entry's writes (training.output, data.live)."""

    def __init__(self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:gcp:WorkloadIdentity", name, None, opts)
        self.accounts: dict[str, gcp.serviceaccount.Account] = {
            i.service_account: self._account(name, args, Grant(i.service_account, i.title, i.reads, i.writes))
            for i in identities(args.env)}
        self.register_outputs({"emails": {m: a.email for m, a in self.accounts.items()}})

    def _account(self, name: str, args: WorkloadIdentityArgs, grant: Grant) -> gcp.serviceaccount.Account:
        env, child, prefix = args.env, pulumi.ResourceOptions(parent=self), f"{name}-{grant.service_account}"
        account = gcp.serviceaccount.Account(
            f"{prefix}-account", project=env.target.project, account_id=model_account_id(env, grant.service_account),
            display_name=f"{grant.title} of {env.stack}", opts=child)
        # The workload pool exists only once a Workload Identity cluster does: bind after the cluster.
        gcp.serviceaccount.IAMMember(
            prefix, service_account_id=account.name, role=WORKLOAD_IDENTITY_USER,
            member=f"serviceAccount:{env.target.project}.svc.id.goog[{env.namespace}/{grant.service_account}]",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[args.cluster]))
        for bucket, key in stores(grant.reads):
            gcp.storage.BucketIAMMember(f"{prefix}-read-{bucket}{'-' + digest(key) if key else ''}", bucket=bucket,
                                        role=OBJECT_READER, member=account.member,
                                        condition=read_condition(bucket, key), opts=child)
        for bucket, key in stores(grant.writes):
            gcp.storage.BucketIAMMember(f"{prefix}-write-{bucket}{'-' + digest(key) if key else ''}", bucket=bucket,
                                        role=OBJECT_CREATOR, member=account.member,
                                        condition=write_condition(bucket, key), opts=child)
        if args.repository is not None and any(artifacts.registry_repo(u) for u in grant.reads):
            reader(f"{prefix}-registry-reader", args.repository, account.member, self)
        return account


@dataclass(frozen=True)
class Grant:
    service_account: str                # the Kubernetes ServiceAccount that acts as the Google one
    title: str
    reads: tuple[str, ...]
    writes: tuple[str, ...] = ()


def stores(uris: tuple[str, ...]) -> list[tuple[str, str]]:
    """The (bucket, object or prefix) pairs of the gs:// URIs among `uris`; "" for a whole bucket."""
    found = (artifacts.bucket_object(uri, "gs") for uri in uris)
    return sorted({(bucket, key) for bucket, key in filter(None, found)})


def write_condition(bucket: str, key: str) -> gcp.storage.BucketIAMMemberConditionArgs | None:
    """New objects under `key` only (a create names the object it makes; no listing is needed to write)."""
    if not key:
        return None
    under = json.dumps(f"projects/_/buckets/{bucket}/objects/{key}")
    return gcp.storage.BucketIAMMemberConditionArgs(title="mlops-write-prefix", description=f"gs://{bucket}/{key}",
                                                   expression=f"resource.name.startsWith({under})")


def read_condition(bucket: str, key: str) -> gcp.storage.BucketIAMMemberConditionArgs | None:
    """Objects under `key` only. Listing is a permission on the bucket itself, and the storage-initializer lists
    before it downloads (kserve@v0.15.2 python/kserve/kserve/storage/storage.py:341, `list_blobs(prefix=...)`), so
    the bucket's own name is allowed too: its object names are listable, their content outside `key` is not. IAM
    Conditions on a bucket need uniform bucket-level access (storage JSON API buckets/setIamPolicy: "Required to be
    3 or greater for buckets with IAM Conditions")."""
    if not key:
        return None
    root = f"projects/_/buckets/{bucket}"
    under = json.dumps(f"{root}/objects/{key}")
    expression = f"resource.name == {json.dumps(root)} || resource.name.startsWith({under})"
    return gcp.storage.BucketIAMMemberConditionArgs(title="mlops-read-prefix", description=f"gs://{bucket}/{key}",
                                                   expression=expression)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]
