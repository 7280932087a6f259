"""The AKS program under Pulumi mocks, finding by finding of the infra review (Z2, Z3, Z4, Z5, Z6, Z7, Z8): the inputs
that fix each one, on the recorded resource graph (Z6, Z7: on the manifests and the diagnostics)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlops.emit.preview import preview_environment
from mlops.spec.load import load
from mlops.spec.validate import check
from mlops.targets.azure import program as azure_program
from mlops.targets.azure.access import BLOB_ROLES, BLOBS, blob_role_id
from mlops.targets.azure.cluster import NETWORK_CONTRIBUTOR, RBAC_CLUSTER_ADMIN
from tests.support.infra_helpers import environment, of_type, one
from tests.support.specs import manifests

CLUSTER = "azure-native:containerservice:ManagedCluster"
ASSIGNMENT = "azure-native:authorization:RoleAssignment"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"


def spec(api_access: str = "{allowedCidrs: [203.0.113.0/24]}", registry: str = "{keepLast: 10}") -> str:
    return "\n".join([
        "apiVersion: mlops/v1", "kind: Platform", "metadata: {name: shop}",
        "targets:", "  az: {provider: azure, region: westeurope}", "environments:", "  live: {target: az}",
        "cluster:", f"  apiAccess: {api_access}", "  nodePools:",
        "    cpu: {machine: {cpu: 4, memory: 16Gi}, capacity: spot}",
        f"registry: {registry}", "models:",
        "  demand: {framework: sklearn, artifact: az://shopmodels/models/demand/v5/}",
        "  whole: {framework: sklearn, artifact: az://shopdata/features}",
        "  rank: {framework: sklearn, artifact: registry://rank:v1}", ""])


def preview(tmp_path: Path, text: str) -> list[Any]:
    return list(preview_environment(environment(text, "live", tmp_path)).resources)


def role(assignment: Any) -> str:
    return str(assignment.inputs["roleDefinitionId"]).rsplit("/", 1)[1]


def test_z2_the_control_plane_identity_may_join_the_subnet_before_the_cluster_exists(tmp_path: Path) -> None:
    resources = preview(tmp_path, spec())
    cluster = one(resources, CLUSTER)
    control = one(resources, IDENTITY, name="shop-live-aks-control-plane")
    assert cluster.inputs["identity"]["type"] == "UserAssigned"
    assert cluster.inputs["identity"]["userAssignedIdentities"] == [
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/shop-live/providers/"
        f"Microsoft.ManagedIdentity/userAssignedIdentities/{control.inputs['resourceName']}"]
    [join] = [a for a in of_type(resources, ASSIGNMENT) if role(a) == NETWORK_CONTRIBUTOR]
    assert join.inputs["scope"].endswith("/virtualNetworks/shop-live-vnet/subnets/nodes")
    assert join.name in cluster.depends_on


def test_z3_spot_pools_restate_the_taint_aks_adds(tmp_path: Path) -> None:
    pool = one(preview(tmp_path, spec()), "azure-native:containerservice:AgentPool")
    assert pool.inputs["scaleSetPriority"] == "Spot"
    assert pool.inputs["nodeTaints"] == ["kubernetes.azure.com/scalesetpriority=spot:NoSchedule"]


def test_z4_az_artifacts_are_granted_to_their_model_alone_by_account_container_and_path(tmp_path: Path) -> None:
    env = environment(spec(), "live", tmp_path)
    resources = list(preview_environment(env).resources)
    readers = [a for a in of_type(resources, ASSIGNMENT) if role(a) == blob_role_id(env, "read")]
    by_model = {a.inputs["description"].split(": ")[1].split(" ")[0]: a.inputs for a in readers}
    assert sorted(by_model) == ["demand", "whole"]
    demand = by_model["demand"]
    assert demand["scope"] == "/subscriptions/00000000-0000-0000-0000-000000000000"
    assert demand["conditionVersion"] == "2.0"
    condition = demand["condition"]
    assert "@Resource[Microsoft.Storage/storageAccounts:name] StringEquals 'shopmodels'" in condition
    assert ("@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'models'"
            in condition)
    assert "containers/blobs:path] StringStartsWith 'demand/v5/'" in condition            # reads
    assert "containers/blobs:prefix] StringStartsWith 'demand/v5'" in condition   # lists as the initializer asks
    assert "StringStartsWith" not in by_model["whole"]["condition"]                       # a whole container
    principals = {i.name: i for i in of_type(resources, IDENTITY)}
    assert demand["principalId"] != by_model["whole"]["principalId"]
    assert "shop-live-models-demand" in principals and "shop-live-models-whole" in principals


@pytest.mark.parametrize(("access", "expected"), [
    ("{allowedCidrs: [203.0.113.0/24]}", {"authorizedIPRanges": ["203.0.113.0/24", "203.0.113.30/32"]}),
    ("{allowedCidrs: []}", {"enablePrivateCluster": True}),
])
def test_z5_the_api_server_admits_only_the_allowed_networks_and_the_clusters_own_egress(
        tmp_path: Path, access: str, expected: dict[str, Any]) -> None:
    cluster = one(preview(tmp_path, spec(access)), CLUSTER)
    assert cluster.inputs["apiServerAccessProfile"] == expected


def test_z5_no_local_accounts_entra_id_with_azure_rbac_and_a_keyless_kubeconfig(tmp_path: Path) -> None:
    resources = preview(tmp_path, spec())
    cluster = one(resources, CLUSTER)
    assert cluster.inputs["disableLocalAccounts"] is True
    assert cluster.inputs["aadProfile"] == {"managed": True, "enableAzureRBAC": True}
    [admin] = [a for a in of_type(resources, ASSIGNMENT) if role(a) == RBAC_CLUSTER_ADMIN]
    assert admin.inputs["scope"].endswith("/managedClusters/shop-live")
    assert admin.name in one(resources, "pulumi:providers:kubernetes").depends_on   # add-ons wait for the role
    listed = "clusters: [{name: c, cluster: {server: 'https://c:443', certificate-authority-data: Q0E=}}]\n" \
             "users: [{name: u, user: {auth-provider: {name: azure}}}]\n"
    config = json.loads(azure_program.kubelogin_config(listed))
    user = config["users"][0]["user"]
    assert set(user) == {"exec"} and user["exec"]["command"] == "kubelogin"
    assert user["exec"]["args"] == ["get-token", "--login", "azurecli", "--server-id",
                                    "6dae42f8-4368-4678-94ff-3960e28e3630"]
    assert config["clusters"][0]["cluster"] == {"server": "https://c:443", "certificate-authority-data": "Q0E="}


def test_z6_pods_cannot_reach_the_instance_metadata_service(tmp_path: Path) -> None:
    files = manifests(tmp_path, {
        "apiVersion": "mlops/v1", "kind": "Platform", "metadata": {"name": "shop"},
        "targets": {"t": {"provider": "azure", "region": "westeurope"}}, "environments": {"dev": {"target": "t"}},
        "cluster": {"apiAccess": {"allowedCidrs": []}},
        "models": {"m": {"framework": "sklearn", "artifact": "registry://m:v1"}}})
    egress = files["networkpolicy-allow-egress.yaml"]["spec"]["egress"]
    assert {"to": [{"ipBlock": {"cidr": "169.254.0.0/16", "except": ["169.254.169.254/32"]}}]} in egress


def test_z7_registry_settings_acr_cannot_apply_are_warnings(tmp_path: Path) -> None:
    path = tmp_path / "mlops.yaml"
    path.write_text(spec(registry="{immutableTags: true, scanOnPush: true}"), encoding="utf-8")
    found = [d for d in check(load(str(path))) if d.path.startswith("$.registry")]
    assert [(d.severity, d.path) for d in found] == [("warning", "$.registry.immutableTags"),
                                                     ("warning", "$.registry.scanOnPush")]
    assert "not applied on azure target 'az'" in found[0].message


def test_z8_one_identity_per_model_and_acr_pull_only_for_models_that_pull(tmp_path: Path) -> None:
    resources = preview(tmp_path, spec())
    models = {i.name for i in of_type(resources, IDENTITY)} - {"shop-live-aks-control-plane"}
    assert models == {"shop-live-models-demand", "shop-live-models-rank", "shop-live-models-whole"}
    pulls = {a.name for a in of_type(resources, ASSIGNMENT) if a.inputs["roleDefinitionId"].endswith(
        "7f951dda-4ed3-4680-a7ca-43fe172d538d")}
    assert pulls == {"shop-live-models-rank-acr-pull", "shop-live-models-kubelet-acr-pull"}


def test_a_pool_running_a_model_with_disk_gets_a_managed_os_disk_that_holds_it(tmp_path: Path) -> None:
    # rank (unpinned, registry://) may land on the untainted pool; AKS keeps an image's compressed layers beside the
    # unpacked image and the copy (targets/base/disks.py): (3 x 100 + 41) / 0.9 = 378.9
    text = spec().replace("artifact: registry://rank:v1}", "artifact: registry://rank:v1, resources: {disk: 100Gi}}")
    [pool] = of_type(preview(tmp_path, text), "azure-native:containerservice:AgentPool")
    assert (pool.inputs["osDiskSizeGB"], pool.inputs["osDiskType"]) == (379, "Managed")
    [plain] = of_type(preview(tmp_path, spec()), "azure-native:containerservice:AgentPool")
    assert "osDiskSizeGB" not in plain.inputs and "osDiskType" not in plain.inputs


def test_blob_roles_hold_data_actions_only(tmp_path: Path) -> None:
    """The built-in Storage Blob Data roles add control-plane actions (containers/delete) that no ABAC condition
    constrains; at the subscription they would reach every container. mlops's own role has none, and no delete."""
    env = environment(spec(), "live", tmp_path)
    resources = list(preview_environment(env).resources)
    [reader] = of_type(resources, "azure-native:authorization:RoleDefinition")
    assert reader.inputs["roleDefinitionId"] == blob_role_id(env, "read")
    assert reader.inputs["permissions"] == [{"actions": [], "dataActions": [f"{BLOBS}/read"]}]
    subscription = "/subscriptions/00000000-0000-0000-0000-000000000000"     # the mocks' (test_z4's scope)
    assert reader.inputs["assignableScopes"] == [reader.inputs["scope"]] == [subscription]
    assert reader.inputs["roleName"] == f"mlops {env.stack} blob read" and reader.inputs["roleType"] == "CustomRole"
    assert not any(f"{BLOBS}/delete" in actions for actions in BLOB_ROLES.values())
    for a in of_type(resources, ASSIGNMENT):
        assert role(a) not in ("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", "ba92f5b4-2d11-453d-a403-e96b0029c9fe")
        if role(a) == blob_role_id(env, "read"):
            assert reader.name in a.depends_on
