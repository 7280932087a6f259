"""`mlops drift`: `pulumi refresh --preview-only` of an environment's stacks through the Automation API (a fake of
it here), drift being any operation but `same`; and the scheduled workflow `mlops init` writes around it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi import automation

from mlops.gitops import drift
from mlops.gitops.stacks import AutomationStacks, PulumiUnavailable
from mlops.init import workflows
from mlops.init.install import Install
from mlops.pipeline import environments
from mlops.spec.load import load
from tests.support import ROOT
from tests.support.cli import run
from tests.support.fakes import FakeAutomation, FakeStack

QUICKSTART = ROOT / "examples" / "quickstart" / "mlops.yaml"
NORTH_STAR = ROOT / "examples" / "north-star" / "mlops.yaml"


class RefreshingStack(FakeStack):
    def preview_refresh(self, on_output: Callable[[str], None] | None = None, show_secrets: bool = True) -> Any:
        assert show_secrets is False                        # the report may become an issue
        self.auto.calls.append(("refresh", self.work_dir.name, self.name))
        for line in ("Previewing refresh (dev):", "    ~ kubernetes:apps/v1:Deployment iris updated"):
            (on_output or print)(line)
        return automation.PreviewResult("", "", self.auto.summaries.get(self.work_dir.name, {}))


class Refreshing(FakeAutomation):
    def _stack(self, stack_name: str, work_dir: str, opts: Any) -> FakeStack:
        super()._stack(stack_name, work_dir, opts)
        return RefreshingStack(self, stack_name, Path(work_dir))


def detect(tmp_path: Path, auto: FakeAutomation) -> drift.Drift:
    return drift.detect(str(QUICKSTART), "dev", tmp_path / "build", AutomationStacks(auto), lambda: None)


def test_no_drift_when_every_resource_is_the_same(tmp_path: Path) -> None:
    auto = Refreshing()
    auto.summaries = {"infra": {automation.OpType.SAME: 7}, "workloads": {automation.OpType.SAME: 13}}
    found = detect(tmp_path, auto)
    assert not found.drifted and auto.calls == [("refresh", "infra", "dev"), ("refresh", "workloads", "dev")]
    assert drift.as_text(found) == "dev: no drift\n  infra: no drift\n  workloads: no drift\n"
    assert (tmp_path / "build" / "dev" / "infra" / "Pulumi.dev.yaml").is_file()


def test_a_changed_or_deleted_resource_is_drift(tmp_path: Path) -> None:
    auto = Refreshing()
    op = automation.OpType
    auto.summaries = {"infra": {op.SAME: 7}, "workloads": {op.SAME: 11, op.UPDATE: 1, op.DELETE: 1}}
    found = detect(tmp_path, auto)
    assert found.drifted and found.layers[1].drifted == {"delete": 1, "update": 1}
    body = drift.as_markdown(found)
    assert body.startswith("<!-- mlops-drift:dev -->\n### mlops drift: dev has drifted\n")
    assert "- workloads: 1 to delete, 1 to update" in body and "kubernetes:apps/v1:Deployment iris updated" in body


def test_a_stack_never_applied_is_said_so_and_not_drift(tmp_path: Path) -> None:
    auto = Refreshing()
    auto.existing = set()
    found = detect(tmp_path, auto)
    assert not found.drifted and [layer.summary for layer in found.layers] == [None]
    assert "infra: no stack yet (never applied)" in drift.as_text(found)


def test_without_the_pulumi_cli_nothing_runs(tmp_path: Path) -> None:
    with pytest.raises(PulumiUnavailable, match="cannot look for drift in dev: no pulumi"):
        drift.detect(str(QUICKSTART), "dev", tmp_path, AutomationStacks(Refreshing()), lambda: "no pulumi")


def test_the_command_exits_2_on_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    auto = Refreshing()
    auto.summaries = {"infra": {automation.OpType.UPDATE: 1}}
    monkeypatch.setattr("mlops.gitops.stacks.AutomationStacks", lambda: AutomationStacks(auto))
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/local/bin/{name}")
    monkeypatch.setenv("PULUMI_BACKEND_URL", "file:///tmp/state")
    code, out, _ = run(capsys, "drift", str(QUICKSTART), "--env", "dev", "--out", str(tmp_path),
                       "--detailed-exitcode")
    assert code == 2 and out.startswith("dev: drift found\n  infra: 1 to update")


def test_an_unknown_environment_is_exit_1_with_detailed_exitcode_since_2_means_drift(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "drift", str(QUICKSTART), "--env", "nope", "--out", str(tmp_path),
                       "--detailed-exitcode")
    assert code == 1 and err == "mlops: unknown environment 'nope': expected one of dev\n"
    assert not tmp_path.joinpath("dev").exists()


def test_the_stack_settings_pulumi_keeps_survive(tmp_path: Path) -> None:
    settings = tmp_path / "build" / "dev" / "infra" / "Pulumi.dev.yaml"
    settings.parent.mkdir(parents=True)
    settings.write_text("encryptionsalt: v1:abc:def\nconfig:\n  team:token:\n    secure: v1:AAAA\n")
    auto = Refreshing()
    detect(tmp_path, auto)
    kept = yaml.safe_load(settings.read_text())
    assert kept["encryptionsalt"] == "v1:abc:def" and kept["config"]["team:token"] == {"secure": "v1:AAAA"}


def test_the_drift_workflow_runs_each_environment_with_its_extra_and_reports_one_issue() -> None:
    envs = environments(load(str(NORTH_STAR)))[0]
    workflow = workflows.drift_workflow(envs, "mlops.yaml", Install(version="0.1.0"))
    workflows.verify(workflow, Install(version="0.1.0"))
    assert workflow["on"] == {"schedule": [{"cron": workflows.DRIFT_SCHEDULE}], "workflow_dispatch": {}}
    assert workflow["permissions"] == {"contents": "read", "id-token": "write", "issues": "write"}
    assert list(workflow["jobs"]) == ["drift-staging", "drift-production"]
    production = workflow["jobs"]["drift-production"]
    assert "environment" not in production                 # an approval would hold a scheduled job every day
    assert workflow["concurrency"] == {"group": "mlops-drift", "cancel-in-progress": False}   # never cancels an apply
    steps = {s.get("name", s.get("uses")): s for s in production["steps"]}
    install = next(s for s in production["steps"] if "MLOPS_PACKAGE" in s.get("env", {}))
    assert install["env"]["MLOPS_PACKAGE"] == "mlops-compiler[aws]==0.1.0"
    # outside the GitHub environment, each environment's credentials have their own repository names
    assert steps["production credentials (repository variables and secrets ending in _PRODUCTION)"]["with"] == {
        "role-to-assume": "${{ vars.AWS_ROLE_ARN_PRODUCTION }}", "aws-region": "eu-west-1"}
    staging = {s.get("name"): s for s in workflow["jobs"]["drift-staging"]["steps"]}
    assert staging["staging credentials (repository variables and secrets ending in _STAGING)"]["with"] == {
        "workload_identity_provider": "${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER_STAGING }}",
        "service_account": "${{ vars.GCP_SERVICE_ACCOUNT_STAGING }}"}
    look = steps["Look for drift in production"]
    assert 'mlops drift "$MLOPS_SPEC" --env "$MLOPS_ENV" --format markdown --detailed-exitcode' in look["run"]
    issue = steps["Open, update or close the drift issue"]
    assert issue["env"]["MARKER"] == "<!-- mlops-drift:production -->"
    assert "issues.create" in issue["with"]["script"] and "state: 'closed'" in issue["with"]["script"]
    assert steps["Fail on drift or error"]["if"] == "steps.drift.outputs.exitcode != '0'"
    assert yaml.safe_load(yaml.safe_dump(workflow)) == workflow
