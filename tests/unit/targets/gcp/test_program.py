"""The GCP program's resource graph, run under Pulumi mocks: network, GKE and its node pools (GPU and TPU),
Artifact Registry and its policies, Workload Identity bindings, labels, protection and stack outputs."""

from __future__ import annotations

import base64
import inspect
import json
from pathlib import Path
from typing import Any

import pulumi_gcp as gcp
import pytest

from mlops import ir
from mlops.emit.infra import preview
from mlops.emit.preview import Preview, Recorded, preview_environment
from mlops.ir.names import short_name
from mlops.targets import gcp as gcp_target
from mlops.targets.gcp import program as gcp_program
from tests.support import infra_helpers as helpers
from tests.support.infra_helpers import of_type, one
from tests.support.specs import logged_platform, trained_platform

SPEC = """
apiVersion: mlops/v1
kind: Platform
metadata:
  name: fraud
  labels: {cost-center: cc-4242, team.example.com/owner: risk}
targets:
  gcp-staging: {provider: gcp, region: europe-west4, project: fraud-staging-123}
environments:
  staging: {target: gcp-staging}
cluster:
  kubernetesVersion: "1.36"
  nodePools:
    general:
      machine: {cpu: 4, memory: 16Gi}
      scaling: {min: 2, max: 6}
    gpu:
      machine: {cpu: 8, memory: 32Gi}
      accelerator: {type: nvidia-l4, count: 1}
      scaling: {min: 0, max: 4}
      capacity: spot
    tpu:
      machine: {cpu: 100, memory: 128Gi}
      accelerator: {type: tpu-v5e, count: 4}
      scaling: {min: 0, max: 2}
registry: {immutableTags: true, scanOnPush: true, keepLast: 30}
models:
  scorer:
    framework: xgboost
    artifact: gs://fraud-models/scorer/v12
    monitoring:
      drift: {baseline: gs://fraud-data/train.parquet}
  ranker:
    framework: pytorch
    nodePool: gpu
    resources: {cpu: "4", memory: 16Gi, gpu: 1}
    artifact: registry://ranker:v3
"""


def environment(tmp_path: Path, text: str = SPEC, env: str = "staging") -> ir.Environment:
    return helpers.environment(text, env, tmp_path)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> ir.Environment:
    return environment(tmp_path_factory.mktemp("gcp"))


@pytest.fixture(scope="module")
def result(env: ir.Environment) -> Preview:
    return preview_environment(env)


def pools(result: Preview) -> dict[str, Recorded]:
    return {r.inputs["name"]: r for r in of_type(result.resources, "gcp:container/nodePool:NodePool")}


def test_preview_is_the_infra_layer_view(env: ir.Environment, result: Preview) -> None:
    assert [r.to_json() for r in preview(env)] == [r.to_json() for r in result.resources]


def test_cluster(env: ir.Environment, result: Preview) -> None:
    cluster = one(result.resources, "gcp:container/cluster:Cluster")
    i = cluster.inputs
    assert cluster.protect
    assert i["name"] == "fraud-staging" and i["project"] == "fraud-staging-123" and i["location"] == "europe-west4"
    assert i["minMasterVersion"] == "1.36" and i["releaseChannel"] == {"channel": "REGULAR"}
    assert i["workloadIdentityConfig"] == {"workloadPool": "fraud-staging-123.svc.id.goog"}
    assert i["removeDefaultNodePool"] is True
    assert i["privateClusterConfig"]["enablePrivateNodes"] is True
    assert i["ipAllocationPolicy"] == {"clusterSecondaryRangeName": "pods", "servicesSecondaryRangeName": "services"}
    assert i["datapathProvider"] == "ADVANCED_DATAPATH"


def test_network_has_pod_and_service_ranges_and_nat(result: Preview) -> None:
    subnet = one(result.resources, "gcp:compute/subnetwork:Subnetwork")
    ranges = {r["rangeName"] for r in subnet.inputs["secondaryIpRanges"]}
    assert ranges == {"pods", "services"} and subnet.inputs["privateIpGoogleAccess"] is True
    vpc = one(result.resources, "gcp:compute/network:Network")
    assert vpc.inputs["autoCreateSubnetworks"] is False
    nat = one(result.resources, "gcp:compute/routerNat:RouterNat")
    assert nat.inputs["sourceSubnetworkIpRangesToNat"] == "ALL_SUBNETWORKS_ALL_IP_RANGES"


def test_general_pool(result: Preview) -> None:
    pool = pools(result)["general"].inputs
    config = pool["nodeConfig"]
    assert config["machineType"] == "n2-standard-4" and config["spot"] is False
    assert "guestAccelerators" not in config and "taints" not in config and "placementPolicy" not in pool
    assert pool["autoscaling"]["totalMinNodeCount"] == 2 and pool["autoscaling"]["totalMaxNodeCount"] == 6
    assert config["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
    assert config["labels"]["mlops.dev/pool"] == "general" and config["labels"]["cost-center"] == "cc-4242"


def test_gpu_pool(result: Preview) -> None:
    pool = pools(result)["gpu"].inputs
    config = pool["nodeConfig"]
    assert config["machineType"] == "g2-standard-8" and config["spot"] is True
    assert config["guestAccelerators"] == [
        {"type": "nvidia-l4", "count": 1, "gpuDriverInstallationConfig": {"gpuDriverVersion": "DEFAULT"}}]
    assert config["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}]
    assert pool["autoscaling"] == {"totalMinNodeCount": 0, "totalMaxNodeCount": 4, "locationPolicy": "ANY"}
    assert pool["initialNodeCount"] == 0


def test_tpu_pool(result: Preview) -> None:
    pool = pools(result)["tpu"].inputs
    config = pool["nodeConfig"]
    assert config["machineType"] == "ct5lp-hightpu-4t"
    assert pool["placementPolicy"] == {"type": "COMPACT", "tpuTopology": "2x2"}
    assert "guestAccelerators" not in config
    assert config["taints"] == [{"key": "google.com/tpu", "value": "present", "effect": "NO_SCHEDULE"}]
    assert pool["autoscaling"]["totalMaxNodeCount"] == 2


def test_pool_names_are_what_the_hints_select(env: ir.Environment, result: Preview) -> None:
    hints = gcp_target.TARGET.hints(env)
    by_name = pools(result)
    assert set(by_name) == {p.name for p in env.node_pools}
    for name, hint in hints.pools.items():
        assert dict(hint.node_selector)["cloud.google.com/gke-nodepool"] == by_name[name].inputs["name"]
    nodes = one(result.resources, "gcp:serviceaccount/account:Account", accountId="fraud-staging-nodes")
    assert all(p.inputs["nodeConfig"]["serviceAccount"].startswith("fraud-staging-nodes@") for p in by_name.values())
    assert nodes.inputs["project"] == "fraud-staging-123"


def test_registry(env: ir.Environment, result: Preview) -> None:
    repo = one(result.resources, "gcp:artifactregistry/repository:Repository")
    i = repo.inputs
    assert repo.protect and i["repositoryId"] == env.stack and i["format"] == "DOCKER"
    assert i["dockerConfig"] == {"immutableTags": True}
    policies = {p["id"]: p for p in i["cleanupPolicies"]}
    assert policies["keep-last-30"]["mostRecentVersions"] == {"keepCount": 30}
    assert policies["delete-beyond-keep-last"]["condition"] == {"tagState": "ANY"}
    # what the environment deploys outranks the delete policy (infra review S5)
    deployed = sorted({t for m in env.models for u in (m.artifact or "",) if u.startswith("registry://")
                       for t in (u.rsplit(":", 1)[1],)})
    assert policies["keep-deployed-tags"]["action"] == "KEEP"
    assert policies["keep-deployed-tags"]["condition"]["tagPrefixes"] == deployed
    assert i["vulnerabilityScanningConfig"] == {"enablementConfig": "INHERITED"}
    scanning = one(result.resources, "gcp:projects/service:Service", service="containerscanning.googleapis.com")
    assert scanning.inputs["service"] == "containerscanning.googleapis.com"
    assert scanning.inputs["disableOnDestroy"] is False
    assert scanning.name in repo.depends_on


def test_workload_identity(env: ir.Environment, result: Preview) -> None:
    """One Google service account per model (G8): its own KSA alone may act as it; it reads its own objects."""
    bindings = {b.inputs["member"]: b for b in of_type(result.resources, "gcp:serviceaccount/iAMMember:IAMMember")}
    for model in ("ranker", "scorer"):
        email = gcp_target.Gcp.model_service_account(env, model)
        one(result.resources, "gcp:serviceaccount/account:Account", accountId=email.split("@")[0])
        binding = bindings[f"serviceAccount:fraud-staging-123.svc.id.goog[{env.namespace}/{model}]"]
        assert binding.inputs["role"] == "roles/iam.workloadIdentityUser"
        assert binding.inputs["serviceAccountId"] == f"projects/fraud-staging-123/serviceAccounts/{email}"
        assert "fraud-staging-gke-cluster" in binding.depends_on     # the workload pool exists once the cluster does
    scorer = f"serviceAccount:{gcp_target.Gcp.model_service_account(env, 'scorer')}"
    readers = of_type(result.resources, "gcp:storage/bucketIAMMember:BucketIAMMember")
    assert {(r.inputs["bucket"], r.inputs["role"], r.inputs["member"]) for r in readers} == {
        (b, "roles/storage.objectViewer", scorer) for b in ("fraud-data", "fraud-models")}
    repo_readers = of_type(result.resources, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember")
    assert {r.inputs["member"] for r in repo_readers} == {     # only the ranker pulls from the registry
        f"serviceAccount:{gcp_target.Gcp.model_service_account(env, 'ranker')}",
        "serviceAccount:fraud-staging-nodes@fraud-staging-123.iam.gserviceaccount.com"}
    assert all(r.inputs["repository"] == env.stack and r.inputs["role"] == "roles/artifactregistry.reader"
               for r in repo_readers)


# Every GCP type the program creates, with the SDK class: the test fails when a new type appears unreviewed.
CLASSES: dict[str, Any] = {
    "gcp:compute/network:Network": gcp.compute.Network,
    "gcp:compute/subnetwork:Subnetwork": gcp.compute.Subnetwork,
    "gcp:compute/router:Router": gcp.compute.Router,
    "gcp:compute/routerNat:RouterNat": gcp.compute.RouterNat,
    "gcp:compute/firewall:Firewall": gcp.compute.Firewall,
    "gcp:container/cluster:Cluster": gcp.container.Cluster,
    "gcp:container/nodePool:NodePool": gcp.container.NodePool,
    "gcp:artifactregistry/repository:Repository": gcp.artifactregistry.Repository,
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": gcp.artifactregistry.RepositoryIamMember,
    "gcp:projects/service:Service": gcp.projects.Service,
    "gcp:projects/iAMMember:IAMMember": gcp.projects.IAMMember,
    "gcp:serviceaccount/account:Account": gcp.serviceaccount.Account,
    "gcp:serviceaccount/iAMMember:IAMMember": gcp.serviceaccount.IAMMember,
    "gcp:storage/bucketIAMMember:BucketIAMMember": gcp.storage.BucketIAMMember,
}


def test_labels_on_every_resource_that_takes_them(env: ir.Environment, result: Preview) -> None:
    expected = {"cost-center": "cc-4242", "team-example-com_owner": "risk",
                "mlops-dev_platform": "fraud", "mlops-dev_environment": "staging"}
    cloud = [r for r in result.resources if r.type.startswith("gcp:")]
    assert {r.type for r in cloud} <= set(CLASSES)
    for r in cloud:
        params = inspect.signature(CLASSES[r.type]._internal_init).parameters
        if "labels" in params:
            assert r.inputs["labels"] == expected, r.name
        elif "resource_labels" in params:
            assert r.inputs["resourceLabels"] == expected, r.name
        if r.type == "gcp:container/nodePool:NodePool":     # labels live in the node config: VM and node labels
            assert r.inputs["nodeConfig"]["resourceLabels"] == expected
            assert r.inputs["nodeConfig"]["labels"]["team.example.com/owner"] == "risk"


def test_protect_only_cluster_and_registry(result: Preview) -> None:
    assert {r.type for r in result.resources if r.protect} == {
        "gcp:container/cluster:Cluster", "gcp:artifactregistry/repository:Repository"}


def test_everything_goes_through_the_pinned_provider(result: Preview) -> None:
    provider = one(result.resources, "pulumi:providers:gcp", name="fraud-staging-gcp")
    assert provider.inputs["project"] == "fraud-staging-123" and provider.inputs["region"] == "europe-west4"
    apis = one(result.resources, "pulumi:providers:gcp", name="fraud-staging-gcp-apis")     # the APIs' own (G2)
    assert all(r.provider == (apis.name if r.name.startswith("fraud-staging-api-") else provider.name)
               for r in result.resources if r.type.startswith("gcp:"))


def test_outputs(env: ir.Environment, result: Preview) -> None:
    outputs = result.outputs
    assert outputs["kubeconfig"] == "[secret]"
    assert outputs["registryUrl"] == gcp_target.TARGET.hints(env).registry == \
        "europe-west4-docker.pkg.dev/fraud-staging-123/fraud-staging"
    assert outputs["clusterName"] == "fraud-staging"
    assert outputs["modelServiceAccounts"] == {m: gcp_target.Gcp.model_service_account(env, m)
                                               for m in ("ranker", "scorer")}


def test_addons_without_device_plugin(result: Preview) -> None:
    releases = {r.inputs["name"] for r in of_type(result.resources, "kubernetes:helm.sh/v3:Release")}
    assert "nvidia-device-plugin" not in releases and "argo-rollouts" in releases
    assert "nvidia-device-plugin" not in result.outputs["addons"]
    for release in of_type(result.resources, "kubernetes:helm.sh/v3:Release"):
        pools = {"fraud-staging-gke-general", "fraud-staging-gke-gpu", "fraud-staging-gke-tpu"}
        assert pools <= set(release.depends_on)


def test_kubeconfig_uses_the_auth_plugin() -> None:
    config = json.loads(gcp_program.kubeconfig("c1", "203.0.113.20", base64.b64encode(b"ca").decode()))
    assert config["clusters"][0]["cluster"]["server"] == "https://203.0.113.20"
    user = config["users"][0]["user"]
    assert user["exec"]["command"] == "gke-gcloud-auth-plugin" and set(user) == {"exec"}


def test_external_registry_and_no_scanning(tmp_path: Path) -> None:
    text = SPEC.replace("project: fraud-staging-123}", "project: fraud-staging-123, registry: ghcr.io/acme/ml}")
    text = text.replace("scanOnPush: true", "scanOnPush: false")
    env = environment(tmp_path, text)
    result = preview_environment(env)
    assert not of_type(result.resources, "gcp:artifactregistry/repository:Repository")
    assert not of_type(result.resources, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember")
    assert "containerscanning.googleapis.com" not in {r.inputs["service"] for r in result.resources
                                                      if r.type == "gcp:projects/service:Service"}
    assert result.outputs["registryUrl"] == gcp_target.TARGET.hints(env).registry == "ghcr.io/acme/ml"


def test_scanning_disabled(tmp_path: Path) -> None:
    result = preview_environment(environment(tmp_path, SPEC.replace("scanOnPush: true", "scanOnPush: false")))
    repo = one(result.resources, "gcp:artifactregistry/repository:Repository")
    assert repo.inputs["vulnerabilityScanningConfig"] == {"enablementConfig": "DISABLED"}
    assert "containerscanning.googleapis.com" not in {r.inputs["service"] for r in result.resources
                                                      if r.type == "gcp:projects/service:Service"}


def test_long_names_fit_gcp_limits(tmp_path: Path) -> None:
    platform, name = "fraud-detection-platform", "production-europe-west-4"     # 24 characters each, the most allowed
    text = SPEC.replace("name: fraud\n", f"name: {platform}\n").replace("staging: {target", f"{name}: {{target")
    env = environment(tmp_path, text, name)
    result = preview_environment(env)
    cluster = one(result.resources, "gcp:container/cluster:Cluster")
    assert cluster.inputs["name"] == short_name(env.stack, 40) and len(cluster.inputs["name"]) <= 40
    for account in of_type(result.resources, "gcp:serviceaccount/account:Account"):
        assert 6 <= len(account.inputs["accountId"]) <= 30
    assert gcp_target.Gcp.model_service_account(env, "scorer").split("@")[0] in {
        a.inputs["accountId"] for a in of_type(result.resources, "gcp:serviceaccount/account:Account")}
    for r in result.resources:
        if r.type.startswith("gcp:compute/"):
            assert len(r.inputs["name"]) <= 63


def test_same_input_same_graph(env: ir.Environment, result: Preview) -> None:
    again = preview_environment(env)
    assert [r.to_json() for r in again.resources] == [r.to_json() for r in result.resources]
    assert again.outputs == result.outputs


def test_trainer_account_reads_its_inputs_and_creates_only_under_the_output(tmp_path: Path) -> None:
    spec = trained_platform({"provider": "gcp", "region": "us-central1", "project": "shop-dev-4242"})
    env = helpers.environment(spec.replace("s3://", "gs://"), "dev", tmp_path)
    result = preview_environment(env)
    email = gcp_target.Gcp.model_service_account(env, "fraud-train")
    assert gcp_target.TARGET.hints(env).service_account("fraud-train") == {"iam.gke.io/gcp-service-account": email}
    one(result.resources, "gcp:serviceaccount/account:Account", accountId=email.split("@")[0])
    bound = {b.inputs["member"] for b in of_type(result.resources, "gcp:serviceaccount/iAMMember:IAMMember")}
    assert f"serviceAccount:shop-dev-4242.svc.id.goog[{env.namespace}/fraud-train]" in bound
    grants = {(g.inputs["bucket"], g.inputs["role"], g.inputs["condition"]["expression"])
              for g in of_type(result.resources, "gcp:storage/bucketIAMMember:BucketIAMMember")
              if g.inputs["member"] == f"serviceAccount:{email}"}
    assert {(b, r) for b, r, _ in grants} == {("fraud-data", "roles/storage.objectViewer"),
                                              ("fraud-models", "roles/storage.objectViewer"),
                                              ("fraud-models", "roles/storage.objectCreator")}
    assert ("fraud-models", "roles/storage.objectCreator",
            'resource.name.startsWith("projects/_/buckets/fraud-models/objects/fraud/")') in grants
    creators = {g.inputs["member"] for g in of_type(result.resources, "gcp:storage/bucketIAMMember:BucketIAMMember")
                if g.inputs["role"] == "roles/storage.objectCreator"}
    assert creators == {f"serviceAccount:{email}"}                  # the serving account never writes


def test_vector_account_only_creates_objects_under_data_live(tmp_path: Path) -> None:
    target = {"provider": "gcp", "region": "us-central1", "project": "shop-dev-4242"}
    env = helpers.environment(logged_platform(target, "gs://shop-data/"), "dev", tmp_path)
    result = preview_environment(env)
    email = gcp_target.Gcp.model_service_account(env, "vector")
    assert gcp_target.TARGET.hints(env).service_account("vector") == {"iam.gke.io/gcp-service-account": email}
    one(result.resources, "gcp:serviceaccount/account:Account", accountId=email.split("@")[0])
    binding = one(result.resources, "gcp:serviceaccount/iAMMember:IAMMember",
                  member=f"serviceAccount:shop-dev-4242.svc.id.goog[{env.namespace}/vector]")
    assert binding.inputs["role"] == "roles/iam.workloadIdentityUser"
    grants = [(g.inputs["bucket"], g.inputs["role"], g.inputs["condition"]["expression"])
              for g in of_type(result.resources, "gcp:storage/bucketIAMMember:BucketIAMMember")
              if g.inputs["member"] == f"serviceAccount:{email}"]
    assert grants == [("shop-data", "roles/storage.objectCreator",
                       'resource.name.startsWith("projects/_/buckets/shop-data/objects/live/fraud/")')]
    assert result.outputs["modelServiceAccounts"]["vector"]
