"""Fairlearn on live labelled records: a planted bias crosses its bound, none does not; small groups are left
out; labels may arrive apart and are joined."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlops.jobs import fairness

BOUNDS = {"fairness": {"demographicParityDifference": {"max": 0.05}, "equalizedOddsDifference": {"max": 0.1}}}


def live(n: int, seed: int, bias: float = 0.0, tiny: int = 0) -> pd.DataFrame:
    """Predictions with a 30% positive rate in every country, plus `bias` for de; `tiny` rows of a small group
    `lu` whose rate is wildly off."""
    rng = np.random.default_rng(seed)
    country = rng.choice(["fr", "de", "es", "it"], n)
    label = (rng.random(n) < 0.3).astype(int)
    flip = rng.random(n) < 0.1                    # a model that is right 90% of the time, in every group
    score = np.where(flip, 1 - label, label) * 0.8 + 0.1
    score = np.where((country == "de") & (rng.random(n) < bias), 0.9, score)
    frame = pd.DataFrame({"request_id": [f"r{i}" for i in range(n)], "country": country, "score": score,
                          "is_fraud": label})
    extra = pd.DataFrame({"request_id": [f"t{i}" for i in range(tiny)], "country": "lu", "score": 0.9,
                          "is_fraud": 0})
    return pd.concat([frame, extra], ignore_index=True)


@pytest.fixture
def thresholds(tmp_path: Path) -> Path:
    path = tmp_path / "thresholds.json"
    path.write_text(json.dumps(BOUNDS))
    return path


def run(tmp_path: Path, frame: pd.DataFrame, thresholds: Path, *extra: str) -> tuple[int, dict]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(tmp_path / "live.parquet", index=False)
    code = fairness.cli(["--live", str(tmp_path / "live.parquet"), "--protected", "country", "--prediction", "score",
                         "--label", "is_fraud", "--thresholds", str(thresholds), "--min-group-size", "200",
                         "--out", str(tmp_path / "out"), *extra])
    return code, json.loads((tmp_path / "out" / "report.json").read_text())


def values(report: dict) -> dict[str, float]:
    return {r["metric"]: r["value"] for r in report["results"]}


def test_no_bias_stays_within_bounds(tmp_path: Path, thresholds: Path) -> None:
    code, report = run(tmp_path, live(4000, seed=1), thresholds)
    assert (code, report["passed"]) == (0, True)
    assert values(report)["demographicParityDifference"] < 0.05 and values(report)["equalizedOddsDifference"] < 0.1


def test_a_planted_bias_crosses_its_bound(tmp_path: Path, thresholds: Path, pushgateway) -> None:
    code, report = run(tmp_path, live(4000, seed=1, bias=0.3), thresholds, "--pushgateway", pushgateway.url,
                       "--model", "fraud-scorer", "--namespace", "fraud-platform-staging")
    assert (code, report["passed"]) == (1, False)
    assert values(report)["demographicParityDifference"] > 0.15
    assert "**a bound is crossed**" in (tmp_path / "out" / "report.md").read_text()
    body = pushgateway.requests[0][2]
    assert "mlops_fairness_passed 0.0" in body
    assert 'mlops_fairness_metric_passed{attribute="country",metric="demographicParityDifference"} 0.0' in body
    assert 'mlops_fairness_group_rows{attribute="country",group="de"}' in body


def test_groups_under_min_group_size_are_left_out(tmp_path: Path, thresholds: Path) -> None:
    code, report = run(tmp_path, live(4000, seed=1, tiny=50), thresholds)
    assert (code, report["results"][0]["dropped"]) == (0, ["lu"])
    code, report = run(tmp_path, live(4000, seed=1, tiny=50), thresholds, "--min-group-size", "10")
    assert code == 1 and values(report)["demographicParityDifference"] > 0.5      # lu: every prediction positive


def test_labels_arriving_apart_are_joined(tmp_path: Path, thresholds: Path) -> None:
    frame = live(4000, seed=1)
    _, inline = run(tmp_path / "inline", frame, thresholds)
    frame[["request_id", "is_fraud"]].to_csv(tmp_path / "labels.csv", index=False)
    code, joined = run(tmp_path / "joined", frame.drop(columns=["is_fraud"]), thresholds,
                       "--labels", str(tmp_path / "labels.csv"))
    assert (code, joined["live"]["rows"], values(joined)) == (0, 4000, values(inline))


def test_too_few_rows_means_not_measured_not_an_alert(tmp_path: Path, thresholds: Path) -> None:
    code, report = run(tmp_path, live(300, seed=2), thresholds)
    assert code == 0 and {r["passed"] for r in report["results"]} == {None}
    assert "not measured" in (tmp_path / "out" / "report.md").read_text()


@pytest.mark.parametrize(("extra", "message"), [
    (["--label", ""], "equalized odds needs the true outcome: give --label (and --labels if it arrives apart)"),
    (["--protected", "region"], "live records LIVE has no column 'region' (it has request_id, country, score, "
                                "is_fraud)"),
])
def test_bad_input_exits_2_with_one_line(tmp_path: Path, thresholds: Path, capsys: pytest.CaptureFixture[str],
                                         extra: list[str], message: str) -> None:
    live(100, seed=3).to_parquet(tmp_path / "live.parquet", index=False)
    code = fairness.cli(["--live", str(tmp_path / "live.parquet"), "--protected", "country", "--prediction", "score",
                         "--label", "is_fraud", "--thresholds", str(thresholds), "--out", str(tmp_path / "out"),
                         *extra])
    err = capsys.readouterr().err
    expected = message.replace("LIVE", str(tmp_path / "live.parquet"))
    assert (code, err) == (2, f"mlops.jobs.fairness: error: {expected}\n")


def test_a_biased_variant_fails_on_its_own_though_the_whole_holds(tmp_path: Path, thresholds: Path,
                                                                   pushgateway) -> None:
    control, treatment = live(9000, seed=1).assign(variant="control"), live(1000, seed=2, bias=0.3)
    frame = pd.concat([control, treatment.assign(variant="treatment", request_id="x" + treatment["request_id"])])
    code, report = run(tmp_path, frame, thresholds, "--pushgateway", pushgateway.url, "--model", "fraud-scorer",
                       "--namespace", "fraud-platform-staging")
    assert values(report)["demographicParityDifference"] < 0.05        # the whole hides it
    kept, biased = report["segments"]
    assert kept["labels"] == {"variant": "control"} and all(r["passed"] for r in kept["results"])
    assert biased["labels"] == {"variant": "treatment"} and biased["rows"] == 1000
    assert {r["metric"]: r["passed"] for r in biased["results"]}["demographicParityDifference"] is False
    assert (code, report["passed"]) == (1, False)
    lines = pushgateway.requests[0][2].splitlines()
    assert 'mlops_fairness_passed{variant="treatment"} 0.0' in lines
    assert 'mlops_fairness_passed{variant="control"} 1.0' in lines
    assert 'mlops_fairness_passed{variant=""} 1.0' in lines
    assert "Variant `treatment` (1,000 rows):" in (tmp_path / "out" / "report.md").read_text()
