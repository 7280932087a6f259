"""`mlops report` end to end: the Markdown and JSON it prints for the loop spec, and its exit codes (the status
logic against a fake Prometheus: tests/unit/gitops/test_report.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import ROOT
from tests.support.cli import run

LOOP = str(ROOT / "examples" / "loop" / "mlops.yaml")


def test_markdown_lists_every_environment_and_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "report", LOOP)
    assert code == 0 and err == ""
    assert out.startswith("# Platform report\n")
    assert "## fraud-platform — production" in out and "## fraud-platform — staging" in out
    for model in ("assistant", "embedder", "fraud-scorer", "ranker"):
        assert out.count(f"| {model} |") == 2


def test_json_for_one_environment(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "report", LOOP, "--env", "production", "--format", "json")
    data = json.loads(out)
    assert code == 0 and [e["environment"] for e in data["environments"]] == ["production"]
    assert data["environments"][0]["monthly"]["currency"] == "USD"


def test_an_unreachable_prometheus_still_reports(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "report", LOOP, "--env", "staging", "--prometheus", "http://127.0.0.1:9",
                       "--timeout", "2")
    assert code == 0 and "status: unknown: Prometheus at http://127.0.0.1:9 did not answer" in out


def test_an_unknown_environment_is_usage(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "report", LOOP, "--env", "qa")
    assert code == 2 and "qa" in err


def test_an_invalid_spec_is_located(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "mlops.yaml"
    path.write_text("apiVersion: mlops/v1\nkind: Platform\nmetadata: {name: x}\nmodels: {}\n")
    code, out, err = run(capsys, "report", str(path))
    assert code == 1 and f"{path}:4:9: error: models must have at least 1 entry" in out
    assert "cannot report on" in err and "Platform report" not in out
