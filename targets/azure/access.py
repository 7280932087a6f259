"""Azure registry and identities: ACR with a scheduled keep-last purge, and a user-assigned identity per model with
the federated credential of its ServiceAccount, read access to its az:// blobs and, when it pulls, AcrPull."""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_azure_native as azure

from mlops import ir
from mlops.ir.names import short_name
from mlops.targets.base import artifacts
from mlops.targets.base.identities import identities

ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"            # built-in role ids (the same in every tenant)
BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"
# The blob data actions of mlops's own roles, per verb. Not the built-in Storage Blob Data Reader / Contributor: they
# also carry control-plane Actions (containers/read; containers/delete, read and write: MicrosoftDocs/azure-docs
# articles/role-based-access-control/built-in-roles.md, ids 2a2b9908-… and ba92f5b4-…), which no ABAC condition
# constrains (conditions apply to role assignments through their blob data actions: articles/
# role-based-access-control/conditions-role-assignments-portal.md, "Currently, conditions can be added to ... role
# assignments that have blob storage data actions"), so held at the subscription they let a model's identity delete
# any container there. No delete either: nothing mlops runs deletes a blob (Argo without artifact GC, Vector).
BLOB_ROLES: dict[str, tuple[str, ...]] = {
    "read": (f"{BLOBS}/read",),
    "write": (f"{BLOBS}/read", f"{BLOBS}/write", f"{BLOBS}/add/action"),
}
TOKEN_AUDIENCE = "api://AzureADTokenExchange"
PURGE_SCHEDULE = "0 3 * * *"                                 # daily, 03:00 UTC


@dataclass(frozen=True)
class Grant:
    service_account: str                # the Kubernetes ServiceAccount the identity federates
    reads: tuple[str, ...]
    writes: tuple[str, ...] = ()


def blob_stores(uris: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """The (account, container, path) of the az://ACCOUNT/CONTAINER/PATH URIs among `uris`; "" for a whole
    container."""
    found = (artifacts.bucket_object(uri, "az") for uri in uris)
    out = set()
    for account, rest in filter(None, found):
        container, _, path = rest.partition("/")
        out.add((account, container, path))
    return sorted(out)


def blob_read_condition(account: str, container: str, path: str) -> str:
    """Azure ABAC: read and list only that container of that account (under `path`). The pattern of "Example: Read or
    list blobs in named containers with a path" (MicrosoftDocs/azure-docs
    articles/storage/blobs/storage-auth-abac-examples.md), with the account's name
    (`@Resource[Microsoft.Storage/storageAccounts:name]`, storage-auth-abac-attributes.md) since the assignment is
    made at the subscription: an az:// URI names no resource group, so the account's resource id is unknown here.
    Paths carry no container name and no leading '/' (same page). The storage-initializer lists with the path's
    trailing '/' stripped (kserve@v0.15.2 python/kserve/kserve/storage/storage.py:631, `prefix.strip("/")`, then
    `walk_blobs(name_starts_with=prefix)`), so the listing condition does too."""
    read = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"
    where = (f"@Resource[Microsoft.Storage/storageAccounts:name] StringEquals '{account}' AND "
             f"@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals '{container}'")
    blobs = where + (f" AND @Resource[{read.rsplit('/', 1)[0]}:path] StringStartsWith '{path}'" if path else "")
    listed = path.rstrip("/")
    listing = where + (f" AND @Request[{read.rsplit('/', 1)[0]}:prefix] StringStartsWith '{listed}'" if listed else "")
    return (f"((!(ActionMatches{{'{read}'}} AND NOT SubOperationMatches{{'Blob.List'}})) OR ({blobs})) AND "
            f"((!(ActionMatches{{'{read}'}} AND SubOperationMatches{{'Blob.List'}})) OR ({listing}))")


def blob_write_condition(account: str, container: str, path: str) -> str:
    """Azure ABAC on the writer role: its blob data actions (BLOB_ROLES["write"]) only on blobs of that container of
    that account under `path` (the form of "Example: Read, write, or delete blobs in named containers",
    MicrosoftDocs/azure-docs articles/storage/blobs/storage-auth-abac-examples.md, with the blob path of its "... with
    a path" examples). Listing stays the reader assignment's (blob_read_condition). Unlike GCS's objectCreator, a
    retried upload may overwrite."""
    actions = " AND ".join(f"!(ActionMatches{{'{a}'}})" for a in BLOB_ROLES["write"])
    where = (f"@Resource[Microsoft.Storage/storageAccounts:name] StringEquals '{account}' AND "
             f"@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals '{container}'")
    under = f" AND @Resource[{BLOBS}:path] StringStartsWith '{path}'" if path else ""
    return f"(({actions}) OR ({where}{under}))"


def role_definition(resource_group_id: pulumi.Input[str], role: str) -> pulumi.Output[str]:
    """The subscription-scoped id of a built-in role, the subscription read off the resource group's id."""
    return pulumi.Output.from_input(resource_group_id).apply(
        lambda rg_id: f"{rg_id.split('/resourceGroups/')[0]}/providers/Microsoft.Authorization/roleDefinitions/{role}")


def blob_role_id(env: ir.Environment, verb: str) -> str:
    """The GUID of the environment's own blob role for `verb` (read, write): one per stack, so two stacks in a
    subscription never share (or delete) each other's role."""
    return assignment_name(env, f"role/blob-{verb}")


def assignment_name(env: ir.Environment, purpose: str) -> str:
    """Role assignment names are GUIDs: derive them, so a re-run names the same assignment."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mlops://{env.stack}/{purpose}"))


def _purge(filters: list[str], keep_last: int, untagged: bool) -> str:
    quoted = " ".join(f"--filter '{f}'" for f in filters)
    return f"acr purge {quoted} --ago 0d --keep {keep_last}" + (" --untagged" if untagged else "")


def purge_task_yaml(env: ir.Environment) -> str:
    """`acr purge` keeps the newest `keep_last` tags of each repository under the platform's prefix and every tag
    the environment deploys, and deletes manifests no tag points to any more (that is what frees storage).

    Deployed tags are left out of the tag filter with a negative lookahead: acr-cli compiles filters with
    dlclark/regexp2, which has lookarounds (Azure/acr-cli@v0.18.1 cmd/repository/image_functions.go:32,393, whose
    own filter splitting uses them at :82), and matches unanchored, hence `^…`. `--keep` counts only the tags the
    filter selects ("keep the x most recent tags that would otherwise be deleted", cmd/acr/purge.go:210). A
    repository with an artifact pinned by digest is purged without `--untagged`, because that would delete the
    untagged manifest it pulls ("If you have systems that pull images by manifest digest … you should not purge
    untagged images", learn.microsoft.com/azure/container-registry/container-registry-auto-purge; infra review S5).
    Locked images are never purged."""
    prefix = re.escape(env.platform) + "/"
    pins = {f"{env.platform}/{repo}": p for repo, p in artifacts.registry_pins(env).items()}
    others = "|".join(re.escape(r[len(env.platform) + 1:]) for r in pins)
    rest = f"^{prefix}(?!(?:{others})$).*:.*" if others else f"^{prefix}.*:.*"

    def only(repo: str) -> str:
        kept = "|".join(re.escape(t) for t in pins[repo].tags)
        return f"^{re.escape(repo)}$:" + (f"^(?!(?:{kept})$).*" if kept else ".*")

    by_tag = [rest, *(only(r) for r in pins if not pins[r].digests)]
    by_digest = [only(r) for r in pins if pins[r].digests]
    commands = [_purge(by_tag, env.registry.keep_last, untagged=True)]
    if by_digest:
        commands.append(_purge(by_digest, env.registry.keep_last, untagged=False))
    return "version: v1.1.0\nsteps:\n" + "".join(
        f"  - cmd: {c}\n    disableWorkingDirectoryOverride: true\n    timeout: 3600\n" for c in commands)


@dataclass(frozen=True)
class RegistryArgs:
    env: ir.Environment
    name: str                               # Azure.acr_name(env)
    resource_group: azure.resources.ResourceGroup
    tags: Mapping[str, str]


class Registry(pulumi.ComponentResource):
    """ACR (Standard: 100 GB, ACR Tasks) without an admin user or anonymous pull, and a daily purge task.

    ACR's own retention policy only removes untagged manifests (and needs Premium), so keep-last is the
    documented scheduled `acr purge` task. ACR has no registry-wide immutable-tags switch (only per image or
    repository locks, `write-enabled=false`, set through the data plane), and scan on push is Microsoft
    Defender for Containers, a subscription-wide plan: neither is set from a per-environment stack.
    """

    def __init__(self, name: str, args: RegistryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:azure:Registry", name, None, opts)
        env, rg = args.env, args.resource_group.name
        self.registry = azure.containerregistry.Registry(
            f"{name}-acr", registry_name=args.name, resource_group_name=rg,
            sku=azure.containerregistry.SkuArgs(name="Standard"),
            admin_user_enabled=False, anonymous_pull_enabled=False, tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, protect=True))
        self.purge = azure.containerregistry.Task(
            f"{name}-purge", task_name="keep-last", registry_name=self.registry.name, resource_group_name=rg,
            platform=azure.containerregistry.PlatformPropertiesArgs(os="Linux"),
            step=azure.containerregistry.EncodedTaskStepArgs(
                type="EncodedTask",
                encoded_task_content=base64.b64encode(purge_task_yaml(env).encode()).decode()),
            trigger=azure.containerregistry.TriggerPropertiesArgs(timer_triggers=[
                azure.containerregistry.TimerTriggerArgs(name="daily", schedule=PURGE_SCHEDULE, status="Enabled")]),
            status="Enabled", tags=dict(args.tags), opts=pulumi.ResourceOptions(parent=self))
        # The same string as the target's registry hint, but known only once the registry exists.
        self.url = self.registry.login_server.apply(lambda server: f"{server}/{env.platform}")
        self.register_outputs({"url": self.url})


def kubelet_object_id(profiles: Mapping[str, Any] | None) -> str:
    """AKS reports the kubelet's managed identity under `identityProfile.kubeletidentity`."""
    identity = (profiles or {}).get("kubeletidentity")
    if identity is None or not identity.object_id:
        raise ValueError("the cluster reports no kubelet identity")
    return str(identity.object_id)


@dataclass(frozen=True)
class IdentityArgs:
    env: ir.Environment
    resource_group: azure.resources.ResourceGroup
    cluster: azure.containerservice.ManagedCluster
    registry: azure.containerregistry.Registry | None
    tags: Mapping[str, str]


class WorkloadIdentity(pulumi.ComponentResource):
    """One user-assigned identity per workload identity (`identities`: each model, each trainer, Vector): only its
    ServiceAccount may exchange its token for it (a federated credential against the cluster's OIDC issuer); it reads
    only its entry's az:// blobs (and, if it pulls any, the registry) and writes only under its entry's writes. The
    kubelet pulls the images."""

    def __init__(self, name: str, args: IdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:azure:WorkloadIdentity", name, None, opts)
        env = args.env
        self._name = name
        self._subscription = pulumi.Output.from_input(args.resource_group.id).apply(
            lambda rg: rg.split("/resourceGroups/")[0])
        self.roles: dict[str, azure.authorization.RoleDefinition] = {}
        self.identities: dict[str, azure.managedidentity.UserAssignedIdentity] = {
            i.service_account: self._identity(name, args, Grant(i.service_account, i.reads, i.writes),
                                              f"{env.stack}-{i.slug}")
            for i in identities(env)}
        if args.registry is not None:
            kubelet = args.cluster.identity_profile.apply(kubelet_object_id)
            self._acr_pull(f"{name}-kubelet-acr-pull", args, "kubelet-acr-pull", kubelet)
        self.register_outputs({"clientIds": {m: i.client_id for m, i in self.identities.items()}})

    def _identity(self, name: str, args: IdentityArgs, grant: Grant,
                  resource: str) -> azure.managedidentity.UserAssignedIdentity:
        env, rg, who = args.env, args.resource_group.name, grant.service_account
        issuer = args.cluster.oidc_issuer_profile.apply(lambda profile: profile.issuer_url if profile else None)
        identity = azure.managedidentity.UserAssignedIdentity(
            f"{name}-{who}", resource_name_=short_name(resource, 128),
            resource_group_name=rg, tags=dict(args.tags), opts=pulumi.ResourceOptions(parent=self))
        azure.managedidentity.FederatedIdentityCredential(
            f"{name}-{who}-credential", federated_identity_credential_resource_name=who,
            resource_name_=identity.name, resource_group_name=rg, issuer=issuer,
            subject=f"system:serviceaccount:{env.namespace}:{who}", audiences=[TOKEN_AUDIENCE],
            opts=pulumi.ResourceOptions(parent=self))
        for account, container, path in blob_stores(grant.reads):
            self._blob_grant(f"{name}-{who}-read-{account}-{container}", args, who,
                             (account, container, path), identity.principal_id, "read")
        for account, container, path in blob_stores(grant.writes):
            self._blob_grant(f"{name}-{who}-write-{account}-{container}", args, who,
                             (account, container, path), identity.principal_id, "write")
        if args.registry is not None and any(artifacts.registry_repo(u) for u in grant.reads):
            self._acr_pull(f"{name}-{who}-acr-pull", args, f"acr-pull/{who}", identity.principal_id)
        return identity

    def _blob_role(self, args: IdentityArgs, verb: str) -> azure.authorization.RoleDefinition:
        """The environment's own role holding only the blob data actions of `verb`, made once, assignable only in
        its subscription."""
        if verb not in self.roles:
            subscription = self._subscription
            self.roles[verb] = azure.authorization.RoleDefinition(
                f"{self._name}-blob-{verb}", role_definition_id=blob_role_id(args.env, verb),
                role_name=f"mlops {args.env.stack} blob {verb}", role_type="CustomRole", scope=subscription,
                description=f"mlops: the blob data actions a workload of {args.env.stack} needs to {verb}",
                permissions=[azure.authorization.PermissionArgs(actions=[], data_actions=list(BLOB_ROLES[verb]))],
                assignable_scopes=[subscription], opts=pulumi.ResourceOptions(parent=self))
        return self.roles[verb]

    def _blob_grant(self, name: str, args: IdentityArgs, who: str, store: tuple[str, str, str],
                    principal: pulumi.Input[str], verb: str) -> azure.authorization.RoleAssignment:
        """The environment's blob role for `verb` at the subscription, held to one account, container and path by
        its ABAC condition."""
        account, container, path = store
        condition = blob_read_condition if verb == "read" else blob_write_condition
        role = self._blob_role(args, verb)
        return azure.authorization.RoleAssignment(
            f"{name}-{uuid.uuid5(uuid.NAMESPACE_URL, path).hex[:8]}" if path else name,
            # a name of its own: an assignment's role cannot change in place, and a stack made with the built-in
            # roles replaces its assignments create-first, which the same name would refuse
            role_assignment_name=assignment_name(args.env, f"own-blob-{verb}/{who}/{account}/{container}/{path}"),
            scope=self._subscription,
            role_definition_id=role_definition(args.resource_group.id, blob_role_id(args.env, verb)),
            principal_id=principal, principal_type="ServicePrincipal",
            condition=condition(account, container, path), condition_version="2.0",
            description=f"mlops: {who} {verb}s az://{account}/{container}/{path}",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role]))

    def _acr_pull(self, name: str, args: IdentityArgs, purpose: str,
                  principal: pulumi.Input[str]) -> azure.authorization.RoleAssignment:
        assert args.registry is not None
        return azure.authorization.RoleAssignment(
            name, role_assignment_name=assignment_name(args.env, purpose), scope=args.registry.id,
            role_definition_id=role_definition(args.resource_group.id, ACR_PULL),
            principal_id=principal, principal_type="ServicePrincipal",
            opts=pulumi.ResourceOptions(parent=self))
