"""The north-star spec with its production target switched aws -> gcp -> azure -> onprem: only `infra/` and what the
target hints decide may change. Every layer this branch can emit is compared; manifests are compared with the
hint-driven fields (registry host, node selectors, tolerations, identity annotations and labels, load balancer
annotations) blanked out, everything else byte for byte. And the dev environment of a one-target copy moved
between clouds keeps every model's rollout, routing, scaling and monitoring objects whole."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlops import targets
from mlops.emit import LAYERS
from mlops.pipeline import compile_spec
from mlops.targets import Hints
from tests.support import NORTH_STAR
from tests.support.specs import manifests

TARGETS = {
    "aws": "aws-prod",
    "gcp": "gcp-staging",
    "azure": "azure-prod",
    "onprem": "dc1",
}
AZURE_TARGET = "  azure-prod:\n    provider: azure\n    region: westeurope\n"
S3_CREDENTIALS = "    storageCredentials: {s3: {secretRef: {name: fraud-data-aws-reader}}}\n"
S3_READER = {"s3": {"secretRef": {"name": "fraud-data-aws-reader"}}}


def layers() -> tuple[str, ...]:
    return tuple(layer for layer in LAYERS if importlib.util.find_spec(f"mlops.emit.{layer}") is not None)


def spec_for(provider: str, tmp_path: Path) -> Path:
    text = NORTH_STAR.read_text(encoding="utf-8")
    text = text.replace("targets:                            # WHERE",
                        "targets:\n" + AZURE_TARGET + "                                    # WHERE", 1)
    marker = "  production:\n    target: aws-prod"
    assert marker in text
    text = text.replace(marker, f"  production:\n    target: {TARGETS[provider]}")
    for name in TARGETS.values():   # production reads s3://: every target reads it with one Secret, so pods compare
        text = text.replace(f"\n  {name}:\n", f"\n  {name}:\n{S3_CREDENTIALS}", 1)
    path = tmp_path / provider / "mlops.yaml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return path


def blank_hints(value: Any, hints: Hints) -> Any:
    """`value` with what the target hints decide replaced by placeholders."""
    annotation_keys = {k for k, _ in hints.service_account_annotations + hints.gateway_annotations}
    annotation_keys |= {k for pairs in hints.model_service_account_annotations.values() for k, _ in pairs}
    label_keys = {k for k, _ in hints.pod_labels}
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "infrastructure":
                continue  # a Gateway's infrastructure holds only the load balancer hints, absent where there are none
            if key == "except":
                continue  # an ipBlock's exceptions are the link-local addresses the target keeps pods from
            if key in ("nodeSelector", "tolerations"):
                out[key] = "<hint>"
            elif key == "annotations" and isinstance(item, dict):
                out[key] = {k: ("<hint>" if k in annotation_keys else blank_hints(v, hints)) for k, v in item.items()
                            if k not in annotation_keys} or None
            elif key == "labels" and isinstance(item, dict):
                out[key] = {k: blank_hints(v, hints) for k, v in item.items() if k not in label_keys}
            else:
                out[key] = blank_hints(item, hints)
        return out
    if isinstance(value, list):
        return [blank_hints(v, hints) for v in value]
    if isinstance(value, str) and hints.registry and hints.registry in value:
        return value.replace(hints.registry, "<registry>")
    return value


def comparable(path: str, content: bytes, hints: Hints) -> Any:
    if path.split("/")[1] != "manifests" or not path.endswith((".yaml", ".yml")):
        return content
    return [blank_hints(doc, hints) for doc in yaml.safe_load_all(content)]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out = {}
    for provider in TARGETS:
        build = compile_spec(str(spec_for(provider, tmp_path_factory.mktemp("switch"))), ["production"], layers())
        env = build.environments[0]
        assert env.target.provider == provider
        hints = targets.get(provider).hints(env)
        out[provider] = {"files": build.files, "hints": hints}
    return out


def test_outside_infra_nothing_changes(builds: dict[str, dict[str, Any]]) -> None:
    reference = builds["aws"]
    outside = sorted(p for p in reference["files"] if not p.startswith("production/infra/"))
    assert outside, "no layer outside infra/ was compiled"
    for provider, build in builds.items():
        paths = sorted(p for p in build["files"] if not p.startswith("production/infra/"))
        assert paths == outside, provider
        for path in paths:
            assert comparable(path, build["files"][path], build["hints"]) == \
                comparable(path, reference["files"][path], reference["hints"]), f"{provider}: {path}"


def test_infra_is_what_changes(builds: dict[str, dict[str, Any]]) -> None:
    stacks = {p: b["files"]["production/infra/resources.json"] for p, b in builds.items()}
    assert len(set(stacks.values())) == len(stacks)
    for provider, build in builds.items():
        assert sorted(p for p in build["files"] if p.startswith("production/infra/")) == [
            "production/infra/Pulumi.production.yaml", "production/infra/Pulumi.yaml",
            "production/infra/__main__.py", "production/infra/resources.json"], provider
        assert build["files"]["production/infra/__main__.py"] == builds["aws"]["files"]["production/infra/__main__.py"]
        assert build["files"]["production/infra/Pulumi.yaml"] == builds["aws"]["files"]["production/infra/Pulumi.yaml"]


def test_switching_is_deterministic(builds: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    again = compile_spec(str(spec_for("gcp", tmp_path)), ["production"], layers())
    assert again.files == builds["gcp"]["files"]


def test_only_hint_fields_are_blanked() -> None:
    hints = Hints(registry="1.dkr.ecr.eu-west-1.amazonaws.com/p", service_account_annotations=(("iam.gke.io/x", "sa"),),
                  pod_labels=(("azure.workload.identity/use", "true"),))
    pod = {"metadata": {"labels": {"app": "m", "azure.workload.identity/use": "true"},
                        "annotations": {"iam.gke.io/x": "sa", "keep": "1"}},
           "spec": {"nodeSelector": {"a": "b"}, "tolerations": [{"key": "k"}],
                    "containers": [{"image": "1.dkr.ecr.eu-west-1.amazonaws.com/p/m:v1", "args": ["--port", "8080"]}]}}
    assert blank_hints(pod, hints) == {
        "metadata": {"labels": {"app": "m"}, "annotations": {"keep": "1"}},
        "spec": {"nodeSelector": "<hint>", "tolerations": "<hint>",
                 "containers": [{"image": "<registry>/m:v1", "args": ["--port", "8080"]}]}}


# --- one dev target moved between clouds: the manifests outside the hints are equal --------------------------

SAME_EVERYWHERE = ("HTTPRoute", "ScaledObject", "HorizontalPodAutoscaler", "PodDisruptionBudget", "PrometheusRule",
                   "AnalysisTemplate", "ServiceMonitor", "NetworkPolicy", "Service", "ConfigMap")
DEV_TARGETS = {
    "aws": {"provider": "aws", "region": "us-east-1"},
    "gcp": {"provider": "gcp", "region": "us-central1", "project": "fraud-staging-123"},
    "azure": {"provider": "azure", "region": "eastus"},
}


def north_star_on(provider: str) -> dict[str, object]:
    doc = yaml.safe_load(NORTH_STAR.read_text())
    doc["targets"] = {"t": {**DEV_TARGETS[provider], "storageCredentials": S3_READER}}   # (as above)
    doc["environments"] = {"dev": {"target": "t"}}
    return doc  # type: ignore[no-any-return]


def without_except(value: Any) -> Any:
    """`value` without ipBlock exceptions: the link-local addresses a target keeps pods from (AKS: IMDS) are its own."""
    if isinstance(value, dict):
        return {k: without_except(v) for k, v in value.items() if k != "except"}
    return [without_except(v) for v in value] if isinstance(value, list) else value


@pytest.mark.parametrize("provider", ["aws", "azure"])
def test_only_hints_change_with_the_provider(tmp_path: Path, provider: str) -> None:
    base, other = manifests(tmp_path, north_star_on("gcp")), manifests(tmp_path, north_star_on(provider))
    assert set(base) == set(other)
    for name, obj in base.items():
        if obj.get("kind") in SAME_EVERYWHERE:
            assert without_except(other[name]) == without_except(obj), name
        if obj.get("kind") in ("Deployment", "Rollout"):
            assert other[name]["spec"]["strategy"] == obj["spec"]["strategy"], name
            server = other[name]["spec"]["template"]["spec"]["containers"][0]
            assert server == obj["spec"]["template"]["spec"]["containers"][0], name
        if obj.get("kind") == "CronJob":
            pod = obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
            assert other[name]["spec"]["jobTemplate"]["spec"]["template"]["spec"] == pod, name
