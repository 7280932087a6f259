"""datacontract-cli on local parquet with the generated contract of the loop spec's fraud-scorer: clean data
passes, broken data fails with each check named, bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops.emit import contracts
from mlops.jobs import datacheck, records
from mlops.pipeline import environments
from mlops.spec.load import load
from tests.support import ROOT
from tests.support import jobs_synth as synth


@pytest.fixture(scope="module")
def contract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    envs, _ = environments(load(str(ROOT / "examples" / "loop" / "mlops.yaml")), ["staging"])
    scorer = next(m for m in envs[0].models if m.name == "fraud-scorer")
    path = tmp_path_factory.mktemp("contract") / "training.odcs.yaml"
    path.write_bytes(contracts.document(scorer, "training"))
    return path


def check(contract: Path, data: Path, out: Path, *extra: str) -> tuple[int, dict]:
    code = datacheck.cli(["--contract", str(contract), "--data", str(data), "--out", str(out), *extra])
    return code, json.loads((out / "report.json").read_text())


def test_clean_parquet_passes(contract: Path, tmp_path: Path) -> None:
    good = synth.table(10500, seed=5)
    synth.parquet(good.iloc[:6000], tmp_path / "train" / "part-0.parquet")
    synth.parquet(good.iloc[6000:], tmp_path / "train" / "2026" / "part-1.parquet")    # any depth
    code, report = check(contract, tmp_path / "train", tmp_path / "out")
    assert (code, report["verdict"], report["result"]) == (0, "pass", "warning")       # parquet types: warnings
    assert report["counts"] == {"passed": 16, "warning": 6}
    assert "passes its contract" in (tmp_path / "out" / "report.md").read_text()


def test_broken_parquet_fails_with_each_check(contract: Path, tmp_path: Path, pushgateway) -> None:
    bad = synth.table(200, seed=6)
    bad.loc[0, "amount"], bad.loc[1, "country"], bad.loc[2, "country"] = -5.0, None, "xx"
    bad.loc[3, "txn_id"], bad.loc[4, "is_fraud"] = bad.loc[5, "txn_id"], 2
    bad["ts"] = bad["ts"] - __import__("pandas").Timedelta(days=3)
    synth.parquet(bad, tmp_path / "bad.parquet")
    code, report = check(contract, tmp_path / "bad.parquet", tmp_path / "out", "--pushgateway", pushgateway.url,
                         "--model", "fraud-scorer", "--namespace", "fraud-platform-staging")
    failed = {c["type"]: c["reason"] for c in report["checks"] if c["result"] == "failed"}
    assert (code, report["verdict"]) == (1, "fail")
    assert set(failed) == {"field_minimum", "field_required", "field_invalid_values", "field_unique", "row_count",
                           "servicelevel_freshness"}
    assert failed["row_count"] == "Actual row_count(training) was 200, expected >= 10000"
    md = (tmp_path / "out" / "report.md").read_text()
    assert "**fails**" in md and "| Check that model training has row_count >= 10000 | — |" in md
    method, path, body = pushgateway.requests[0]
    assert path == "/metrics/job/mlops-datacheck/dataset/training/model/fraud-scorer/namespace/fraud-platform-staging"
    assert "mlops_data_check_passed 0.0" in body and "mlops_data_check_failures 7.0" in body
    assert ('mlops_data_check_check_passed{check="training__row_count",column="",type="row_count"} 0.0') in body


def test_logged_inference_events_are_checked_as_rows(contract: Path, tmp_path: Path) -> None:
    rows = synth.table(50, seed=7)[["txn_id", "amount", "country", "is_fraud"]]
    events = [{"request_id": "r1", "kind": "org.kubeflow.serving.inference.request",
               "inputs": [{"name": c, "shape": [50], "datatype": "BYTES", "data": rows[c].tolist()} for c in rows]},
              {"request_id": "r1", "kind": "org.kubeflow.serving.inference.response",
               "outputs": [{"name": "score", "shape": [50, 1], "datatype": "FP32", "data": [[0.1]] * 50}]}]
    (tmp_path / "live").mkdir()
    (tmp_path / "live" / "1700000000-a.json").write_text("\n".join(json.dumps(e) for e in events))
    flat = records.rows(__import__("pandas").DataFrame(events), "score")
    assert len(flat) == 50 and set(flat.columns) >= {"txn_id", "score", "request_id", "row"}
    code, report = check(contract, tmp_path / "live", tmp_path / "out", "--format", "json", "--prediction", "score")
    assert (tmp_path / "out" / "rows.parquet").is_file() and report["data"] == str(tmp_path / "live")
    failed = {c["type"] for c in report["checks"] if c["result"] == "failed"}
    # a training contract on 50 live rows: too few rows, no ts (so no freshness), no merchant_category
    assert code == 1 and failed == {"row_count", "field_is_present", "servicelevel_freshness"}


@pytest.mark.parametrize(("argv", "message"), [
    (["--contract", "missing.yaml"], "missing.yaml: cannot read the contract: [Errno 2] No such file or directory: "
                                     "'missing.yaml'"),
    (["--contract", "CONTRACT"], "no file matches the server's path '/data/training/**/*.parquet'"),
    (["--contract", "CONTRACT", "--server", "live"], "the contract has no server 'live' (it has training)"),
    (["--contract", "CONTRACT", "--data", "nowhere"], "nowhere: no such file or folder"),
    (["--contract", "CONTRACT", "--data", "CSV_ONLY"],
     "CSV_ONLY: no .parquet file here (the format is parquet; --format sets another)"),
    (["--contract", "NOT_ODCS"], "NOT_ODCS: not an ODCS v3 contract (expected kind: DataContract, apiVersion: "
                                 "v3.x.y)"),
    (["--contract", "CONTRACT", "--pushgateway", "http://x"],
     "--pushgateway needs --model and --namespace (the metrics' grouping key)"),
])
def test_bad_input_exits_2_with_one_line(contract: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         argv: list[str], message: str) -> None:
    (tmp_path / "x.yaml").write_text("apiVersion: v1\nkind: Pod\n")
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "a.csv").write_text("txn_id\n1\n")
    names = {"CONTRACT": str(contract), "NOT_ODCS": str(tmp_path / "x.yaml"), "CSV_ONLY": str(tmp_path / "csv")}
    code = datacheck.cli([names.get(a, a) for a in argv] + ["--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    for name in ("NOT_ODCS", "CSV_ONLY"):
        message = message.replace(name, names[name])
    assert (code, err) == (2, f"mlops.jobs.datacheck: error: {message}\n")
