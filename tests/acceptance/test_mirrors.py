"""A target with registry mirrors and pull secrets (`targets.<t>.images`): the loop spec with both set on its AWS
and GCP targets, compiled; the wiring rules of mirrors hold, and each catches its edge cut."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mlops.targets.base import addons
from tests.support.k8s_schemas import validate_objects

from . import wiring_mirrors
from .wiring_build import ROOT, Build, _compiled, _load, scratch

# The rules whose cuts are here (test_wiring_negative checks every rule has some).
MIRROR_CUTS = ("images-mirrored", "pull-secrets")
IMAGES = """    images:
      mirrors: {docker.io: harbor.dc1.example.com/dockerhub, nvcr.io: harbor.dc1.example.com/nvcr,
                ghcr.io: harbor.dc1.example.com/ghcr, quay.io: harbor.dc1.example.com/quay,
                registry.k8s.io: harbor.dc1.example.com/k8s}
      pullSecrets: [harbor-pull]
      rolloutsGatewayPlugin: https://nexus.dc1.example.com/repository/raw/gatewayapi-plugin-linux-amd64
"""
RELEASE = wiring_mirrors.RELEASE


def mirrored_loop() -> str:
    text = (ROOT / "examples" / "loop" / "mlops.yaml").read_text(encoding="utf-8")
    text = text.replace("    region: eu-central-1\n", "    region: eu-central-1\n" + IMAGES, 1)
    return text.replace("    project: fraud-staging-123\n", "    project: fraud-staging-123\n" + IMAGES, 1)


def built(env: str) -> Build:
    environment, objects, resources = _load(_compiled("loop-mirrored", mirrored_loop(), (env,), str(scratch())), env)
    return Build("loop-mirrored", environment, objects, resources, resources)


@pytest.fixture(scope="module", params=["production", "staging"])
def b(request: pytest.FixtureRequest) -> Build:
    return built(request.param)


def _images(b: Build) -> list[str]:
    return [c["image"] for _, spec in wiring_mirrors._pod_specs(b)
            for c in [*spec.get("initContainers", []), *spec.get("containers", [])]]


def test_rules_hold(b: Build) -> None:
    assert not [*wiring_mirrors.images_mirrored(b), *wiring_mirrors.pull_secrets(b), *wiring_mirrors.rollouts_plugin(b)]


def test_the_rollouts_plugin_comes_from_the_mirror(b: Build) -> None:
    [plugin] = _release(b, "argo-rollouts")["controller"]["trafficRouterPlugins"]
    assert plugin == {"name": "argoproj-labs/gatewayAPI", "sha256": addons.GATEWAY_PLUGIN_SHA256,
                      "location": "https://nexus.dc1.example.com/repository/raw/gatewayapi-plugin-linux-amd64"}
    cut = copy.deepcopy(b)
    [plugin] = _release(cut, "argo-rollouts")["controller"]["trafficRouterPlugins"]
    plugin["location"] = addons.GATEWAY_PLUGIN_URL                         # the edge cut: github.com after all
    [violation] = wiring_mirrors.rollouts_plugin(cut)
    assert violation.rule == "rollouts-plugin" and "github.com" in str(violation)


def test_pinned_images_pulled_through_the_mirror(b: Build) -> None:
    images = _images(b)
    assert "harbor.dc1.example.com/dockerhub/kserve/storage-initializer:v0.15.2" in images
    assert "harbor.dc1.example.com/dockerhub/seldonio/mlserver:1.7.1" in images
    assert "harbor.dc1.example.com/nvcr/nvidia/tritonserver:25.01-py3" in images
    assert any(i.startswith("harbor.dc1.example.com/ghcr/mlops-compiler/mlops-jobs:") for i in images)
    assert not any(re.match(r"(docker\.io|nvcr\.io|ghcr\.io)/", i) for i in images)


def test_users_images_untouched() -> None:
    images = _images(built("staging"))
    assert "europe-west4-docker.pkg.dev/fraud-staging-123/fraud-platform-staging/fraud-trainer:2026.11" in images


def test_every_account_pulls_with_the_secret(b: Build) -> None:
    for account in b.of_kind("ServiceAccount"):
        assert account["imagePullSecrets"] == [{"name": "harbor-pull"}]


def test_mirrored_objects_validate(b: Build) -> None:
    """The EnvoyProxy and Issuer fields the mirrors add are fields of their CRDs."""
    changed = [o for o in b.objects if o["kind"] in ("EnvoyProxy", "Issuer")]
    assert changed and not validate_objects(changed, b.env.kubernetes_version)


def test_addons_pull_through_the_mirrors(b: Build) -> None:
    values = {r["inputs"]["name"]: r["inputs"]["values"] for r in b.typed(RELEASE, cluster=True)}
    stack = values["kube-prometheus-stack"]
    assert stack["grafana"]["image"] == {"registry": "harbor.dc1.example.com/dockerhub"}
    assert stack["kube-state-metrics"]["image"] == {"registry": "harbor.dc1.example.com/k8s"}
    patch = stack["prometheusOperator"]["admissionWebhooks"]["patch"]
    assert patch["image"] == {"registry": "harbor.dc1.example.com/k8s"}
    assert stack["global"]["imagePullSecrets"] == [{"name": "harbor-pull"}]
    assert values["cert-manager"]["imageRegistry"] == "harbor.dc1.example.com/quay"
    assert values["envoy-gateway"]["global"]["images"]["envoyGateway"]["image"] == \
        "harbor.dc1.example.com/dockerhub/envoyproxy/gateway:v1.5.2"
    if b.env.name == "production":     # EKS: the autoscaler, and the device plugin for the GPU pool
        assert values["cluster-autoscaler"]["image"] == {
            "repository": "harbor.dc1.example.com/k8s/autoscaling/cluster-autoscaler",
            "tag": values["cluster-autoscaler"]["image"]["tag"], "pullSecrets": ["harbor-pull"]}
        assert values["nvidia-device-plugin"]["image"] == {
            "repository": "harbor.dc1.example.com/nvcr/nvidia/k8s-device-plugin"}


def _release(b: Build, chart: str) -> dict[str, Any]:
    return next(r["inputs"]["values"] for r in b.typed(RELEASE, cluster=True) if r["inputs"]["name"] == chart)


# Each add-on edge cut: (what is cut, the rule that must see it).
ADDON_CUTS = {
    "a subchart image key": (lambda b: _release(b, "kube-prometheus-stack")["grafana"].pop("sidecar"),
                             "images-mirrored"),
    "a chart's registry": (lambda b: _release(b, "cert-manager").pop("imageRegistry"), "images-mirrored"),
    "the proxies' image": (lambda b: [p["spec"]["provider"]["kubernetes"]["envoyDeployment"].pop("container")
                                      for p in b.of_kind("EnvoyProxy")], "images-mirrored"),
    "a chart no table knows": (lambda b: next(r for r in b.typed(RELEASE, cluster=True)
                                              if r["inputs"]["name"] == "keda")["inputs"].update(name="new-chart"),
                               "images-mirrored"),
    "a chart's pull secrets": (lambda b: _release(b, "kube-prometheus-stack")["global"].pop("imagePullSecrets"),
                               "pull-secrets"),
    "the proxies' pull secrets": (lambda b: [p["spec"]["provider"]["kubernetes"]["envoyDeployment"].pop("pod")
                                             for p in b.of_kind("EnvoyProxy")], "pull-secrets"),
    "the solver's pull secrets": (lambda b: [s["http01"]["gatewayHTTPRoute"].pop("podTemplate")
                                             for i in b.of_kind("Issuer") for s in i["spec"]["acme"]["solvers"]],
                                  "pull-secrets"),
}


@pytest.mark.parametrize("cut", sorted(ADDON_CUTS))
def test_addon_edge_cut_is_caught(b: Build, cut: str) -> None:
    broken = copy.deepcopy(b)
    change, rule = ADDON_CUTS[cut]
    change(broken)
    found = {v.rule for v in [*wiring_mirrors.images_mirrored(broken), *wiring_mirrors.pull_secrets(broken)]}
    assert found == {rule}


def test_unmirrored_image_is_caught(b: Build) -> None:
    cut = copy.deepcopy(b)
    deployment = next(o for o in cut.objects if o["kind"] in ("Deployment", "Rollout"))
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["image"] = "docker.io/seldonio/mlserver:1.7.1"
    found = [v.rule for v in wiring_mirrors.images_mirrored(cut)]
    assert found == ["images-mirrored"]


def test_unmirrored_workflow_image_is_caught() -> None:
    cut = copy.deepcopy(built("staging"))
    template = next(o for o in cut.objects if o["kind"] == "WorkflowTemplate")
    step = next(t for t in template["spec"]["templates"] if t.get("container", {}).get("image", "").startswith(
        "harbor.dc1.example.com/ghcr/"))
    step["container"]["image"] = step["container"]["image"].replace("harbor.dc1.example.com/ghcr", "ghcr.io")
    assert [v.rule for v in wiring_mirrors.images_mirrored(cut)] == ["images-mirrored"]


def test_missing_pull_secret_is_caught(b: Build) -> None:
    cut = copy.deepcopy(b)
    for account in cut.of_kind("ServiceAccount"):
        del account["imagePullSecrets"]
    assert {v.rule for v in wiring_mirrors.pull_secrets(cut)} == {"pull-secrets"}


def test_no_mirror_no_change() -> None:
    text = (ROOT / "examples" / "loop" / "mlops.yaml").read_text(encoding="utf-8")
    environment, objects, _ = _load(_compiled("loop", text, ("production",), str(scratch())), "production")
    assert environment.target.mirrors == () and environment.target.pull_secrets == ()
    assert not any("imagePullSecrets" in o for o in objects)


def test_unused_mirror_and_unproxied_pin_are_warnings(tmp_path: Path) -> None:
    text = mirrored_loop().replace("k8s.io: harbor.dc1.example.com/k8s}", "k8s.io: harbor.dc1.example.com/k8s,\n"
                                   "                gcr.io: harbor.dc1.example.com/gcr}", 1)
    text = text.replace("    runtime:\n      args: [--max-model-len=8192",
                        "    runtime:\n      image: registry.example.com/vllm/vllm-openai:v0.12.1\n"
                        "      args: [--max-model-len=8192", 1)
    spec = tmp_path / "mlops.yaml"
    spec.write_text(text, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "mlops", "validate", str(spec)], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stderr
    unused = "warning: no image mlops emits or installs for this environment is on gcr.io: the mirror is unused"
    unproxied = ("warning: runtime.image registry.example.com/vllm/vllm-openai:v0.12.1 is on registry.example.com, "
                 "which targets.aws-prod.images.mirrors does not proxy: the cluster pulls it from there directly")
    assert unused in run.stdout and unproxied in run.stdout, run.stdout
