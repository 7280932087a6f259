"""Which run `mlops propose` calls the newest: the gate's `run_started` when its report has it, else report.json's
mtime (reports from before `--run-started` still load)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from mlops.gitops.propose import candidates

OUTPUT = "s3://fraud-models/fraud-scorer/"


def report(root: Path, run: str, mtime: int, started: str | None = None) -> None:
    folder = root / "fraud-scorer" / run
    folder.mkdir(parents=True)
    body = {"verdict": "pass", "failures": [], "candidate": {"name": f"{OUTPUT}{run}/model/"}}
    if started is not None:
        body["run_started"] = started
    (folder / "report.json").write_text(json.dumps(body))
    (folder / "report.md").write_text("## Gate: the candidate passes\n")
    os.utime(folder / "report.json", (mtime, mtime))


def test_run_started_wins_over_mtime(tmp_path: Path) -> None:
    report(tmp_path, "late-start", 1_000, "2026-12-01T10:00:00+00:00")
    report(tmp_path, "early-start", 2_000, "2026-11-01T10:00:00Z")     # copied later, started earlier
    passing, _ = candidates.scan(tmp_path, "fraud-scorer", OUTPUT)
    chosen = candidates.newest(passing)
    assert chosen is not None and chosen.run == "late-start"


def test_an_old_report_without_it_goes_by_mtime(tmp_path: Path) -> None:
    report(tmp_path, "older", 1_000)
    report(tmp_path, "newer", 2_000)
    report(tmp_path, "bad-stamp", 3_000, "yesterday")                  # not a time: its mtime counts
    passing, rejected = candidates.scan(tmp_path, "fraud-scorer", OUTPUT)
    assert not rejected and [c.started_ns for c in passing] == [None, None, None]
    chosen = candidates.newest(passing)
    assert chosen is not None and chosen.run == "bad-stamp"
    assert candidates.started("2026-12-01T10:00:00Z") == 1_796_119_200 * 1_000_000_000
    assert candidates.started("2026-12-01T10:00:00") is None            # no offset: not a point in time
