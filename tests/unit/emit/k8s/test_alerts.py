"""mlops.emit.k8s.alerts: every served model's health and SLO burn-rate alerts, the drift alert."""

from __future__ import annotations

from pathlib import Path

import yaml

from mlops.emit.k8s import alerts
from mlops.pipeline import compile_spec
from tests.support.specs import GPU_POOL, Obj, manifests, sklearn, spec

ROOT = Path(__file__).resolve().parents[4]


def _rules(files: dict[str, Obj], model: str) -> list[Obj]:
    rules: list[Obj] = files[f"prometheusrule-{model}.yaml"]["spec"]["groups"][0]["rules"]
    return rules


def test_the_north_star_ranker_without_monitoring_gets_health_and_slo_alerts() -> None:
    build = compile_spec(str(ROOT / "examples" / "north-star" / "mlops.yaml"), layers=("manifests",))
    rule = yaml.safe_load(build.files["production/manifests/prometheusrule-ranker.yaml"])
    rules = rule["spec"]["groups"][0]["rules"]
    per_variant = [alerts.ERROR_ALERT, alerts.LATENCY_ALERT, alerts.BURN_ALERT, alerts.BURN_ALERT]
    assert [(r["alert"], r["labels"]["workload"]) for r in rules] == [
        *((a, "ranker-control") for a in per_variant), *((a, "ranker-treatment") for a in per_variant),
        (alerts.UNAVAILABLE_ALERT, "ranker")]
    assert {r["labels"]["namespace"] for r in rules} == {rule["metadata"]["namespace"]}
    # Triton's own series, of the variant's pods; its default thresholds
    error, latency = rules[0], rules[1]
    assert 'nv_inference_request_failure{namespace="' in error["expr"] and error["expr"].endswith(" > 0.05")
    assert 'app_kubernetes_io_instance="ranker-control"' in latency["expr"] and latency["expr"].endswith(" > 1000")


def test_burn_rate_alerts_are_the_workbooks_windows_against_a_999_slo(tmp_path: Path) -> None:
    rules = _rules(manifests(tmp_path, spec({"fraud": sklearn()})), "fraud")
    fast, slow = (r for r in rules if r["alert"] == alerts.BURN_ALERT)
    assert (fast["labels"]["severity"], slow["labels"]["severity"]) == ("critical", "warning")
    assert "for" not in fast and "for" not in slow
    # 14.4x and 6x the 0.1 % budget over (1h and 5m) or (6h and 30m) page; 1x over 3d and 6h opens a ticket
    assert fast["expr"].count(" > 0.0144") == 2 and fast["expr"].count(" > 0.006") == 2
    assert all(f"[{w}]" in fast["expr"] for w in ("1h", "5m", "6h", "30m")) and ") or (" in fast["expr"]
    assert slow["expr"].count(" > 0.001") == 2 and "[3d]" in slow["expr"] and "[6h]" in slow["expr"]
    assert 'status_code=~"5.."' in fast["expr"]


def test_monitoring_alerts_override_the_thresholds(tmp_path: Path) -> None:
    model = sklearn(monitoring={"alerts": {"errorRate": 0.02, "latencyP99": "400ms"}})
    rules = {r["alert"]: r for r in _rules(manifests(tmp_path, spec({"fraud": model})), "fraud")}
    assert rules[alerts.ERROR_ALERT]["expr"].endswith(" > 0.02")
    assert rules[alerts.LATENCY_ALERT]["expr"].endswith(" > 400")


def test_the_availability_objective_scales_the_burn_limits_not_the_windows(tmp_path: Path) -> None:
    model = sklearn(monitoring={"alerts": {"availability": 0.99}})
    fast, slow = (r for r in _rules(manifests(tmp_path, spec({"fraud": model})), "fraud")
                  if r["alert"] == alerts.BURN_ALERT)
    # the same 14.4x / 6x / 1x of a 1 % budget
    assert fast["expr"].count(" > 0.144") == 2 and fast["expr"].count(" > 0.06") == 2
    assert slow["expr"].count(" > 0.01") == 2 and "[3d]" in slow["expr"]
    assert fast["annotations"]["summary"] == "fraud: the 99% availability SLO burns its error budget fast"


def test_an_llm_default_latency_counts_the_whole_generation(tmp_path: Path) -> None:
    model = {"framework": "vllm", "artifact": "s3://models/llm/", "nodePool": "gpu",
             "resources": {"cpu": "6", "memory": "24Gi", "gpu": 1}}
    files = manifests(tmp_path, spec({"chat": model}, pools={"gpu": GPU_POOL}))
    rules = {r["alert"]: r for r in _rules(files, "chat")}
    assert "vllm:e2e_request_latency_seconds_bucket" in rules[alerts.LATENCY_ALERT]["expr"]
    assert rules[alerts.LATENCY_ALERT]["expr"].endswith(" > 30000")


def test_unavailable_reads_the_routes_refusals_and_outlasts_a_cold_start(tmp_path: Path) -> None:
    rules = {r["alert"]: r for r in _rules(manifests(tmp_path, spec({"fraud": sklearn()})), "fraud")}
    down = rules[alerts.UNAVAILABLE_ALERT]
    assert down["expr"] == ('sum(rate(envoy_cluster_upstream_cx_none_healthy'
                            '{envoy_cluster_name=~"httproute/shop-dev/fraud/rule/.*"}[5m])) > 0')
    assert (down["for"], down["labels"]["severity"], down["labels"]["namespace"]) == ("15m", "critical", "shop-dev")
