"""mlops.emit.k8s.monitors: the data-check, fairness and explanation CronJobs run their programs with flags the
programs accept, on their schedules, with their inputs fetched and their verdicts pushed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.specs import TRAINING_POOLS, manifests, spec, trained

MONITORING = {"dataChecks": {"schedule": "@hourly"},
              "fairness": {"schedule": "@daily", "minGroupSize": 200,
                           "metrics": {"demographicParityDifference": {"max": 0.05}}},
              "explain": {"method": "tree-shap", "schedule": "0 4 * * *", "sample": 500, "alertOnShift": 0.25}}


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    model = trained()
    model["data"] = {**model["data"], "live": "s3://fraud-data/live/fraud/"}
    model["monitoring"] = MONITORING
    return manifests(tmp_path_factory.mktemp("out"), spec({"fraud": model}, pools=TRAINING_POOLS))


def pod(found: dict[str, Any], program: str) -> dict[str, Any]:
    cron = found[f"cronjob-fraud-{program}.yaml"]["spec"]
    assert cron["concurrencyPolicy"] == "Forbid" and cron["successfulJobsHistoryLimit"] == 1
    spec_: dict[str, Any] = cron["jobTemplate"]["spec"]["template"]["spec"]
    return spec_


@pytest.mark.parametrize("program", ["datacheck", "fairness", "explain"])
def test_each_program_accepts_its_arguments_and_pushes_without_failing_the_job(found: dict[str, Any],
                                                                               program: str) -> None:
    import importlib
    main = pod(found, program)["containers"][0]
    assert main["command"] == ["python", "-m", f"mlops.jobs.{program}"]
    parsed = importlib.import_module(f"mlops.jobs.{program}").arguments().parse_args(main["args"])
    assert parsed.exit_zero and parsed.model == "fraud" and parsed.pushgateway
    assert pod(found, program)["automountServiceAccountToken"] is False
    assert f"networkpolicy-fraud-{program}.yaml" in found


def test_the_schedules_are_the_monitors(found: dict[str, Any]) -> None:
    assert [found[f"cronjob-fraud-{p}.yaml"]["spec"]["schedule"] for p in ("datacheck", "fairness", "explain")] == [
        "@hourly", "@daily", "0 4 * * *"]


def test_fairness_reads_its_bounds_and_the_protected_columns(found: dict[str, Any]) -> None:
    args = pod(found, "fairness")["containers"][0]["args"]
    assert args[args.index("--protected") + 1] == "country" and args[args.index("--min-group-size") + 1] == "200"
    assert args[args.index("--label") + 1] == "is_fraud" and args[args.index("--prediction") + 1] == "score"
    bounds = json.loads(found["configmap-fraud-fairness.yaml"]["data"]["thresholds.json"])
    assert bounds == {"metrics": {}, "fairness": {"demographicParityDifference": {"max": 0.05}}}


def test_explain_fetches_the_served_artifact_the_training_data_and_the_live_records(found: dict[str, Any]) -> None:
    spec_ = pod(found, "explain")
    assert [(c["name"], c.get("args", c.get("command"))[-2:]) for c in spec_["initContainers"]] == [
        ("fetch-live", ["s3://fraud-data/live/fraud/", "/data/live"]),
        ("fetch-baseline", ["s3://fraud-data/train/", "/data/baseline"]),
        ("fetch-model", ["/models/.", "/data/model/"])]
    args = spec_["containers"][0]["args"]
    assert args[args.index("--alert-on-shift") + 1] == "0.25" and args[args.index("--exclude") + 1] == "is_fraud"


def test_the_data_check_reads_the_live_contract(found: dict[str, Any]) -> None:
    args = pod(found, "datacheck")["containers"][0]["args"]
    assert args[:6] == ["--contract", "/etc/mlops/contract/live.yaml", "--data", "/data/live", "--dataset", "live"]
    assert "live.yaml" in found["configmap-fraud-contract.yaml"]["data"]


def test_the_verdicts_and_stale_runs_alert_in_the_models_namespace(found: dict[str, Any]) -> None:
    rules = {(r["alert"], r["labels"].get("monitor")): r
             for r in found["prometheusrule-fraud.yaml"]["spec"]["groups"][0]["rules"]}
    check = rules[("MLModelDataCheckFailed", "datacheck")]
    assert check["expr"].startswith("min(mlops_data_check_passed{") and check["expr"].endswith("== 0")
    assert rules[("MLModelExplanationShift", "explain")]["expr"].endswith("> 0")
    stale = rules[("MLModelMonitorStale", "explain")]       # daily at 04:00: two days without a push
    assert stale["expr"].startswith("time() - max(mlops_job_last_run_timestamp_seconds{") and \
        stale["expr"].endswith("> 172800")
    assert {r["labels"]["namespace"] for r in rules.values()} == {"shop-dev"}
