"""`mlops init`: the starter spec validates, the workflows are valid GitHub Actions (checked against the
workflow JSON Schema by check-jsonschema), jobs follow promotion order, and nothing is overwritten unasked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mlops.gitops.plan.report import MARKER
from mlops.init.scaffold import HOOK
from tests.support import ROOT
from tests.support.cli import run

WORKFLOWS = tuple(f".github/workflows/mlops-{w}.yml" for w in ("plan", "apply", "drift"))
CHECK_JSONSCHEMA = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]


def check_workflows(folder: Path) -> None:
    done = subprocess.run([*CHECK_JSONSCHEMA, *(str(folder / w) for w in WORKFLOWS)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_init_writes_a_valid_starter_and_valid_workflows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "Fraud_Team repo"
    repo.mkdir()
    code, out, _ = run(capsys, "init", str(repo), "--package", "mlops-compiler==0.1.0")
    written = ("mlops.yaml", "mlops.schema.json", *WORKFLOWS, ".pre-commit-config.yaml", ".gitignore")
    assert code == 0 and out.splitlines() == [f"written: {p}" for p in written]
    assert run(capsys, "validate", str(repo / "mlops.yaml"))[0] == 0
    assert yaml.safe_load((repo / "mlops.yaml").read_text())["metadata"]["name"] == "fraud-team-repo"
    check_workflows(repo)
    plan = yaml.safe_load((repo / WORKFLOWS[0]).read_text())
    steps = plan["jobs"]["plan"]["steps"]
    assert plan["on"] == {"pull_request": {}} and plan["permissions"]["pull-requests"] == "write"
    assert steps[0] == {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}
    assert 'mlops plan "$MLOPS_SPEC" --base "origin/$BASE_REF" --format markdown --detailed-exitcode' in steps[4]["run"]
    assert steps[5]["uses"] == "actions/github-script@v7" and steps[5]["env"]["MARKER"] == MARKER
    assert "updateComment" in steps[5]["with"]["script"] and "createComment" in steps[5]["with"]["script"]
    apply = yaml.safe_load((repo / WORKFLOWS[1]).read_text())
    assert list(apply["jobs"]) == ["apply-dev"] and apply["jobs"]["apply-dev"]["environment"] == "dev"
    hooks = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    assert hooks == {"repos": [{"repo": "local", "hooks": [HOOK]}]}


def test_the_apply_workflow_follows_promotion_order_with_approval_through_github_environments(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = (ROOT / "examples" / "north-star" / "mlops.yaml").read_text()
    (tmp_path / "mlops.yaml").write_text(spec)
    code, out, _ = run(capsys, "init", str(tmp_path), "--package", "mlops-compiler==0.1.0")
    assert code == 0 and out.splitlines()[0] == "kept: mlops.yaml"
    assert (tmp_path / "mlops.yaml").read_text() == spec
    check_workflows(tmp_path)
    text = (tmp_path / WORKFLOWS[1]).read_text()
    assert "Settings -> Environments -> <environment> -> Required reviewers" in text
    jobs = yaml.safe_load(text)["jobs"]
    assert list(jobs) == ["apply-staging", "apply-production"]
    staging, production = jobs["apply-staging"], jobs["apply-production"]
    assert production["needs"] == ["apply-staging"] and "needs" not in staging
    assert production["environment"] == "production"
    assert production["name"] == "apply production (needs a reviewer's approval)"
    assert staging["steps"][4]["uses"] == "google-github-actions/auth@v2"
    assert production["steps"][4]["with"] == {"role-to-assume": "${{ vars.AWS_ROLE_ARN }}", "aws-region": "eu-west-1"}
    last = production["steps"][-1]
    assert last["run"] == 'mlops apply "$MLOPS_SPEC" --env "$MLOPS_ENV" --yes --base "$BEFORE"'
    assert last["env"]["BEFORE"] == "${{ github.event.before }}" and last["env"]["MLOPS_ENV"] == "production"
    assert staging["steps"][-1]["run"] == 'mlops apply "$MLOPS_SPEC" --env "$MLOPS_ENV" --yes'


def test_existing_files_are_refused_unless_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n")
    code, _, err = run(capsys, "init", str(tmp_path))
    assert code == 1 and err == "mlops: nothing written: .pre-commit-config.yaml exists (--force overwrites them)\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".pre-commit-config.yaml"]
    code, out, _ = run(capsys, "init", str(tmp_path), "--force")
    assert code == 0 and "overwritten: .pre-commit-config.yaml" in out


def test_an_invalid_existing_spec_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mlops.yaml").write_text("apiVersion: mlops/v1\nkind: Platform\n")
    code, out, err = run(capsys, "init", str(tmp_path))
    assert code == 1 and ": error: " in out and "nothing written" in err
    assert [p.name for p in tmp_path.iterdir()] == ["mlops.yaml"]


def test_this_projects_ci_workflow_is_valid_too() -> None:
    done = subprocess.run([*CHECK_JSONSCHEMA, str(ROOT / ".github" / "workflows" / "ci.yml")], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_init_creates_a_missing_folder_and_refuses_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mlops.cli import main

    assert main(["init", str(tmp_path / "new" / "repo")]) == 0
    assert (tmp_path / "new" / "repo" / "mlops.yaml").is_file()
    (tmp_path / "file").write_text("x")
    assert main(["init", str(tmp_path / "file")]) == 2
    assert capsys.readouterr().err.endswith("exists and is not a folder\n")
