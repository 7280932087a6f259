"""Azure registry and identities: ACR with a scheduled keep-last purge, the models' user-assigned identity with
one federated credential per model ServiceAccount, and AcrPull for the kubelet and the models."""

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
from mlops.ir import serving
from mlops.ir.names import short_name
from mlops.targets.base import artifacts

ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"            # built-in role ids (the same in every tenant)
TOKEN_AUDIENCE = "api://AzureADTokenExchange"
PURGE_SCHEDULE = "0 3 * * *"                                 # daily, 03:00 UTC


def storage_accounts(env: ir.Environment) -> list[str]:
    """The storage accounts of the az://ACCOUNT/CONTAINER/PATH URIs the models read. Their resource ids (hence
    a Storage Blob Data Reader assignment) are not knowable here: the URI names no resource group. The program
    exports them with the identity's principal id, for the accounts' owners to grant."""
    found = (artifacts.bucket_object(uri, "az") for model in env.models for uri in serving.reads(model))
    return sorted({account for account, _ in filter(None, found)})


def role_definition(resource_group_id: pulumi.Input[str], role: str) -> pulumi.Output[str]:
    """The subscription-scoped id of a built-in role, the subscription read off the resource group's id."""
    return pulumi.Output.from_input(resource_group_id).apply(
        lambda rg_id: f"{rg_id.split('/resourceGroups/')[0]}/providers/Microsoft.Authorization/roleDefinitions/{role}")


def assignment_name(env: ir.Environment, purpose: str) -> str:
    """Role assignment names are GUIDs: derive them, so a re-run names the same assignment."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mlops://{env.stack}/{purpose}"))


def purge_task_yaml(env: ir.Environment) -> str:
    """`acr purge` keeps the newest `keep_last` tags of each repository under the platform's prefix, and deletes
    manifests no tag points to any more (that is what frees storage). Locked images are never purged."""
    repos = re.escape(env.platform) + "/.*"
    command = f"acr purge --filter '{repos}:.*' --ago 0d --keep {env.registry.keep_last} --untagged"
    return ("version: v1.1.0\nsteps:\n"
            f"  - cmd: {command}\n    disableWorkingDirectoryOverride: true\n    timeout: 3600\n")


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
    """The identity model pods act as: each model's ServiceAccount may exchange its token for it (federated
    credential against the cluster's OIDC issuer); the kubelet and the models may pull from the registry."""

    def __init__(self, name: str, args: IdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:azure:WorkloadIdentity", name, None, opts)
        env, rg = args.env, args.resource_group.name
        self.identity = azure.managedidentity.UserAssignedIdentity(
            f"{name}-identity", resource_name_=short_name(f"{env.stack}-models", 128), resource_group_name=rg,
            tags=dict(args.tags), opts=pulumi.ResourceOptions(parent=self))
        issuer = args.cluster.oidc_issuer_profile.apply(lambda profile: profile.issuer_url if profile else None)
        self.credentials: dict[str, azure.managedidentity.FederatedIdentityCredential] = {}
        previous: list[pulumi.Resource] = []
        for model in env.models:
            # One at a time: Azure rejects concurrent writes of federated credentials on one identity.
            credential = azure.managedidentity.FederatedIdentityCredential(
                f"{name}-{model.name}", federated_identity_credential_resource_name=model.name,
                resource_name_=self.identity.name, resource_group_name=rg, issuer=issuer,
                subject=f"system:serviceaccount:{env.namespace}:{model.name}", audiences=[TOKEN_AUDIENCE],
                opts=pulumi.ResourceOptions(parent=self, depends_on=previous))
            self.credentials[model.name] = credential
            previous = [credential]
        if args.registry is not None:
            kubelet = args.cluster.identity_profile.apply(kubelet_object_id)
            self._acr_pull(f"{name}-kubelet-acr-pull", args, "kubelet-acr-pull", kubelet)
            self._acr_pull(f"{name}-models-acr-pull", args, "models-acr-pull", self.identity.principal_id)
        self.register_outputs({"clientId": self.identity.client_id})

    def _acr_pull(self, name: str, args: IdentityArgs, purpose: str,
                  principal: pulumi.Input[str]) -> azure.authorization.RoleAssignment:
        assert args.registry is not None
        return azure.authorization.RoleAssignment(
            name, role_assignment_name=assignment_name(args.env, purpose), scope=args.registry.id,
            role_definition_id=role_definition(args.resource_group.id, ACR_PULL),
            principal_id=principal, principal_type="ServicePrincipal",
            opts=pulumi.ResourceOptions(parent=self))
