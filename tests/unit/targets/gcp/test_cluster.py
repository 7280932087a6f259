"""The GKE program under Pulumi mocks, finding by finding of the infra review (G1/M7, G2, G3, G7, G8, G9): the inputs
that fix each one, on the recorded resource graph."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from mlops.emit.infra import preview
from mlops.targets import gcp as gcp_target
from tests.support import ROOT
from tests.support.infra_helpers import environment, of_type, one

CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
READER = "gcp:storage/bucketIAMMember:BucketIAMMember"


def spec(region: str = "us-central1", api_access: str = "{allowedCidrs: [203.0.113.0/24]}") -> str:
    return "\n".join([
        "apiVersion: mlops/v1", "kind: Platform", "metadata: {name: shop}",
        "targets:", f"  prod: {{provider: gcp, region: {region}, project: shop-123456}}",
        "environments:", "  live: {target: prod}", "cluster:", f"  apiAccess: {api_access}", "  nodePools:",
        "    cpu: {machine: {cpu: 4, memory: 16Gi}}",
        "    l4: {machine: {cpu: 8, memory: 32Gi}, accelerator: {type: nvidia-l4}, scaling: {min: 0, max: 2}}",
        *(["    tpu: {machine: {cpu: 100, memory: 128Gi}, accelerator: {type: tpu-v5e, count: 4}, "
           "scaling: {min: 0, max: 1}}"] if region == "us-central1" else []),
        "models:",
        "  churn: {framework: sklearn, artifact: gs://shop-models/churn/v3/,"
        " monitoring: {drift: {baseline: gs://shop-data/train.parquet}}}",
        "  rank: {framework: pytorch, artifact: registry://rank:v1, nodePool: l4,"
        " resources: {cpu: '4', memory: 16Gi, gpu: 1}}",
        "  whole: {framework: sklearn, artifact: gs://shop-whole}", ""])


def graph(tmp_path: Path, text: str) -> list[Any]:
    return preview(environment(text, "live", tmp_path))


def pools(resources: list[Any]) -> dict[str, dict[str, Any]]:
    return {p.inputs["name"]: p.inputs for p in of_type(resources, NODE_POOL)}


def test_g1_accelerator_pools_are_placed_in_the_zones_that_offer_them(tmp_path: Path) -> None:
    found = pools(graph(tmp_path, spec()))
    assert found["tpu"]["nodeLocations"] == ["us-central1-a"]              # TPU v5e: us-central1-a only
    assert found["l4"]["nodeLocations"] == ["us-central1-a", "us-central1-b", "us-central1-c"]   # no L4 in -f
    assert "nodeLocations" not in found["cpu"]                              # CPU pools follow the cluster


def test_g1_l4_in_us_east4_stays_in_its_one_zone(tmp_path: Path) -> None:
    assert pools(graph(tmp_path, spec("us-east4")))["l4"]["nodeLocations"] == ["us-east4-a"]


def test_g2_the_apis_a_fresh_project_needs_come_first(tmp_path: Path) -> None:
    resources = graph(tmp_path, spec())
    apis = {s.inputs["service"]: s for s in of_type(resources, "gcp:projects/service:Service")}
    assert {"compute.googleapis.com", "container.googleapis.com", "artifactregistry.googleapis.com",
            "iam.googleapis.com", "iamcredentials.googleapis.com", "cloudresourcemanager.googleapis.com"} <= set(apis)
    assert all(s.inputs["disableOnDestroy"] is False for s in apis.values())
    provider = one(resources, "pulumi:providers:gcp", name="shop-live-gcp")
    assert {apis[a].name for a in apis if a != "containerscanning.googleapis.com"} <= set(provider.depends_on)
    # everything but the APIs goes through the provider that waits for them
    assert {r.provider for r in resources if r.type.startswith("gcp:") and r.type != "gcp:projects/service:Service"} \
        == {"shop-live-gcp"}


def test_g3_the_temporary_default_pool_runs_as_the_nodes_service_account(tmp_path: Path) -> None:
    cluster = one(graph(tmp_path, spec()), CLUSTER)
    assert cluster.inputs["removeDefaultNodePool"] is True
    assert cluster.inputs["nodeConfig"]["serviceAccount"] == "shop-live-nodes@shop-123456.iam.gserviceaccount.com"


@pytest.mark.parametrize(("access", "private", "blocks"), [
    ("{allowedCidrs: [203.0.113.0/24]}", False, [{"cidrBlock": "203.0.113.0/24",
                                                  "displayName": "cluster.apiAccess.allowedCidrs[0]"}]),
    ("{allowedCidrs: []}", True, []),
])
def test_g7_the_control_plane_admits_only_the_allowed_networks(tmp_path: Path, access: str, private: bool,
                                                              blocks: list[dict[str, str]]) -> None:
    cluster = one(graph(tmp_path, spec(api_access=access)), CLUSTER).inputs
    assert cluster["privateClusterConfig"] == {"enablePrivateNodes": True, "enablePrivateEndpoint": private}
    networks = cluster["masterAuthorizedNetworksConfig"]
    assert networks["gcpPublicCidrsAccessEnabled"] is False and networks.get("cidrBlocks") == blocks


def test_g8_each_model_has_its_own_service_account_reading_only_its_objects(tmp_path: Path) -> None:
    env = environment(spec(), "live", tmp_path)
    resources = preview(env)
    accounts = {a.inputs["accountId"] for a in of_type(resources, "gcp:serviceaccount/account:Account")}
    assert {gcp_target.Gcp.model_service_account(env, m).split("@")[0] for m in ("churn", "rank", "whole")} <= accounts
    churn = f"serviceAccount:{gcp_target.Gcp.model_service_account(env, 'churn')}"
    grants = {(r.inputs["bucket"], r.inputs.get("condition", {}).get("expression")) for r in of_type(resources, READER)
              if r.inputs["member"] == churn}
    assert grants == {
        ("shop-models", 'resource.name == "projects/_/buckets/shop-models" || '
                        'resource.name.startsWith("projects/_/buckets/shop-models/objects/churn/v3/")'),
        ("shop-data", 'resource.name == "projects/_/buckets/shop-data" || '
                      'resource.name.startsWith("projects/_/buckets/shop-data/objects/train.parquet")'),
        # the drift job's live inputs, beside the baseline (mlops.ir.serving.drift_inputs)
        ("shop-data", 'resource.name == "projects/_/buckets/shop-data" || '
                      'resource.name.startsWith("projects/_/buckets/shop-data/objects/live/churn/")')}
    whole = f"serviceAccount:{gcp_target.Gcp.model_service_account(env, 'whole')}"
    [bucket] = [r.inputs for r in of_type(resources, READER) if r.inputs["member"] == whole]
    assert bucket["bucket"] == "shop-whole" and "condition" not in bucket              # the bucket form: all of it
    # the annotation each model's ServiceAccount carries names its own account
    hints = gcp_target.TARGET.hints(env)
    assert hints.service_account("rank") == {"iam.gke.io/gcp-service-account":
                                             gcp_target.Gcp.model_service_account(env, "rank")}


def test_g9_the_sdk_floor_is_a_release_that_accepts_psc_private_nodes() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert "pulumi-gcp>=10.2,<11" in extras["gcp"]


def test_a_pool_running_a_model_with_disk_gets_a_boot_disk_that_holds_it(tmp_path: Path) -> None:
    # rank's registry:// image is on disk three times (compressed layers, unpacked image, copy: GKE's layer
    # handling is unpublished, targets/base/disks.py): (3 x 100 + 41) / 0.9 = 378.9
    text = spec().replace("resources: {cpu: '4', memory: 16Gi, gpu: 1}", "resources: {cpu: '4', memory: 16Gi, gpu: 1, "
                                                                         "disk: 100Gi}")
    found = pools(graph(tmp_path, text))
    assert found["l4"]["nodeConfig"]["diskSizeGb"] == 379
    assert "diskSizeGb" not in found["cpu"]["nodeConfig"]          # GKE's default
