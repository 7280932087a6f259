"""Evidently drift per column: a planted shift crosses the threshold and its absence does not, for each
method; ks is a p-value test and categorical columns get a test that fits them; segments (variants, a canary's
revision) are compared alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops.emit import contracts
from mlops.jobs import drift
from mlops.pipeline import environments
from mlops.spec.load import load
from tests.support import ROOT
from tests.support import jobs_synth as synth

THRESHOLD = {"psi": "0.2", "jensenshannon": "0.2", "wasserstein": "0.2", "ks": "0.01", "auto": "0.2"}
SKEWED = (0.1, 0.1, 0.1, 0.7)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("drift")
    envs, _ = environments(load(str(ROOT / "examples" / "loop" / "mlops.yaml")), ["staging"])
    scorer = next(m for m in envs[0].models if m.name == "fraud-scorer")
    (root / "contract.yaml").write_bytes(contracts.document(scorer, "live"))
    steady = synth.table(600, seed=11)
    variants = steady.assign(variant=["control"] * 300 + ["treatment"] * 300)
    variants.loc[variants["variant"] == "treatment", "amount"] *= 2.5
    # a canary: one instance, two pod templates; the new revision's traffic is shifted
    canary = steady.assign(variant="fraud-scorer", revision=["7c9f"] * 450 + ["5d8b"] * 150)
    canary.loc[canary["revision"] == "5d8b", "amount"] *= 2.5
    return {"contract": root / "contract.yaml",
            "baseline": synth.parquet(synth.table(2000, seed=10), root / "baseline.parquet"),
            "steady": synth.parquet(steady, root / "steady" / "a.parquet").parent,
            "shifted": synth.parquet(synth.table(600, seed=12, shift=0.8, countries=SKEWED), root / "shifted.parquet"),
            "variants": synth.parquet(variants, root / "variants.parquet"),
            "canary": synth.parquet(canary, root / "canary.parquet")}


def run(data: dict[str, Path], live: str, out: Path, *extra: str) -> tuple[int, dict]:
    code = drift.cli(["--baseline", str(data["baseline"]), "--live", str(data[live]), "--contract",
                      str(data["contract"]), "--out", str(out), *extra])
    return code, json.loads((out / "report.json").read_text())


@pytest.mark.parametrize("method", drift.METHODS)
def test_a_planted_shift_crosses_the_threshold_and_none_does_not(data: dict[str, Path], tmp_path: Path,
                                                                 method: str) -> None:
    args = ("--method", method, "--threshold", THRESHOLD[method])
    code, steady = run(data, "steady", tmp_path / "steady", *args)
    assert (code, steady["detected"], steady["drifted"]) == (0, False, [])
    code, shifted = run(data, "shifted", tmp_path / "shifted", *args)
    assert (code, shifted["detected"]) == (1, True)
    assert {"amount", "country"} <= set(shifted["drifted"])
    # the contract decides the columns: txn_id (unique) and ts (timestamp) are not compared; is_fraud (0/1) is
    # categorical, merchant_category too
    assert sorted(shifted["columns"]) == ["amount", "country", "is_fraud", "merchant_category"]
    assert shifted["columns"]["is_fraud"]["kind"] == "cat"


def test_ks_is_a_p_value_and_categoricals_get_chi_square(data: dict[str, Path], tmp_path: Path) -> None:
    _, report = run(data, "shifted", tmp_path, "--method", "ks", "--threshold", "0.01")
    amount, country = report["columns"]["amount"], report["columns"]["country"]
    assert (amount["method"], amount["direction"], amount["threshold"]) == ("ks", "p-value <=", 0.01)
    assert amount["score"] < 0.01 and (country["method"], country["direction"]) == ("chisquare", "p-value <=")
    assert report["score"] is None        # no distance measured: mlops_drift_score is left out, detected is not


def test_wasserstein_gives_categoricals_jensen_shannon(data: dict[str, Path], tmp_path: Path) -> None:
    _, report = run(data, "shifted", tmp_path, "--method", "wasserstein")
    assert report["columns"]["amount"]["method"] == "wasserstein"
    assert report["columns"]["country"]["method"] == "jensenshannon" and report["columns"]["amount"]["threshold"] == 0.1


def test_auto_on_a_small_baseline_keeps_p_value_thresholds(data: dict[str, Path], tmp_path: Path) -> None:
    small = synth.parquet(synth.table(500, seed=13), tmp_path / "small.parquet")
    code = drift.cli(["--baseline", str(small), "--live", str(data["steady"]), "--contract", str(data["contract"]),
                      "--threshold", "0.2", "--out", str(tmp_path / "out")])
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert code == 0 and report["columns"]["amount"]["method"] == "ks"
    assert report["columns"]["amount"]["threshold"] == 0.05 and report["columns"]["is_fraud"]["method"] == "z"


def test_variants_are_compared_on_their_own_and_pushed(data: dict[str, Path], tmp_path: Path, pushgateway) -> None:
    code, report = run(data, "variants", tmp_path, "--pushgateway", pushgateway.url, "--model", "fraud-scorer",
                       "--namespace", "fraud-platform-staging", "--exit-zero")
    control, treatment = report["segments"]
    assert control["labels"] == {"variant": "control"} and control["detected"] is False
    assert treatment["labels"] == {"variant": "treatment"} and treatment["drifted"] == ["amount"]
    method, path, body = pushgateway.requests[0]
    assert (method, path) == ("PUT", "/metrics/job/mlops-drift/model/fraud-scorer/namespace/fraud-platform-staging")
    lines = body.splitlines()
    assert next(x for x in lines if x.startswith('mlops_drift_detected{variant="treatment"}')).endswith(" 1.0")
    assert next(x for x in lines if x.startswith('mlops_drift_detected{variant="control"}')).endswith(" 0.0")
    assert any(x.startswith('mlops_drift_score{variant=""} ') for x in lines)    # the whole live set, as today
    assert any(x.startswith('mlops_drift_feature_score{feature="amount",method="wasserstein",variant=""} ')
               for x in lines)
    assert any(x.startswith("mlops_job_last_run_timestamp_seconds ") for x in lines)
    assert "Variant `treatment` (300 rows): amount drifted" in (tmp_path / "report.md").read_text()


def test_a_canary_revision_is_compared_on_its_own(data: dict[str, Path], tmp_path: Path) -> None:
    code, report = run(data, "canary", tmp_path, "--exit-zero")
    new, stable = report["segments"]
    assert new["labels"] == {"variant": "fraud-scorer", "revision": "5d8b"} and new["drifted"] == ["amount"]
    assert stable["labels"] == {"variant": "fraud-scorer", "revision": "7c9f"} and stable["detected"] is False
    assert report["rows"] == 600 and "revision" not in report["columns"]
    assert "Variant `fraud-scorer`, revision `5d8b` (150 rows): amount drifted" in (tmp_path / "report.md").read_text()


def test_rows_of_one_segment_are_not_reported_twice(data: dict[str, Path], tmp_path: Path) -> None:
    code, report = run(data, "steady", tmp_path)
    assert code == 0 and report["segments"] == []


@pytest.mark.parametrize(("extra", "message"), [
    (["--columns", "nope"], "--columns names 'nope', which the baseline/contract does not have"),
    (["--min-rows", "10000"], "LIVE: 600 live rows, fewer than --min-rows 10000"),
    (["--method", "kl"], "argument --method: invalid choice: 'kl' (choose from 'auto', 'psi', 'ks', 'wasserstein', "
                         "'jensenshannon')"),
])
def test_bad_input_exits_2_with_one_line(data: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         extra: list[str], message: str) -> None:
    code = drift.cli(["--baseline", str(data["baseline"]), "--live", str(data["steady"]), "--contract",
                      str(data["contract"]), "--out", str(tmp_path), *extra])
    err = capsys.readouterr().err
    assert (code, err) == (2, f"mlops.jobs.drift: error: {message.replace('LIVE', str(data['steady']))}\n")
