"""`mlops plan` where a target's Pulumi SDK (its pip extra) is missing: manifests, cost and the gate are still
planned; the infrastructure of that environment is not diffed at all (never against an empty graph), and the
plan says so in every format, naming the extra."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops import targets
from tests.support import ROOT
from tests.support.cli import run
from tests.support.gitrepo import Repo

NORTH_STAR = (ROOT / "examples" / "north-star" / "mlops.yaml").read_text(encoding="utf-8")


@pytest.fixture
def without(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Providers to pretend have no SDK installed."""
    gone: set[str] = set()
    real = targets.missing_sdk
    monkeypatch.setattr(targets, "missing_sdk", lambda p: ("pulumi_" + p,) if p in gone else real(p))
    return gone


# production reads s3:// (its artifacts, its drift baseline): on GCP through a Secret (rule stores)
S3_READER = "    project: fraud-staging-123\n    storageCredentials: {s3: {secretRef: {name: fraud-data-aws-reader}}}\n"


def plan(capsys: pytest.CaptureFixture[str], repo: Repo, fmt: str) -> tuple[int, str]:
    code, out, _ = run(capsys, "plan", str(repo.spec), "--base", "HEAD", "--format", fmt, "--detailed-exitcode")
    return code, out


def test_an_environment_without_its_sdk_is_planned_without_infra(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], without: set[str]) -> None:
    repo = Repo(tmp_path, NORTH_STAR)
    without.add("aws")
    repo.edit("scaling: {min: 0, max: 4}", "scaling: {min: 0, max: 5}")     # the gpu node pool: infra only
    code, out = plan(capsys, repo, "json")
    data = json.loads(out)
    production = next(e for e in data["environments"] if e["name"] == "production")
    staging = next(e for e in data["environments"] if e["name"] == "staging")
    assert code == 2 and production["status"] == "changed"
    assert production["infra"]["previewed"] is False and production["infra"]["changes"] == []
    assert "pip install 'mlops-compiler[aws]'" in production["infra"]["note"]
    assert staging["infra"]["previewed"] is True and staging["infra"]["changes"]
    code, out = plan(capsys, repo, "text")
    assert out.splitlines()[1].startswith("NOT PREVIEWED production: the Pulumi SDK of aws is not installed")


def test_a_provider_switch_to_a_missing_sdk_shows_no_phantom_removals(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], without: set[str]) -> None:
    repo = Repo(tmp_path, NORTH_STAR)
    without.add("gcp")
    switched = repo.spec.read_text(encoding="utf-8").replace("target: aws-prod", "target: gcp-staging", 1)
    repo.write(switched.replace("    project: fraud-staging-123\n", S3_READER, 1))
    code, out = plan(capsys, repo, "json")
    production = next(e for e in json.loads(out)["environments"] if e["name"] == "production")
    assert production["infra"] == {"changes": [], "counts": {"add": 0, "remove": 0, "replace": 0, "update": 0},
                                   "note": production["infra"]["note"], "previewed": False}
    assert production["destructive"] == [] and "gcp" in production["infra"]["note"]
    code, out = plan(capsys, repo, "markdown")
    summary = out.split("<details>", 1)[0]
    assert "> **Infrastructure not previewed** (production, staging)" in summary
    assert "`pip install 'mlops-compiler[gcp]'`" in summary
