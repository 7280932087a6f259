"""SHAP attributions: a planted attribution shift alerts and its absence does not; tree-shap on the artifact
layouts MLServer serves, kernel-shap on any model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mlops.jobs import explain
from tests.support import jobs_synth as synth


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("explain")
    train = synth.table(2000, seed=20)
    model = synth.xgb(train, synth.FEATURES)
    steady = synth.table(800, seed=21)
    # x1 carries most of the attribution; live inputs where x1 barely varies leave x2 to explain the scores
    flat = steady.assign(x1=np.random.default_rng(22).normal(scale=0.05, size=len(steady)))
    return {"joblib": synth.save(model, root / "joblib"), "json": synth.save(model, root / "json", "model.json"),
            "logistic": synth.save(synth.logistic(train, synth.FEATURES), root / "logistic"),
            "baseline": synth.parquet(train, root / "train.parquet"),
            "steady": synth.parquet(steady, root / "steady.parquet"),
            "flat": synth.parquet(flat, root / "flat.parquet")}


def run(world: dict[str, Path], artifact: str, live: str, out: Path, *extra: str) -> tuple[int, dict]:
    code = explain.cli(["--artifact", str(world[artifact]), "--baseline", str(world["baseline"]), "--live",
                        str(world[live]), "--sample", "300", "--alert-on-shift", "0.3", "--out", str(out), *extra])
    return code, json.loads((out / "report.json").read_text())


@pytest.mark.parametrize("artifact", ["joblib", "json"])
def test_no_shift_no_alert(world: dict[str, Path], tmp_path: Path, artifact: str) -> None:
    code, report = run(world, artifact, "steady", tmp_path)
    shares = {f: v["baseline"] for f, v in report["features"].items()}
    assert (code, report["alert"]) == (0, False) and report["max_shift"]["shift"] < 0.3
    assert sum(shares.values()) == pytest.approx(1.0) and max(shares, key=lambda f: shares[f]) == "x1"


def test_a_planted_attribution_shift_alerts(world: dict[str, Path], tmp_path: Path, pushgateway) -> None:
    code, report = run(world, "joblib", "flat", tmp_path, "--pushgateway", pushgateway.url, "--model", "fraud-scorer",
                       "--namespace", "fraud-platform-staging")
    x1, shifts = report["features"]["x1"], {f: v["shift"] for f, v in report["features"].items()}
    assert (code, report["alert"]) == (1, True) and x1["live"] < x1["baseline"] and x1["shift"] > 0.3
    # shares add up to 1, so the others grow as x1 falls: the largest relative move may be theirs
    assert report["max_shift"] == {"feature": max(shifts, key=lambda f: shifts[f]), "shift": max(shifts.values())}
    md = (tmp_path / "report.md").read_text()
    assert md.startswith("### Explanations: **attribution shifted** (") and "x1" in md.splitlines()[0]
    assert md.splitlines()[6].startswith("| x") and "| -" in next(x for x in md.splitlines() if x.startswith("| x1 "))
    body = pushgateway.requests[0][2]
    assert "mlops_explain_shift_alert 1.0" in body
    assert 'mlops_explain_feature_share{dataset="live",feature="x1"}' in body
    assert 'mlops_explain_feature_shift{feature="x2"}' in body


def test_kernel_shap_explains_any_model(world: dict[str, Path], tmp_path: Path) -> None:
    code, report = run(world, "logistic", "steady", tmp_path, "--method", "kernel-shap", "--sample", "20",
                       "--background", "10", "--kernel-samples", "40")
    assert code in (0, 1) and report["method"] == "kernel-shap"
    assert sum(v["live"] for v in report["features"].values()) == pytest.approx(1.0)
    assert report["rows"] == {"baseline": 20, "live": 20}


def test_tree_shap_on_a_linear_model_is_bad_input(world: dict[str, Path], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code = explain.cli(["--artifact", str(world["logistic"]), "--baseline", str(world["baseline"]), "--live",
                        str(world["steady"]), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("mlops.jobs.explain: error: SHAP tree-shap cannot explain ")
    assert err.endswith("(try --method kernel-shap)\n") and err.count("\n") == 1
