"""mlops.targets.base.helm under Pulumi mocks: cert-manager installed only for ACME, after Envoy Gateway."""

from __future__ import annotations

from pathlib import Path

from mlops.emit.infra import preview
from mlops.emit.preview import Recorded
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
