"""mlops.targets.base.helm under Pulumi mocks: cert-manager installed only for ACME, after Envoy Gateway; the Rollouts
plugin from a mirror keeps its pinned digest."""

from __future__ import annotations

from pathlib import Path

from mlops.emit.infra import preview
from mlops.emit.preview import Recorded
from mlops.targets.base import addons
from tests.support.infra_helpers import environment, of_type

SPEC = """
apiVersion: mlops/v1
kind: Platform
metadata: {name: lab}
targets:
  dc: {provider: onprem, context: dc1-admin, registry: harbor.dc1.example.com/ml}
environments:
  dev: {target: dc}
GATEWAY
models:
  m: {framework: sklearn, artifact: registry://m:v1, endpoint: {host: m.example.com}}
"""


def _releases(tmp_path: Path, gateway: str) -> dict[str, Recorded]:
    graph = preview(environment(SPEC.replace("GATEWAY", gateway), "dev", tmp_path))
    return {r.inputs["name"]: r for r in of_type(graph, "kubernetes:helm.sh/v3:Release")}


def test_acme_installs_cert_manager_after_envoy_gateway(tmp_path: Path) -> None:
    releases = _releases(tmp_path, "gateway: {tls: {acme: {email: ops@example.com}}}")
    cert_manager = releases["cert-manager"]
    assert cert_manager.inputs["version"] == "v1.21.1"
    assert "lab-dev-addons-envoy-gateway" in cert_manager.depends_on


def test_no_cert_manager_without_acme(tmp_path: Path) -> None:
    assert "cert-manager" not in _releases(tmp_path, "gateway: {tls: {secretRef: {name: lab-cert}}}")
    (tmp_path / "none").mkdir()
    assert "cert-manager" not in _releases(tmp_path / "none", "")


def test_argo_workflows_release_where_a_model_trains(tmp_path: Path) -> None:
    training = SPEC.replace("GATEWAY\n", "").replace(
        "registry: harbor.dc1.example.com/ml}",
        "registry: harbor.dc1.example.com/ml, storageCredentials: {s3: {secretRef: {name: s3-reader}}}}").replace(
        "endpoint: {host: m.example.com}}", """endpoint: {host: m.example.com},
      data: {training: s3://data-lake/train/, holdout: s3://data-lake/h.parquet, label: y},
      training: {environment: dev, image: registry://trainer:1, command: [python, train.py],
                 resources: {cpu: "1", memory: 2Gi}, timeout: 1h, output: s3://data-lake/out/}}""")
    graph = preview(environment(training, "dev", tmp_path))
    releases = {r.inputs["name"]: r for r in of_type(graph, "kubernetes:helm.sh/v3:Release")}
    workflows = releases["argo-workflows"]
    assert (workflows.inputs["version"], workflows.inputs["namespace"]) == ("1.0.18", "argo")
    assert workflows.inputs["values"]["controller"]["workflowNamespaces"] == ["lab-dev"]
    (tmp_path / "none").mkdir()
    assert "argo-workflows" not in _releases(tmp_path / "none", "")     # no model trains there


MIRROR = "https://nexus.dc1.example.com/repository/raw/gatewayapi-plugin/v0.17.0/gatewayapi-plugin-linux-amd64"


def test_the_rollouts_plugin_comes_from_the_mirror_with_the_pinned_digest(tmp_path: Path) -> None:
    mirrored = SPEC.replace("registry: harbor.dc1.example.com/ml}",
                            f"registry: harbor.dc1.example.com/ml, images: {{rolloutsGatewayPlugin: {MIRROR}}}}}")
    graph = preview(environment(mirrored.replace("GATEWAY\n", ""), "dev", tmp_path))
    rollouts = {r.inputs["name"]: r for r in of_type(graph, "kubernetes:helm.sh/v3:Release")}["argo-rollouts"]
    assert rollouts.inputs["values"]["controller"]["trafficRouterPlugins"] == [
        {"name": "argoproj-labs/gatewayAPI", "location": MIRROR, "sha256": addons.GATEWAY_PLUGIN_SHA256}]
    (tmp_path / "none").mkdir()
    [plugin] = _releases(tmp_path / "none", "")["argo-rollouts"].inputs["values"]["controller"]["trafficRouterPlugins"]
    assert plugin["location"] == addons.GATEWAY_PLUGIN_URL             # without the setting: the release asset
