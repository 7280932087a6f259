"""mlops.emit.infra: the infra layer, the Pulumi project files, the IR round trip through the stack config, and
resources.json."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import yaml

from mlops import ir
from mlops.emit import infra
from mlops.emit.yamlout import dump
from mlops.pipeline import compile_spec
from mlops.targets.base import addons
from tests.support import NORTH_STAR
from tests.support.infra_helpers import TINY_ONPREM as SPEC
from tests.support.infra_helpers import environment, north_star


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
    fields = {"type", "name", "parent", "protect", "provider", "dependsOn", "inputs"}
    assert all(set(r) <= fields for r in data["resources"])
    charts = {r["inputs"]["name"]: r["inputs"]["version"] for r in data["resources"]
              if r["type"] == "kubernetes:helm.sh/v3:Release"}
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
