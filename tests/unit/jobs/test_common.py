"""The shared pieces: reading table folders, the metrics push (against a local Pushgateway stand-in), exit codes,
and every program answering `python -m` with one line and exit 2 on bad input."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import pandas as pd
import pytest

from mlops.jobs import common

PROGRAMS = ("datacheck", "gate", "drift", "fairness", "explain")


def test_a_folder_of_mixed_files_is_one_table(tmp_path: Path) -> None:
    pd.DataFrame({"a": [1, 2]}).to_parquet(tmp_path / "x.parquet")
    pd.DataFrame({"a": [3]}).to_csv(tmp_path / "y.csv", index=False)
    (tmp_path / "d=1").mkdir()
    with gzip.open(tmp_path / "d=1" / "1700000000-u.log.gz", "wt") as f:
        f.write('{"a": 4}\n{"a": 5, "b": "x"}\n')
    (tmp_path / "z.jsonl").write_text('{"a": 6}\n')
    (tmp_path / "_SUCCESS").write_text("")
    (tmp_path / ".hidden.csv").write_text("a\n99\n")
    frame = common.read_table(tmp_path)
    assert sorted(frame["a"].tolist()) == [1, 2, 3, 4, 5, 6] and "b" in frame.columns


def _empty(path: Path) -> Path:
    path.write_text("")
    return path


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p, "{p}: no .parquet, .csv, .jsonl, .ndjson, .json, .log file (optionally .gz) in this folder"),
    (lambda p: p / "nope", "{p}/nope: no such file or folder"),
    (lambda p: _empty(p / "t.csv"), "{p}/t.csv: cannot read it as .csv: No columns to parse from file"),
])
def test_unreadable_tables_are_bad_input(tmp_path: Path, make, message: str) -> None:
    with pytest.raises(common.BadInput) as caught:
        common.read_table(make(tmp_path))
    assert str(caught.value) == message.format(p=tmp_path)


def test_the_push_is_a_put_of_the_exposition_text(pushgateway) -> None:
    metrics = common.Metrics("mlops-drift")
    metrics.set("mlops_drift_score", "The largest drift distance.", 0.25)
    metrics.set("mlops_drift_feature_score", "A column's score.", 0.25, feature='we"ird\\name')
    metrics.set("mlops_drift_feature_score", "A column's score.", float("nan"), feature="skipped")
    assert metrics.push(pushgateway.url, "fraud-scorer", "fraud-platform-staging")
    method, path, body = pushgateway.requests[0]
    assert (method, path) == ("PUT", "/metrics/job/mlops-drift/model/fraud-scorer/namespace/fraud-platform-staging")
    assert "# TYPE mlops_drift_score gauge\nmlops_drift_score 0.25\n" in body
    assert 'mlops_drift_feature_score{feature="we\\"ird\\\\name"} 0.25' in body and "skipped" not in body


def test_a_failed_push_is_exit_3_unless_the_check_failed(pushgateway, capsys: pytest.CaptureFixture[str]) -> None:
    pushgateway.status = 500
    pushed = common.Metrics("mlops-gate").push(pushgateway.url, "m", "ns")
    assert not pushed and "mlops-gate: could not push metrics to " in capsys.readouterr().err
    args = Namespace(exit_zero=False)
    assert (common.outcome(args, True, pushed), common.outcome(args, False, pushed)) == (3, 1)
    assert common.outcome(Namespace(exit_zero=True), False, True) == 0


def test_reports_are_json_without_nan(tmp_path: Path) -> None:
    import numpy as np

    common.write_reports(tmp_path, {"b": np.float64("nan"), "a": (np.int64(1), 0.5)}, "# hi")
    assert json.loads((tmp_path / "report.json").read_text()) == {"a": [1, 0.5], "b": None}
    assert (tmp_path / "report.md").read_text() == "# hi\n"


@pytest.mark.parametrize("program", PROGRAMS)
def test_python_m_runs_each_program_and_bad_input_is_one_line(program: str, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", f"mlops.jobs.{program}", "--out", str(tmp_path), "--bogus"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"mlops.jobs.{program}: error: ") and done.stderr.count("\n") == 1


def test_the_package_imports_nothing_heavy_to_answer_help() -> None:
    code = ("import sys; from mlops.jobs import gate, drift, fairness, explain, datacheck; "
            "heavy = ('pandas', 'evidently', 'shap', 'datacontract', 'fairlearn'); "
            "print(sorted(m for m in heavy if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"
