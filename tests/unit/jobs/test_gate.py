"""The gate on small seeded data: a better candidate passes, a worse or less fair one fails, and the report
says why (the report is the pull request's body)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mlops.jobs import gate
from tests.support import jobs_synth as synth

THRESHOLDS = {"metrics": {"roc_auc": {"min": 0.8, "minChange": 0.01}, "log_loss": {"max": 0.6}},
              "fairness": {"demographicParityDifference": {"max": 0.1}}}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("gate")
    train, holdout = synth.table(3000, seed=1), synth.table(2000, seed=2)
    (root / "thresholds.json").write_text(json.dumps(THRESHOLDS))
    synth.parquet(holdout, root / "holdout" / "part-0.parquet")
    # Less fair: trained on labels that flag `de` rows far more often, so its positives skew to `de`.
    rng = np.random.default_rng(3)
    biased = train.assign(is_de=(train["country"] == "de").astype(int))
    unfair_label = np.where((biased["is_de"] == 1) & (rng.random(len(biased)) < 0.5), 1, biased["is_fraud"])
    paths = {
        "champion": synth.save(synth.logistic(train, ["x1"]), root / "champion"),
        "better": synth.save(synth.xgb(train, synth.FEATURES), root / "better"),
        "worse": synth.save(synth.xgb(train, ["x3"]), root / "worse", "model.json"),
        "unfair": synth.save(synth.xgb(biased, [*synth.FEATURES, "is_de"], unfair_label), root / "unfair"),
    }
    synth.parquet(holdout.assign(is_de=(holdout["country"] == "de").astype(int)), root / "holdout" / "part-0.parquet")
    return {**paths, "holdout": root / "holdout", "thresholds": root / "thresholds.json", "root": root}


def run(world: dict[str, Path], candidate: str, out: Path, *extra: str) -> tuple[int, dict, str]:
    code = gate.cli(["--candidate", str(world[candidate]), "--champion", str(world["champion"]),
                     "--holdout", str(world["holdout"]), "--label", "is_fraud", "--protected", "country",
                     "--thresholds", str(world["thresholds"]),
                     "--exclude", "txn_id,amount,country,merchant_category,ts",
                     "--candidate-name", f"registry://fraud-scorer:{candidate}",
                     "--champion-name", "registry://fraud-scorer:v12", "--out", str(out), *extra])
    return code, json.loads((out / "report.json").read_text()), (out / "report.md").read_text()


def _metric(report: dict, name: str) -> dict:
    return next(m for m in report["metrics"] if m["metric"] == name)


def test_a_better_candidate_passes(world: dict[str, Path], tmp_path: Path) -> None:
    code, report, md = run(world, "better", tmp_path)
    assert (code, report["verdict"], report["failures"]) == (0, "pass", [])
    auc = next(m for m in report["metrics"] if m["metric"] == "roc_auc")
    assert auc["candidate"] > auc["champion"] + 0.01 and auc["greater_is_better"]
    assert [r["passed"] for r in auc["rules"]] == [True, True]
    assert md.startswith("## Gate: the candidate passes\n\nCandidate `registry://fraud-scorer:better` against the "
                         "champion `registry://fraud-scorer:v12`")
    assert "| roc_auc | higher |" in md and "| log_loss | lower |" in md and "| accuracy | higher |" in md
    assert "(not gated)" in md and "### Fairness" in md and "By country:" in md
    assert "| country | rows | positive rate (champion) | positive rate (candidate) |" in md


def test_a_worse_candidate_fails_with_reasons(world: dict[str, Path], tmp_path: Path) -> None:
    code, report, md = run(world, "worse", tmp_path)
    assert (code, report["verdict"]) == (1, "fail")
    assert any(f.startswith("roc_auc is 0.") and f.endswith("the gate asks >= 0.8") for f in report["failures"])
    assert any(f.endswith(f"does not beat the champion's {champion:.4f} by the required 0.01")
               for f in report["failures"] for champion in [_metric(report, "roc_auc")["champion"]])
    assert md.startswith("## Gate: the candidate fails") and "**Why it fails**" in md and "**fail**" in md


def test_a_less_fair_candidate_fails_on_fairness_only(world: dict[str, Path], tmp_path: Path) -> None:
    code, report, _ = run(world, "unfair", tmp_path)
    fairness = report["fairness"][0]
    assert (code, fairness["metric"], fairness["attribute"], fairness["passed"]) == \
        (1, "demographicParityDifference", "country", False)
    assert fairness["candidate"] > 0.1 > fairness["champion"]
    assert report["failures"] == [f"demographicParityDifference across country is {fairness['candidate']:.4f}; "
                                  "the gate asks <= 0.1"]


def test_fairness_matches_fairlearn(world: dict[str, Path], tmp_path: Path) -> None:
    import pandas as pd
    from fairlearn.metrics import demographic_parity_difference

    from mlops.jobs import models

    run(world, "unfair", tmp_path)
    report = json.loads((tmp_path / "report.json").read_text())
    holdout = pd.read_parquet(world["holdout"])
    model = models.load(world["unfair"])
    y_pred = (model.scores(holdout[list(model.features or ())]) >= 0.5).astype(int)
    expected = demographic_parity_difference(holdout["is_fraud"], y_pred, sensitive_features=holdout["country"])
    assert report["fairness"][0]["candidate"] == pytest.approx(expected)


def test_without_a_champion_min_change_is_skipped(world: dict[str, Path], tmp_path: Path) -> None:
    code = gate.cli(["--candidate", str(world["better"]), "--holdout", str(world["holdout"]), "--label", "is_fraud",
                     "--thresholds", str(world["thresholds"]), "--protected", "country", "--out", str(tmp_path)])
    report = json.loads((tmp_path / "report.json").read_text())
    auc = next(m for m in report["metrics"] if m["metric"] == "roc_auc")
    assert code == 0 and auc["rules"][1] == {"rule": ">= champion + 0.01", "passed": None,
                                             "note": "no champion to compare with: skipped"}
    md = (tmp_path / "report.md").read_text()
    assert "(no champion yet: the first candidate)" in md and "`minChange` rules were not applied" in md


def test_a_failed_or_missing_data_check_stops_a_required_gate(world: dict[str, Path], tmp_path: Path) -> None:
    failed = tmp_path / "dc.json"
    failed.write_text(json.dumps({"verdict": "fail", "dataset": "training", "contract": {"id": "fraud-scorer-training"},
                                  "checks": [{"result": "failed", "name": "amount >= 0", "field": "amount",
                                              "reason": "Actual invalid_count(amount) was 1"}]}))
    code, report, md = run(world, "better", tmp_path / "a", "--data-check", str(failed))
    assert code == 1 and report["failures"] == ["the training data failed its contract (1 checks failed)"]
    assert "| amount >= 0 | amount | Actual invalid_count(amount) was 1 |" in md
    code, report, _ = run(world, "better", tmp_path / "b", "--data-check", str(failed), "--data-checks", "warn")
    assert code == 0
    code, report, _ = run(world, "better", tmp_path / "c", "--data-check", str(tmp_path / "none.json"))
    assert code == 1 and report["failures"] == [f"no data check report at {tmp_path / 'none.json'}"]


def test_an_unmeasurable_fairness_bound_fails(world: dict[str, Path], tmp_path: Path) -> None:
    code, report, _ = run(world, "better", tmp_path, "--min-group-size", "100000")
    assert code == 1 and report["failures"] == [
        "demographicParityDifference across country is not measurable: fewer than two country groups with at "
        "least 100000 rows"]


def test_gate_metrics_are_pushed(world: dict[str, Path], tmp_path: Path, pushgateway) -> None:
    code, _, _ = run(world, "worse", tmp_path, "--pushgateway", pushgateway.url, "--model", "fraud-scorer",
                     "--namespace", "fraud-platform-staging")
    method, path, body = pushgateway.requests[0]
    assert (code, method) == (1, "PUT")
    assert path == "/metrics/job/mlops-gate/model/fraud-scorer/namespace/fraud-platform-staging"
    assert "mlops_gate_passed 0.0" in body and 'mlops_gate_metric{metric="roc_auc",role="champion"}' in body
    assert 'mlops_gate_fairness{attribute="country",metric="demographicParityDifference",role="candidate"}' in body


@pytest.mark.parametrize(("argv", "message"), [
    (["--label", "is_fraud"], "the following arguments are required: --candidate, --holdout"),
    (["--candidate", "nowhere", "--holdout", "HOLDOUT", "--label", "is_fraud"],
     "nowhere: no such model file or folder"),
    (["--candidate", "BETTER", "--holdout", "HOLDOUT", "--label", "fraud"],
     "holdout HOLDOUT has no column 'fraud' (it has txn_id, amount, country, merchant_category, ts, x1, x2, x3, "
     "is_fraud, is_de)"),
    (["--candidate", "BETTER", "--holdout", "HOLDOUT", "--label", "is_fraud", "--thresholds", "BAD"],
     "unknown classification metric 'auc': expected one of accuracy, average_precision, balanced_accuracy, "
     "brier_score, f1, log_loss, pr_auc, precision, recall, roc_auc"),
])
def test_bad_input_exits_2_with_one_line(world: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         argv: list[str], message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"metrics": {"auc": {"min": 0.9}}}))
    names = {"HOLDOUT": str(world["holdout"]), "BETTER": str(world["better"]), "BAD": str(bad)}
    code = gate.cli([names.get(a, a) for a in argv] + ["--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err == f"mlops.jobs.gate: error: {message.replace('HOLDOUT', str(world['holdout']))}\n"


def test_propose_picks_the_run_that_started_last(world: dict[str, Path], tmp_path: Path) -> None:
    """The layout the workflow publishes (<output>/<run>/report.json, the candidate at <output>/<run>/model/) is what
    `mlops propose` reads; the newest is the run that started last, even when an older run's report is written later
    (a folder copied out of the bucket has the copy's mtimes)."""
    from mlops.gitops.propose import candidates

    output = "s3://fraud-models/fraud-scorer/"
    for run_id, started in (("retrain-b", "2026-12-01T10:00:00Z"), ("retrain-a", "2026-11-30T10:00:00Z")):
        folder = tmp_path / "fraud-scorer" / run_id
        gate.cli(["--candidate", str(world["better"]), "--champion", str(world["champion"]),
                  "--holdout", str(world["holdout"]), "--label", "is_fraud", "--protected", "country",
                  "--thresholds", str(world["thresholds"]),
                  "--exclude", "txn_id,amount,country,merchant_category,ts",
                  "--candidate-name", f"{output}{run_id}/model/", "--run-started", started, "--out", str(folder)])
        assert json.loads((folder / "report.json").read_text())["run_started"] == started
    passing, rejected = candidates.scan(tmp_path, "fraud-scorer", output)
    assert not rejected and len(passing) == 2
    chosen = candidates.newest(passing)
    assert chosen is not None and (chosen.run, chosen.artifact) == ("retrain-b", f"{output}retrain-b/model/")


def test_run_started_needs_an_offset(world: dict[str, Path], tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    code = gate.cli(["--candidate", str(world["better"]), "--holdout", str(world["holdout"]), "--label", "is_fraud",
                     "--exclude", "txn_id,amount,country,merchant_category,ts", "--out", str(tmp_path),
                     "--run-started", "2026-12-01T10:00:00"])
    assert code == 2 and "has no UTC offset" in capsys.readouterr().err
    assert not (tmp_path / "report.json").exists()
