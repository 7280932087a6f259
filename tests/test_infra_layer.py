"""The infra layer: the Pulumi project files, the IR round trip through the stack config, and resources.json."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import yaml

from mlops import ir, targets
from mlops.emit import infra
from mlops.emit.yamlout import dump
from mlops.pipeline import compile_spec
from mlops.targets.base import addons

from .infra_helpers import NORTH_STAR, environment, north_star

SPEC = """
apiVersion: mlops/v1
kind: Platform
metadata: {name: tiny}
targets:
  dc: {provider: onprem, context: kind-tiny, registry: registry.local/tiny}
environments:
  dev: {target: dc}
models:
  m: {framework: sklearn, artifact: registry://m:v1, env: {TOKEN: {secretRef: {name: creds, key: token}}}}
"""


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    env = north_star("production")
    return infra.emit(env, None)  # type: ignore[arg-type]  # hints are not used by this layer


def test_project_files(files: dict[str, bytes]) -> None:
    assert sorted(files) == ["Pulumi.production.yaml", "Pulumi.yaml", "__main__.py", "resources.json"]
    project = yaml.safe_load(files["Pulumi.yaml"])
    assert project["name"] == "fraud-platform-infra" and project["runtime"] == "python"
    main = files["__main__.py"].decode()
    assert "from mlops.runtime.infra import main" in main and len(main.splitlines()) <= 5


def test_stack_config_holds_the_ir_and_provider_config(files: dict[str, bytes]) -> None:
    config = yaml.safe_load(files["Pulumi.production.yaml"])["config"]
    assert config["aws:region"] == "eu-west-1"
    assert "aws:allowedAccountIds" not in config            # the spec names no account
    assert ir.from_dict(ir.Environment, config["mlops:environment"]) == north_star("production")


@pytest.mark.parametrize("provider, expected", [
    ("aws", {"aws:region": "r1", "aws:allowedAccountIds": ["111122223333"]}),
    ("gcp", {"gcp:project": "p1", "gcp:region": "r1"}),
    ("azure", {"azure-native:location": "r1", "azure-native:subscriptionId": "s1"}),
    ("onprem", {"kubernetes:context": "c1"}),
])
def test_each_target_configures_its_default_provider(provider: str, expected: dict[str, object]) -> None:
    import dataclasses

    env = north_star("production")
    target = ir.Target(name="t", provider=provider, region="r1", project="p1", account="111122223333",
                       subscription="s1", context="c1")
    assert targets.get(provider).stack_config(dataclasses.replace(env, target=target)) == expected


def test_ir_round_trip_inline(tmp_path: Path) -> None:
    env = environment(SPEC, "dev", tmp_path)
    config = yaml.safe_load(dump(infra.stack_config(env)))["config"]
    assert config["kubernetes:context"] == "kind-tiny"
    assert ir.from_dict(ir.Environment, config["mlops:environment"]) == env
    assert ir.from_dict(ir.Environment, json.loads(json.dumps(config["mlops:environment"]))) == env


def test_resources_json_is_deterministic(files: dict[str, bytes], tmp_path: Path) -> None:
    # another environment in between: runs share one process and must not leak into each other
    infra.preview(environment(SPEC, "dev", tmp_path))
    again = infra.emit(north_star("production"), None)  # type: ignore[arg-type]
    assert again == files


def test_resources_json_shape(files: dict[str, bytes]) -> None:
    data = json.loads(files["resources.json"])
    assert data["environment"] == "production" and data["provider"] == "aws"
    assert data["instanceTypes"] == {p.name: p.instance_type for p in north_star("production").node_pools}
    keys = [(r["type"], r["name"]) for r in data["resources"]]
    assert keys == sorted(keys)
    assert all(set(r) <= {"type", "name", "parent", "protect", "provider", "dependsOn", "inputs"} for r in data["resources"])
    charts = {r["inputs"]["name"]: r["inputs"]["version"] for r in data["resources"] if r["type"] == "kubernetes:helm.sh/v3:Release"}
    assert charts == {n: addons.CHARTS[n].version for n in charts}


def test_no_secret_in_resources_json(files: dict[str, bytes]) -> None:
    text = files["resources.json"].decode()
    data = json.loads(text)
    assert data["outputs"]["kubeconfig"] == "[secret]"
    provider = next(r for r in data["resources"] if r["type"] == "pulumi:providers:kubernetes")
    assert provider["inputs"]["kubeconfig"] == "[secret]"
    ca = base64.b64encode(b"mock CA of fraud-platform-production").decode()
    for leak in ("get-token", "certificate-authority-data", ca, "client.authentication.k8s.io"):
        assert leak not in text


def test_no_absolute_paths_or_times(tmp_path: Path) -> None:
    built = compile_spec(str(NORTH_STAR), ["production"], ("infra", "workloads"))
    for path, content in built.files.items():
        text = content.decode()
        assert str(Path.cwd()) not in text and str(NORTH_STAR.parent) not in text and "/tmp/" not in text, path
    assert sorted(built.files) == sorted(f"production/{p}" for p in [
        "infra/Pulumi.production.yaml", "infra/Pulumi.yaml", "infra/__main__.py", "infra/resources.json",
        "workloads/Pulumi.production.yaml", "workloads/Pulumi.yaml", "workloads/__main__.py"])


def test_kube_prometheus_stack_values() -> None:
    prod_env = north_star()
    values = addons.values("kube-prometheus-stack", prod_env)
    assert addons.CHARTS["kube-prometheus-stack"].namespace == "monitoring"
    assert values["fullnameOverride"] == "kube-prometheus-stack"     # -> kube-prometheus-stack-prometheus.monitoring:9090
    spec = values["prometheus"]["prometheusSpec"]
    assert spec["serviceMonitorSelectorNilUsesHelmValues"] is False and spec["ruleSelectorNilUsesHelmValues"] is False
    assert values["grafana"]["sidecar"]["dashboards"]["label"] == "grafana_dashboard"
    plugins = addons.values("argo-rollouts", prod_env)["controller"]["trafficRouterPlugins"]
    assert plugins == [{"name": "argoproj-labs/gatewayAPI", "location": addons.GATEWAY_PLUGIN_URL,
                        "sha256": addons.GATEWAY_PLUGIN_SHA256}]
    assert "/releases/download/v" in addons.GATEWAY_PLUGIN_URL        # pinned, never latest


def test_a_failed_run_leaves_nothing_behind(tmp_path: Path) -> None:
    import pulumi

    from mlops.emit.preview import Setup, run

    def broken() -> None:
        out = pulumi.Output.from_input("x").apply(lambda _: {}["missing"])
        pulumi.export("broken", out)
        pulumi.ComponentResource("mlops:test:Broken", "broken", {"x": out})

    with pytest.raises(KeyError):
        run(broken, Setup("p", "s"))
    env = environment(SPEC, "dev", tmp_path)
    assert infra.preview(env) == infra.preview(env)


def test_a_run_under_a_disabled_collector_collects_its_cycles_and_leaves_it_as_it_was(tmp_path: Path) -> None:
    """`mlops` turns the cyclic collector off for batch commands; the Pulumi run turns it on for itself."""
    import gc

    env = environment(SPEC, "dev", tmp_path)
    expected = infra.preview(env)
    thresholds = gc.get_threshold()
    gc.disable()
    try:
        assert infra.preview(env) == expected
        assert not gc.isenabled() and gc.get_threshold() == thresholds and gc.get_freeze_count() == 0
    finally:
        gc.enable()
