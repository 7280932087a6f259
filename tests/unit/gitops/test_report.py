"""mlops.gitops.report: the inventory from the declared spec, and each model's status from a Prometheus that
answers (a local HTTP server playing Prometheus' query API), one that does not, and one that answers nonsense."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from mlops.cost import estimate as cost
from mlops.cost.report import money_range
from mlops.gitops import report
from mlops.pipeline import environments
from mlops.spec.load import load
from tests.support import ROOT

LOOP = load(str(ROOT / "examples" / "loop" / "mlops.yaml"))
STAGING = environments(LOOP, ["staging"])[0][0]
NS = STAGING.namespace


def sample(name: str, value: float, **labels: str) -> dict[str, Any]:
    return {"metric": {"__name__": name, "namespace": NS, **labels}, "value": [1764590400, str(value)]}


SERIES = [
    sample("mlops_gate_passed", 0, model="fraud-scorer", job="mlops-gate"),
    sample("mlops_gate_failures", 2, model="fraud-scorer", job="mlops-gate"),
    sample("mlops_data_check_passed", 1, model="fraud-scorer", job="mlops-datacheck", dataset="live"),
    sample("mlops_data_check_passed", 1, model="fraud-scorer", job="mlops-datacheck", dataset="training"),
    sample("mlops_drift_detected", 1, model="fraud-scorer", job="mlops-drift"),
    sample("mlops_drift_score", 0.31, model="fraud-scorer", job="mlops-drift"),
    sample("mlops_job_last_run_timestamp_seconds", 1764590400, model="fraud-scorer", job="mlops-drift"),
    sample("mlops_explain_shift_alert", 0, model="fraud-scorer", job="mlops-explain"),
    sample("mlops_explain_max_shift", 0.12, model="fraud-scorer", job="mlops-explain"),
]
FIRING = [sample("ALERTS", 1, alertname="MlopsModelErrorRate", model="ranker", alertstate="firing")]


class Prometheus(BaseHTTPRequestHandler):
    queries: list[str] = []
    body: bytes | None = None            # a fixed answer (nonsense); None: answer from SERIES/FIRING

    def do_GET(self) -> None:           # noqa: N802 (http.server's name)
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)["query"][0]
        type(self).queries.append(query)
        result = FIRING if query.startswith("ALERTS") else SERIES
        body = self.body or json.dumps({"status": "success",
                                        "data": {"resultType": "vector", "result": result}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def prometheus() -> Iterator[str]:
    Prometheus.queries, Prometheus.body = [], None
    server = HTTPServer(("127.0.0.1", 0), Prometheus)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def rows(env_report: report.EnvironmentReport) -> dict[str, report.ModelRow]:
    return {m.name: m for m in env_report.models}


def test_the_inventory_is_the_declared_platform() -> None:
    (found,) = report.build([STAGING], None, None)
    models = rows(found)
    assert sorted(models) == ["assistant", "embedder", "fraud-scorer", "ranker"]
    scorer = models["fraud-scorer"]
    assert scorer.serves == ("fraud-scorer=registry://fraud-scorer:v12",)
    assert scorer.rollout == "canary 10/30/60"
    assert scorer.endpoint == "fraud.example.com/v1/score (public)"
    assert scorer.replicas == "2..3 on concurrency"                  # staging's override of scaling.max
    assert scorer.retraining == ("in staging, cron 0 3 * * 1 + on drift; "
                                 "gate: log_loss, roc_auc, demographicParityDifference")
    assert models["ranker"].serves == ("ranker-control=registry://ranker:v3", "ranker-treatment=registry://ranker:v4")
    assert models["ranker"].endpoint == "in-cluster only"
    # what is configured is "not asked" without a Prometheus; what is not is "off"
    assert {c: s.state for c, s in scorer.status.items()} == dict.fromkeys(
        ("gate", "data_check", "drift", "fairness", "attribution"), report.NOT_ASKED)
    assert {s.state for s in models["ranker"].status.values()} == {"off"}
    assert found.status_source.startswith("not asked (give --prometheus URL")


def test_the_cost_is_the_estimate_of_mlops_cost() -> None:
    (found,) = report.build([STAGING], None, None)
    total = cost.estimate(STAGING).total
    assert found.monthly is not None and found.monthly["min"] == str(total.min) and found.monthly["currency"] == "USD"
    assert found.cost.startswith(f"{money_range(total)} USD a month (prices of ")


def test_status_comes_from_what_the_jobs_pushed(prometheus: str) -> None:
    (found,) = report.build([STAGING], report.http_query(prometheus), prometheus)
    scorer, ranker = rows(found)["fraud-scorer"], rows(found)["ranker"]
    assert scorer.status["gate"] == report.Signal("alert", "gate_failures 2")
    assert scorer.status["data_check"] == report.Signal("ok")              # both datasets passed
    assert scorer.status["drift"] == report.Signal("alert", "drift_score 0.31", "2025-12-01T12:00:00Z")
    assert scorer.status["attribution"] == report.Signal("ok", "explain_max_shift 0.12")
    assert scorer.status["fairness"] == report.Signal("no data", "the program has not pushed yet")
    assert ranker.status["drift"].state == "off" and ranker.firing == ("MlopsModelErrorRate",)
    assert scorer.firing == ()
    assert found.status_source == f"Prometheus at {prometheus}"
    # one query for the pushed metrics and one for the alerts, both scoped to the environment's namespace
    assert len(Prometheus.queries) == 2 and all(f'namespace="{NS}"' in q for q in Prometheus.queries)
    text = report.as_markdown([found])
    assert "| fraud-scorer |" in text and "alert, drift\\_score 0.31, at 2025-12-01T12:00:00Z" in text


def test_a_failed_data_check_on_one_dataset_is_an_alert(prometheus: str) -> None:
    SERIES.append(sample("mlops_data_check_passed", 0, model="fraud-scorer", job="mlops-datacheck", dataset="x"))
    try:
        (found,) = report.build([STAGING], report.http_query(prometheus), prometheus)
    finally:
        SERIES.pop()
    assert rows(found)["fraud-scorer"].status["data_check"].state == "alert"


def test_a_prometheus_that_does_not_answer_is_a_line_not_a_failure() -> None:
    url = "http://127.0.0.1:9"                                  # discard port: nothing listens
    (found,) = report.build([STAGING], report.http_query(url, timeout=2), url)
    assert found.status_source.startswith(f"unknown: Prometheus at {url} did not answer (")
    scorer = rows(found)["fraud-scorer"]
    assert {s.state for s in scorer.status.values()} == {"unknown"} and scorer.firing == "unknown"
    assert {s.state for s in rows(found)["ranker"].status.values()} == {"off"}


@pytest.mark.parametrize(("body", "why"), [
    (b"<html>login</html>", "Expecting value"),
    (b'{"status": "error", "error": "bad query"}', "the answer is not an instant vector"),
    (b'{"status": "success", "data": {"resultType": "vector", "result": [{"value": [1, "x"]}]}}',
     "a sample without labels or a number"),
])
def test_nonsense_from_prometheus_is_named(prometheus: str, body: bytes, why: str) -> None:
    Prometheus.body = body
    (found,) = report.build([STAGING], report.http_query(prometheus), prometheus)
    assert found.status_source.startswith("unknown: ") and why in found.status_source


def test_credentials_in_the_url_never_reach_the_report() -> None:
    url = "http://admin:hunter2-s3cr3t@127.0.0.1:9"
    (found,) = report.build([STAGING], report.http_query(url, timeout=2), url)
    assert "hunter2" not in report.as_markdown([found]) + report.as_json([found])


def test_json_is_data_with_stable_keys() -> None:
    data = json.loads(report.as_json(report.build([STAGING], None, None)))
    scorer = next(m for m in data["environments"][0]["models"] if m["name"] == "fraud-scorer")
    assert set(scorer["status"]) == {"gate", "data_check", "drift", "fairness", "attribution"}
    assert report.as_json(report.build([STAGING], None, None)) == report.as_json(report.build([STAGING], None, None))


def test_a_segment_that_fails_is_named(prometheus: str) -> None:
    """Fairness pushes per variant and revision too: the whole may hold while the treatment does not."""
    pushed = [sample("mlops_fairness_passed", 1, model="fraud-scorer", job="mlops-fairness"),
              sample("mlops_fairness_passed", 1, model="fraud-scorer", job="mlops-fairness", variant="control"),
              sample("mlops_fairness_passed", 0, model="fraud-scorer", job="mlops-fairness", variant="treatment",
                     revision="5d8b")]
    SERIES.extend(pushed)
    try:
        (found,) = report.build([STAGING], report.http_query(prometheus), prometheus)
    finally:
        del SERIES[-len(pushed):]
    assert rows(found)["fraud-scorer"].status["fairness"] == report.Signal("alert", "in variant treatment revision "
                                                                                    "5d8b")
