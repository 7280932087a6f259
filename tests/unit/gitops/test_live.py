"""mlops.gitops.live: `plan --live`, a Pulumi preview of each stack (against a fake Automation API)."""

from __future__ import annotations

from pathlib import Path

from pulumi.automation import OpType

from mlops.gitops import live
from mlops.gitops.stacks import AutomationStacks
from tests.support import QUICKSTART
from tests.support.fakes import FakeAutomation, command_error


def test_live_preview_reports_each_stack(tmp_path: Path) -> None:
    spec = tmp_path / "mlops.yaml"
    spec.write_text(QUICKSTART.read_text(encoding="utf-8"))
    auto = FakeAutomation()
    auto.summaries = {"infra": {OpType.UPDATE: 1, OpType.SAME: 8}, "workloads": {"create": 2, "same": 20}}
    result = live.preview(str(spec), ["dev"], AutomationStacks(auto), missing=lambda: None)
    assert result == live.Live(("live preview of dev infra (pulumi): 1 to update",
                                "live preview of dev workloads (pulumi): 2 to create"), False)
    auto.existing = set()
    assert live.preview(str(spec), ["dev"], AutomationStacks(auto), missing=lambda: None).notes == (
        "live preview of dev infra (pulumi): no stack dev yet, everything would be created",)
    auto.existing, auto.fail["infra"] = {"infra"}, command_error("error: could not find AWS credentials")
    assert live.preview(str(spec), ["dev"], AutomationStacks(auto), missing=lambda: None) == live.Live(
        ("live preview of dev infra (pulumi) failed: pulumi preview of infra (dev) failed: error: could not find "
         "AWS credentials",), True)
    assert ("up", "infra", "dev") not in auto.calls
