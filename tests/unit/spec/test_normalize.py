"""mlops.spec.normalize: overrides applied, defaults filled, instance types picked (the round trip:
ir/test_codec.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mlops import ir
from mlops.errors import SpecError
from mlops.spec.defaults import DEFAULTS, SCHEMA
from mlops.spec.load import load, parse
from mlops.spec.normalize import normalize
from tests.support import ROOT

NORTH_STAR = load(str(ROOT / "examples" / "north-star" / "mlops.yaml"))


def model(env: ir.Environment, name: str) -> ir.Model:
    return next(m for m in env.models if m.name == name)


def test_overrides_apply_only_to_their_environment() -> None:
    staging, production = normalize(NORTH_STAR, "staging"), normalize(NORTH_STAR, "production")
    assert model(staging, "fraud-scorer").scaling.max == 3
    assert model(production, "fraud-scorer").scaling.max == 20
    assert model(staging, "fraud-scorer").scaling.min == 2


def test_north_star_environments() -> None:
    staging, production = normalize(NORTH_STAR, "staging"), normalize(NORTH_STAR, "production")
    assert (staging.target.provider, production.target.provider) == ("gcp", "aws")
    assert staging.namespace == "fraud-platform-staging"
    assert production.promotion_from == "staging" and production.require_approval
    assert staging.labels == (("cost-center", "cc-4242"),)
    pools = {p.name: p for p in production.node_pools}
    assert pools["gpu"].instance_type == "g5.2xlarge"            # no L4 in eu-west-1: the stated equivalent
    assert pools["gpu"].instance_accelerator == "nvidia-a10g"
    assert pools["gpu"].spot and (pools["gpu"].min, pools["gpu"].max) == (0, 4)
    assert {p.name: p.instance_type for p in staging.node_pools} == {"general": "n2-standard-4", "gpu": "g2-standard-8"}


def test_rollouts_are_fully_described() -> None:
    production = normalize(NORTH_STAR, "production")
    canary = model(production, "fraud-scorer").rollout
    assert (canary.strategy, canary.steps, canary.interval_seconds) == ("canary", (10, 30, 60), 300)
    assert canary.analysis == ir.Analysis(max_error_rate=0.01, max_latency_p99_ms=250)
    ab = model(production, "ranker").rollout
    assert [(v.name, v.artifact, v.weight) for v in ab.variants] == [
        ("control", "registry://ranker:v3", 80), ("treatment", "registry://ranker:v4", 20)]
    shadow = model(production, "embedder").rollout
    assert (shadow.candidate, shadow.mirror_percent) == ("registry://embedder:v3", 25)
    assert model(production, "ranker").accelerator == "nvidia-a10g"
    assert model(production, "embedder").resources == ir.Resources(cpu="2", memory="8Gi", gpu=0)


def test_defaults_are_filled() -> None:
    source = parse("""apiVersion: mlops/v1
kind: Platform
metadata: {name: p}
targets: {t: {provider: onprem, context: c}}
environments: {dev: {target: t}}
models: {m: {framework: onnx, artifact: "gs://bucket/m"}}
""", "mlops.yaml")
    env = normalize(source, "dev")
    only = env.models[0]
    assert env.kubernetes_version == "1.35" and env.registry == ir.Registry(True, True, 50, None)
    assert only.scaling == ir.Scaling(min=1, max=3, metric="cpu", target=70.0)
    assert only.resources == ir.Resources(cpu="1", memory="2Gi", gpu=0)
    assert only.rollout == ir.Rollout(strategy="rolling")


def _schema_defaults() -> dict[str, Any]:
    """Every `default` keyword of the published schema, by JSON Pointer."""
    schema = json.loads((ROOT / "schemas" / "mlops.schema.json").read_text())
    found: dict[str, Any] = {}

    def walk(node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            if "default" in node:
                found[pointer] = node["default"]
            for key, sub in node.items():
                walk(sub, f"{pointer}/{key}" if pointer else key)
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{pointer}/{i}")

    walk(schema, "")
    return found


def test_published_defaults_are_the_ones_applied() -> None:
    published = _schema_defaults()
    claimed: dict[str, Any] = {}
    for name, where in SCHEMA.items():
        if isinstance(where, dict):
            claimed.update({pointer: DEFAULTS[name][key] for key, pointer in where.items()})
        else:
            claimed[where] = DEFAULTS[name]
    assert claimed == published


def test_a_pool_that_fits_nothing_is_a_located_error_at_normalize_too() -> None:
    source = parse("""apiVersion: mlops/v1
kind: Platform
metadata: {name: p}
targets: {t: {provider: azure, region: westeurope}}
environments: {dev: {target: t}}
cluster: {nodePools: {big: {machine: {cpu: 4, memory: 9000Gi}}}}
models: {m: {framework: onnx, artifact: "gs://bucket/m"}}
""", "mlops.yaml")
    with pytest.raises(SpecError) as error:
        normalize(source, "dev")
    assert error.value.diagnostics[0].text().startswith(
        "mlops.yaml:6:38: error: no azure CPU-only instance type has 4 vCPU and 9000 GiB; the largest is")


def test_jobs_image_is_this_release_unless_the_target_names_a_copy() -> None:
    import mlops

    release = f"ghcr.io/mlops-compiler/mlops-jobs:{mlops.__version__}"
    assert normalize(NORTH_STAR, "staging").target.jobs_image == release
    text = (ROOT / "examples" / "north-star" / "mlops.yaml").read_text(encoding="utf-8")
    mirrored = text.replace("    region: eu-west-1\n",
                            "    region: eu-west-1\n    images: {jobs: harbor.example.com/proxy/mlops-jobs:0.1.0}\n", 1)
    assert mirrored != text
    env = normalize(parse(mirrored, "mlops.yaml"), "production")
    assert env.target.jobs_image == "harbor.example.com/proxy/mlops-jobs:0.1.0"


def test_the_package_version_is_the_distribution_version() -> None:
    from importlib.metadata import version

    import mlops

    assert version(mlops.DISTRIBUTION) == mlops.__version__
