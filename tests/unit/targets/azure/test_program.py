"""The Azure program's resource graph, run under Pulumi mocks: resource group, VNet + NAT, AKS with OIDC and
Workload Identity, agent pools (GPU taint, spot), ACR with its purge task, federated credentials per model,
AcrPull, tags, protection and stack outputs; and the located error for an ask Azure cannot meet."""

from __future__ import annotations

import base64
import inspect
from pathlib import Path
from typing import Any

import pulumi_azure_native as azure
import pytest

from mlops import ir
from mlops.emit.infra import preview
from mlops.emit.preview import Preview, Recorded, preview_environment
from mlops.spec.load import load
from mlops.spec.validate import check
from mlops.targets import azure as azure_target
from mlops.targets.azure.access import (
    ACR_PULL,
    BLOB_ROLES,
    assignment_name,
    blob_role_id,
    purge_task_yaml,
)
from tests.support import infra_helpers as helpers
from tests.support.infra_helpers import of_type, one
from tests.support.specs import AZURE_PLATFORM as SPEC
from tests.support.specs import logged_platform, trained_platform

TAGS = {"cost-center": "cc-4242", "team.example.com_owner": "risk",
        "mlops.dev_platform": "fraud", "mlops.dev_environment": "prod"}


def environment(tmp_path: Path, text: str = SPEC, env: str = "prod") -> ir.Environment:
    return helpers.environment(text, env, tmp_path)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> ir.Environment:
    return environment(tmp_path_factory.mktemp("azure"))


@pytest.fixture(scope="module")
def result(env: ir.Environment) -> Preview:
    return preview_environment(env)


def pools(result: Preview) -> dict[str, Recorded]:
    return {r.inputs["agentPoolName"]: r for r in of_type(result.resources, "azure-native:containerservice:AgentPool")}


def test_preview_is_the_infra_layer_view(env: ir.Environment, result: Preview) -> None:
    assert [r.to_json() for r in preview(env)] == [r.to_json() for r in result.resources]


def test_resource_group_and_network(env: ir.Environment, result: Preview) -> None:
    group = one(result.resources, "azure-native:resources:ResourceGroup")
    assert group.inputs["resourceGroupName"] == env.stack == "fraud-prod" and group.inputs["location"] == "westeurope"
    subnet = one(result.resources, "azure-native:network:Subnet")
    assert subnet.inputs["natGateway"]["id"].endswith("/natGateways/fraud-prod-nat")
    vnet = one(result.resources, "azure-native:network:VirtualNetwork")
    assert vnet.inputs["addressSpace"] == {"addressPrefixes": ["10.224.0.0/12"]}


def test_cluster(env: ir.Environment, result: Preview) -> None:
    cluster = one(result.resources, "azure-native:containerservice:ManagedCluster")
    i = cluster.inputs
    assert cluster.protect
    assert i["resourceName"] == "fraud-prod" and i["resourceGroupName"] == "fraud-prod"
    assert i["kubernetesVersion"] == "1.36"
    assert i["oidcIssuerProfile"] == {"enabled": True}
    assert i["securityProfile"] == {"workloadIdentity": {"enabled": True}}
    assert i["networkProfile"]["outboundType"] == "userAssignedNATGateway"
    assert i["networkProfile"]["networkPolicy"] == "cilium"
    [system] = i["agentPoolProfiles"]
    assert system["mode"] == "System" and system["name"] not in {p.name for p in env.node_pools}
    assert system["minCount"] == 2 and system["maxCount"] == 3 and "nodeTaints" not in system


def test_general_pool(result: Preview) -> None:
    pool = pools(result)["general"].inputs
    assert pool["vmSize"] == "Standard_D4s_v5" and pool["mode"] == "User"
    assert (pool["enableAutoScaling"], pool["minCount"], pool["maxCount"]) == (True, 2, 6)
    assert "nodeTaints" not in pool and "scaleSetPriority" not in pool
    assert pool["nodeLabels"]["mlops.dev/pool"] == "general" and pool["nodeLabels"]["team.example.com/owner"] == "risk"
    assert pool["orchestratorVersion"] == "1.36" and pool["resourceName"] == "fraud-prod"


def test_gpu_pool(result: Preview) -> None:
    pool = pools(result)["gpu"].inputs
    assert pool["vmSize"] == "Standard_NC8as_T4_v3"
    assert pool["nodeTaints"] == ["kubernetes.azure.com/scalesetpriority=spot:NoSchedule",   # AKS's own, restated
                                  "nvidia.com/gpu=present:NoSchedule"]
    assert (pool["scaleSetPriority"], pool["scaleSetEvictionPolicy"], pool["spotMaxPrice"]) == ("Spot", "Delete", -1)
    assert (pool["minCount"], pool["maxCount"], pool["count"]) == (0, 4, 0)


def test_pool_names_are_what_the_hints_select(env: ir.Environment, result: Preview) -> None:
    by_name = pools(result)
    assert set(by_name) == {p.name for p in env.node_pools}
    for name, hint in azure_target.TARGET.hints(env).pools.items():
        assert dict(hint.node_selector)["kubernetes.azure.com/agentpool"] == by_name[name].inputs["agentPoolName"]


def test_registry(env: ir.Environment, result: Preview) -> None:
    acr = one(result.resources, "azure-native:containerregistry:Registry")
    assert acr.protect
    assert acr.inputs["registryName"] == azure_target.Azure.acr_name(env)
    assert acr.inputs["sku"] == {"name": "Standard"}
    assert acr.inputs["adminUserEnabled"] is False and acr.inputs["anonymousPullEnabled"] is False
    task = one(result.resources, "azure-native:containerregistry:Task")
    assert task.inputs["registryName"] == acr.inputs["registryName"]
    assert task.inputs["trigger"]["timerTriggers"][0]["schedule"] == "0 3 * * *"
    content = base64.b64decode(task.inputs["step"]["encodedTaskContent"]).decode()
    assert content == purge_task_yaml(env)
    assert "acr purge --filter '^fraud/(?!(?:embedder|ranker)$).*:.*' --filter '^fraud/embedder$:^(?!(?:v2)$).*' " \
           "--filter '^fraud/ranker$:^(?!(?:v3)$).*' --ago 0d --keep 25 --untagged" in content


def test_federated_credential_per_model(env: ir.Environment, result: Preview) -> None:
    """One identity per model (Z8), each trusting only its model's ServiceAccount."""
    identities = {i.name: i for i in of_type(result.resources, "azure-native:managedidentity:UserAssignedIdentity")}
    credentials = of_type(result.resources, "azure-native:managedidentity:FederatedIdentityCredential")
    assert sorted(c.inputs["subject"] for c in credentials) == [
        f"system:serviceaccount:{env.namespace}:{m}" for m in ("embedder", "ranker", "scorer")]
    issuers = {c.inputs["issuer"] for c in credentials}
    assert len(issuers) == 1 and issuers.pop().startswith("https://westeurope.oic.prod-aks.azure.com/")
    for credential in credentials:
        model = credential.inputs["subject"].rsplit(":", 1)[1]
        assert credential.inputs["audiences"] == ["api://AzureADTokenExchange"]
        assert credential.inputs["resourceName"] == identities[f"fraud-prod-models-{model}"].inputs["resourceName"]


def test_acr_pull_for_kubelet_and_models(env: ir.Environment, result: Preview) -> None:
    assignments = {r.name: r.inputs for r in of_type(result.resources, "azure-native:authorization:RoleAssignment")
                   if r.inputs["roleDefinitionId"].endswith(ACR_PULL)}
    acr_id = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/fraud-prod/providers/"
              f"Microsoft.ContainerRegistry/registries/{azure_target.Azure.acr_name(env)}")
    # the kubelet, and the models that pull from the registry (scorer reads az:// only)
    assert sorted(assignments) == ["fraud-prod-models-embedder-acr-pull", "fraud-prod-models-kubelet-acr-pull",
                                   "fraud-prod-models-ranker-acr-pull"]
    for a in assignments.values():
        assert a["scope"] == acr_id and a["principalType"] == "ServicePrincipal"
    kubelet = assignments["fraud-prod-models-kubelet-acr-pull"]
    assert kubelet["roleAssignmentName"] == assignment_name(env, "kubelet-acr-pull")
    assert kubelet["principalId"] != assignments["fraud-prod-models-ranker-acr-pull"]["principalId"]


# Every Azure type the program creates, with the SDK class: the test fails when a new type appears unreviewed.
CLASSES: dict[str, Any] = {
    "azure-native:resources:ResourceGroup": azure.resources.ResourceGroup,
    "azure-native:network:PublicIPAddress": azure.network.PublicIPAddress,
    "azure-native:network:NatGateway": azure.network.NatGateway,
    "azure-native:network:VirtualNetwork": azure.network.VirtualNetwork,
    "azure-native:network:Subnet": azure.network.Subnet,
    "azure-native:containerservice:ManagedCluster": azure.containerservice.ManagedCluster,
    "azure-native:containerservice:AgentPool": azure.containerservice.AgentPool,
    "azure-native:containerregistry:Registry": azure.containerregistry.Registry,
    "azure-native:containerregistry:Task": azure.containerregistry.Task,
    "azure-native:managedidentity:UserAssignedIdentity": azure.managedidentity.UserAssignedIdentity,
    "azure-native:managedidentity:FederatedIdentityCredential": azure.managedidentity.FederatedIdentityCredential,
    "azure-native:authorization:RoleAssignment": azure.authorization.RoleAssignment,
    "azure-native:authorization:RoleDefinition": azure.authorization.RoleDefinition,
}


def test_tags_on_every_resource_that_takes_them(result: Preview) -> None:
    cloud = [r for r in result.resources if r.type.startswith("azure-native:")]
    assert {r.type for r in cloud} <= set(CLASSES)
    for r in cloud:
        if "tags" in inspect.signature(CLASSES[r.type]._internal_init).parameters:
            assert r.inputs["tags"] == TAGS, r.name
            assert not any(c in key for key in r.inputs["tags"] for c in '<>%&\\?/')
    cluster = one(result.resources, "azure-native:containerservice:ManagedCluster")
    assert cluster.inputs["agentPoolProfiles"][0]["tags"] == TAGS


def test_protect_only_cluster_and_registry(result: Preview) -> None:
    assert {r.type for r in result.resources if r.protect} == {
        "azure-native:containerservice:ManagedCluster", "azure-native:containerregistry:Registry"}


def test_everything_goes_through_the_pinned_provider(result: Preview) -> None:
    provider = one(result.resources, "pulumi:providers:azure-native")
    assert provider.inputs["location"] == "westeurope"
    assert all(r.provider == provider.name for r in result.resources if r.type.startswith("azure-native:"))


def test_outputs(env: ir.Environment, result: Preview) -> None:
    outputs = result.outputs
    assert outputs["kubeconfig"] == "[secret]"
    assert outputs["registryUrl"] == azure_target.TARGET.hints(env).registry
    assert outputs["clusterName"] == "fraud-prod"
    identity = one(result.resources, "azure-native:managedidentity:UserAssignedIdentity",
                   name="fraud-prod-models-scorer")
    expected_client = azure_target.TARGET.mocks().outputs["azure-native:managedidentity:UserAssignedIdentity"](
        identity.name, identity.inputs, {})["clientId"]
    assert outputs["modelClientId_scorer"] == expected_client
    # The manifests name each model's identity through the deferred output this program exports.
    assert azure_target.TARGET.hints(env).service_account("scorer") == {
        "azure.workload.identity/client-id": "$(infra.modelClientId_scorer)"}


def test_device_plugin_only_with_gpu_pools(tmp_path: Path, result: Preview) -> None:
    releases = {r.inputs["name"] for r in of_type(result.resources, "kubernetes:helm.sh/v3:Release")}
    assert "nvidia-device-plugin" in releases
    no_gpu = SPEC.replace("  ranker:\n    framework: pytorch\n    nodePool: gpu\n",
                          "  ranker:\n    framework: pytorch\n")
    no_gpu = no_gpu.replace("      accelerator: {type: nvidia-t4, count: 1}\n", "")
    no_gpu = no_gpu.replace('    resources: {cpu: "4", memory: 16Gi, gpu: 1}\n', "")
    other = preview_environment(environment(tmp_path, no_gpu))
    other_releases = {r.inputs["name"] for r in of_type(other.resources, "kubernetes:helm.sh/v3:Release")}
    assert "nvidia-device-plugin" not in other_releases
    assert "nvidia.com/gpu=present:NoSchedule" not in pools(other)["gpu"].inputs.get("nodeTaints", [])


def test_external_registry(tmp_path: Path) -> None:
    env = environment(tmp_path, SPEC.replace("region: westeurope}", "region: westeurope, registry: ghcr.io/acme/ml}"))
    result = preview_environment(env)
    assert not of_type(result.resources, "azure-native:containerregistry:Registry")
    assert not of_type(result.resources, "azure-native:containerregistry:Task")
    assert not [r for r in of_type(result.resources, "azure-native:authorization:RoleAssignment")
                if r.inputs["roleDefinitionId"].endswith(ACR_PULL)]
    assert result.outputs["registryUrl"] == azure_target.TARGET.hints(env).registry == "ghcr.io/acme/ml"


def test_subscription_pins_the_provider(tmp_path: Path) -> None:
    subscription = "11111111-2222-3333-4444-555555555555"
    env = environment(tmp_path, SPEC.replace("region: westeurope}", f"region: eastus, subscription: {subscription}}}"))
    result = preview_environment(env)
    assert one(result.resources, "pulumi:providers:azure-native").inputs["subscriptionId"] == subscription
    for assignment in of_type(result.resources, "azure-native:authorization:RoleAssignment"):
        assert assignment.inputs["roleDefinitionId"].startswith(f"/subscriptions/{subscription}/providers/")


def test_tpu_is_refused_with_what_azure_offers(tmp_path: Path) -> None:
    text = SPEC.replace("accelerator: {type: nvidia-t4, count: 1}", "accelerator: {type: tpu-v5e, count: 4}")
    path = tmp_path / "mlops.yaml"
    path.write_text(text, encoding="utf-8")
    errors = [d for d in check(load(str(path))) if d.severity == "error" and d.path.startswith("$.cluster")]
    [error] = errors
    line = text.splitlines().index("      accelerator: {type: tpu-v5e, count: 4}") + 1
    assert (error.line, error.path) == (line, "$.cluster.nodePools.gpu.accelerator.type")
    assert "azure has no 4x tpu-v5e instance type" in error.message
    assert "it offers nvidia-a10, nvidia-a100-40gb, nvidia-a100-80gb, nvidia-h100-80gb, nvidia-t4" in error.message


def test_same_input_same_graph(env: ir.Environment, result: Preview) -> None:
    again = preview_environment(env)
    assert [r.to_json() for r in again.resources] == [r.to_json() for r in result.resources]
    assert again.outputs == result.outputs


def _federated(env: ir.Environment, result: Preview, sa: str, resource: str) -> list[dict[str, Any]]:
    """The identity of ServiceAccount `sa`, named `resource`, federated to it, its client id exported and named by the
    SA's annotation; its role assignments."""
    identity = one(result.resources, "azure-native:managedidentity:UserAssignedIdentity",
                   name=f"{env.stack}-models-{sa}")
    assert identity.inputs["resourceName"] == resource
    one(result.resources, "azure-native:managedidentity:FederatedIdentityCredential",
        subject=f"system:serviceaccount:{env.namespace}:{sa}")
    output = "modelClientId_" + sa.replace("-", "_")
    assert result.outputs[output]
    annotation = {"azure.workload.identity/client-id": f"$(infra.{output})"}
    assert azure_target.TARGET.hints(env).service_account(sa) == annotation
    return [r.inputs for r in of_type(result.resources, "azure-native:authorization:RoleAssignment")
            if r.inputs.get("description", "").startswith(f"mlops: {sa} ")]


def test_trainer_identity_reads_its_inputs_and_writes_only_under_the_output(tmp_path: Path) -> None:
    spec = trained_platform({"provider": "azure", "region": "westeurope"})
    spec = spec.replace("s3://fraud-data/", "az://fraudacct/data/").replace("s3://fraud-models/", "az://fraudacct/models/")
    env = helpers.environment(spec, "dev", tmp_path)
    result = preview_environment(env)
    grants = _federated(env, result, "fraud-train", f"{env.stack}-train-fraud")
    reads = sorted(g["description"] for g in grants if g["roleDefinitionId"].endswith(blob_role_id(env, "read")))
    assert reads == ["mlops: fraud-train reads az://fraudacct/data/holdout.parquet",
                     "mlops: fraud-train reads az://fraudacct/data/train/",
                     "mlops: fraud-train reads az://fraudacct/models/fraud/"]
    writes = [g for g in grants if g["roleDefinitionId"].endswith(blob_role_id(env, "write"))]
    assert [w["description"] for w in writes] == ["mlops: fraud-train writes az://fraudacct/models/fraud/"]
    condition = writes[0]["condition"]
    for action in BLOB_ROLES["write"]:      # each action the role holds, held under the output
        assert f"!(ActionMatches{{'{action}'}})" in condition
    assert "containers/blobs:path] StringStartsWith 'fraud/'" in condition
    assert "containers:name] StringEquals 'models'" in condition
    assert not [r for r in of_type(result.resources, "azure-native:authorization:RoleAssignment")
                if r.inputs["roleDefinitionId"].endswith(blob_role_id(env, "write"))
                and not r.inputs["description"].startswith("mlops: fraud-train ")]    # serving never writes


def test_vector_identity_only_writes_under_data_live(tmp_path: Path) -> None:
    env = helpers.environment(logged_platform({"provider": "azure", "region": "westeurope"}, "az://shopacct/data/"),
                              "dev", tmp_path)
    result = preview_environment(env)
    grants = _federated(env, result, "vector", f"{env.stack}-vector")
    assert [(g["roleDefinitionId"].rsplit("/", 1)[-1], g["description"]) for g in grants] == [
        (blob_role_id(env, "write"), "mlops: vector writes az://shopacct/data/live/fraud/")]     # no reader grant
    assert "containers/blobs:path] StringStartsWith 'live/fraud/'" in grants[0]["condition"]
    assert "containers:name] StringEquals 'data'" in grants[0]["condition"]
