"""Recompiling keeps a stack's own settings (issue: "stacks that keep their secrets"): `mlops compile` and
`mlops apply` merge into the `Pulumi.<env>.yaml` already in the output folder. The encryption salt Pulumi wrote
and a secret set with `pulumi config set --secret` survive; a target switched to another provider drops the old
provider's keys; a file that is not stack settings stops the compile before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support import ROOT
from tests.support.cli import run

NORTH_STAR = (ROOT / "examples" / "north-star" / "mlops.yaml").read_text(encoding="utf-8")
SALT = "v1:4JBFrfYL1uQ=:v1:l8WwC6xGUd3Tlsyf:8s6lQk2l7DnPSnp9vL4TKL8gj7sVHw=="   # the shape Pulumi writes
SECRET = {"secure": "v1:AAABAE0WPVW1RZmrK6bFyIG9mD1vNj/4H5i8Q2aEgYQ="}


# production reads s3:// (its artifacts, its drift baseline): on GCP through a Secret (rule stores)
S3_READER = "    project: fraud-staging-123\n    storageCredentials: {s3: {secretRef: {name: fraud-data-aws-reader}}}\n"


def compile_(capsys: pytest.CaptureFixture[str], spec: Path, out: Path) -> tuple[int, str]:
    code, _, err = run(capsys, "compile", str(spec), "--out", str(out), "--env", "production")
    return code, err


def settings(path: Path) -> dict[str, object]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_a_recompile_keeps_the_salt_and_a_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec, out = tmp_path / "mlops.yaml", tmp_path / "build"
    spec.write_text(NORTH_STAR, encoding="utf-8")
    assert compile_(capsys, spec, out)[0] == 0
    infra = out / "production" / "infra" / "Pulumi.production.yaml"
    workloads = out / "production" / "workloads" / "Pulumi.production.yaml"
    fresh = settings(infra)
    # What `pulumi stack init --secrets-provider passphrase` and `pulumi config set --secret` leave in the file.
    config = {**fresh["config"], "fraud-platform-infra:webhook": SECRET, "aws:profile": "ops"}  # type: ignore[dict-item]
    infra.write_text(yaml.safe_dump({"encryptionsalt": SALT, "config": config}), encoding="utf-8")
    workloads.write_text(yaml.safe_dump({"encryptionsalt": SALT, **settings(workloads)}), encoding="utf-8")
    spec.write_text(NORTH_STAR.replace("registry://ranker:v4", "registry://ranker:v5"), encoding="utf-8")
    assert compile_(capsys, spec, out)[0] == 0
    kept = settings(infra)
    assert kept["encryptionsalt"] == SALT and settings(workloads)["encryptionsalt"] == SALT
    config = kept["config"]
    assert config["fraud-platform-infra:webhook"] == SECRET and config["aws:profile"] == "ops"
    assert config["aws:region"] == "eu-west-1" and "ranker:v5" in str(config["mlops:environment"])
    again = infra.read_bytes()
    assert compile_(capsys, spec, out)[0] == 0 and infra.read_bytes() == again     # same input, same bytes


def test_a_provider_switch_drops_the_old_providers_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec, out = tmp_path / "mlops.yaml", tmp_path / "build"
    spec.write_text(NORTH_STAR, encoding="utf-8")
    assert compile_(capsys, spec, out)[0] == 0
    infra = out / "production" / "infra" / "Pulumi.production.yaml"
    infra.write_text(infra.read_text(encoding="utf-8") + f"encryptionsalt: {SALT}\n", encoding="utf-8")
    switched = NORTH_STAR.replace("    target: aws-prod", "    target: gcp-staging")
    spec.write_text(switched.replace("    project: fraud-staging-123\n", S3_READER, 1), encoding="utf-8")
    assert compile_(capsys, spec, out)[0] == 0
    config = settings(infra)["config"]
    assert isinstance(config, dict) and "aws:region" not in config
    assert config["gcp:project"] == "fraud-staging-123" and settings(infra)["encryptionsalt"] == SALT


def test_a_broken_settings_file_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec, out = tmp_path / "mlops.yaml", tmp_path / "build"
    spec.write_text(NORTH_STAR, encoding="utf-8")
    assert compile_(capsys, spec, out)[0] == 0
    infra = out / "production" / "infra" / "Pulumi.production.yaml"
    infra.write_text("config: [\n", encoding="utf-8")
    manifests = sorted((out / "production" / "manifests").iterdir())
    spec.write_text(NORTH_STAR.replace("registry://ranker:v4", "registry://ranker:v5"), encoding="utf-8")
    code, err = compile_(capsys, spec, out)
    assert code == 1 and f"nothing written: cannot keep the stack settings in {infra}: it is not YAML" in err
    assert infra.read_text(encoding="utf-8") == "config: [\n"
    assert sorted((out / "production" / "manifests").iterdir()) == manifests
    assert "ranker:v5" not in (out / "production" / "manifests" / "deployment-ranker-treatment.yaml").read_text()


def test_apply_keeps_them_too(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    from mlops.gitops import watch
    from mlops.gitops.stacks import AutomationStacks
    from tests.support.fakes import FakeAppsV1Api, FakeAutomation, FakeCustomObjectsApi, Script, deployment, serialize

    auto, script = FakeAutomation(), Script({"iris": [deployment("iris")]})
    monkeypatch.setattr("mlops.gitops.stacks.AutomationStacks", lambda: AutomationStacks(auto))
    cluster = watch.KubeCluster(FakeCustomObjectsApi(script), FakeAppsV1Api(script), serialize)
    monkeypatch.setattr("mlops.gitops.watch.connect", lambda _outputs: cluster)
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/local/bin/{name}")
    monkeypatch.setenv("PULUMI_BACKEND_URL", "file:///tmp/state")
    spec, out = tmp_path / "mlops.yaml", tmp_path / "build"
    spec.write_text((ROOT / "examples" / "quickstart" / "mlops.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    stack = out / "dev" / "infra" / "Pulumi.dev.yaml"
    stack.parent.mkdir(parents=True)
    stack.write_text(f"encryptionsalt: {SALT}\nconfig:\n  quickstart-infra:token: {{secure: v1:abc}}\n")
    code, _, err = run(capsys, "apply", str(spec), "--env", "dev", "--yes", "--out", str(out))
    assert code == 0, err
    kept = settings(stack)
    assert kept["encryptionsalt"] == SALT and kept["config"]["quickstart-infra:token"] == {"secure": "v1:abc"}  # type: ignore[index]
