"""The onprem program under Pulumi mocks: no cloud resources, add-ons through the named kubeconfig context."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from mlops.emit.infra import preview
from mlops.emit.preview import preview_environment
from mlops.targets.base import addons
from tests.support import NORTH_STAR
from tests.support.infra_helpers import environment, north_star, of_type, one

QUICKSTART = NORTH_STAR.parent.parent / "quickstart" / "mlops.yaml"

SPEC = """
apiVersion: mlops/v1
kind: Platform
metadata: {name: lab, labels: {owner-team: ml}}
targets:
  dc: {provider: onprem, context: dc1-admin, registry: harbor.dc1.example.com/ml}
environments:
  dev: {target: dc}
cluster:
  nodePools:
    gpu:
      machine: {cpu: 8, memory: 32Gi}
      accelerator: {type: nvidia-l4}
models:
  m: {framework: sklearn, artifact: registry://m:v1}
"""


def test_no_cloud_resources(tmp_path: Path) -> None:
    graph = preview(environment(SPEC, "dev", tmp_path))
    # random: Grafana's generated admin password, a value in the stack's state, no cloud resource
    assert {r.type.split(":")[0] for r in graph} == {"kubernetes", "mlops", "pulumi", "random"}
    assert {r.type for r in graph if r.type.startswith("pulumi:")} == {"pulumi:providers:kubernetes"}


def test_addons_go_to_the_named_context(tmp_path: Path) -> None:
    env = environment(SPEC, "dev", tmp_path)
    graph = preview(env)
    provider = one(graph, "pulumi:providers:kubernetes")
    assert provider.inputs == {"context": "dc1-admin", "enableServerSideApply": True}
    releases = {r.inputs["name"]: r for r in of_type(graph, "kubernetes:helm.sh/v3:Release")}
    assert sorted(releases) == sorted([*addons.BASE, "nvidia-device-plugin"])
    assert all(r.provider == provider.name and r.inputs["version"] == addons.CHARTS[n].version
               for n, r in releases.items())
    assert all(r.protect is False for r in graph)


def test_gateway_class_and_labels(tmp_path: Path) -> None:
    graph = preview(environment(SPEC, "dev", tmp_path))
    gateway_class = one(graph, "kubernetes:gateway.networking.k8s.io/v1:GatewayClass")
    assert gateway_class.inputs["metadata"]["name"] == addons.GATEWAY_CLASS
    assert gateway_class.inputs["metadata"]["labels"] == {"owner-team": "ml", "mlops.dev/platform": "lab",
                                                          "mlops.dev/environment": "dev"}
    assert gateway_class.inputs["spec"] == {"controllerName": "gateway.envoyproxy.io/gatewayclass-controller"}
    assert "lab-dev-addons-envoy-gateway" in gateway_class.depends_on


def test_exports_registry_and_context(tmp_path: Path) -> None:
    outputs = preview_environment(environment(SPEC, "dev", tmp_path)).outputs
    assert outputs["registryUrl"] == "harbor.dc1.example.com/ml"
    assert outputs["kubeContext"] == "dc1-admin"


def test_quickstart_compiles_without_registry() -> None:
    from mlops.spec.load import load
    from mlops.spec.normalize import normalize

    env = normalize(load(str(QUICKSTART)), "dev")
    outputs = preview_environment(env).outputs
    assert outputs["kubeContext"] == "kind-mlops" and outputs["registryUrl"] is None


def test_north_star_switched_to_onprem() -> None:
    env = north_star("production")
    onprem = dataclasses.replace(env, target=dataclasses.replace(env.target, provider="onprem", context="dc1-admin",
                                                                 registry="harbor.dc1.example.com/ml"))
    graph = preview(onprem)
    assert not [r for r in graph if r.type.startswith("aws:")]
    # + the device plugin (a gpu pool)
    assert len(of_type(graph, "kubernetes:helm.sh/v3:Release")) == len(addons.BASE) + 1
