"""mlops.emit.k8s.alerting: the environment's AlertmanagerConfig from `monitoring.notify` and drift triggers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mlops.pipeline import compile_spec
from tests.support.specs import Obj, manifests, sklearn, spec

ROOT = Path(__file__).resolve().parents[4]
SLACK = {"channel": "#ml", "webhookSecretRef": {"name": "slack-hook", "key": "url"}}
PAGER = {"routingKeySecretRef": {"name": "pd", "key": "routing-key"}}
HOOK = {"urlSecretRef": {"name": "hook", "key": "url"}}


def _config(tmp_path: Path, notify: dict[str, Any]) -> Obj:
    doc = {**spec({"fraud": sklearn()}), "monitoring": {"notify": notify}}
    config: Obj = manifests(tmp_path, doc)["alertmanagerconfig-mlops-alerts.yaml"]
    return config


def _receivers(config: Obj) -> dict[str, Obj]:
    return {r["name"]: {k: v for k, v in r.items() if k != "name"} for r in config["spec"]["receivers"]}


def test_critical_pages_everyone_warnings_skip_pagerduty(tmp_path: Path) -> None:
    config = _config(tmp_path, {"slack": SLACK, "pagerduty": PAGER, "webhook": HOOK})
    receivers = _receivers(config)
    assert receivers["page"]["pagerdutyConfigs"] == [
        {"routingKey": {"name": "pd", "key": "routing-key"}, "severity": "critical", "sendResolved": True}]
    assert receivers["page"]["slackConfigs"][0]["apiURL"] == {"name": "slack-hook", "key": "url"}
    assert sorted(receivers["warn"]) == ["slackConfigs", "webhookConfigs"]
    assert receivers["warn"]["webhookConfigs"] == [{"urlSecret": {"name": "hook", "key": "url"}, "sendResolved": True}]
    route = config["spec"]["route"]
    assert route["receiver"] == "warn"
    assert route["routes"] == [{"receiver": "page", "groupBy": ["alertname", "model", "workload"],
                                "matchers": [{"name": "severity", "value": "critical", "matchType": "="}]}]
    assert config["metadata"]["namespace"] == "shop-dev"


def test_pagerduty_alone_takes_warnings_as_warnings(tmp_path: Path) -> None:
    receivers = _receivers(_config(tmp_path, {"pagerduty": PAGER}))
    assert receivers["warn"]["pagerdutyConfigs"][0]["severity"] == "warning"


def test_no_receiver_and_no_trigger_no_config(tmp_path: Path) -> None:
    assert not [f for f in manifests(tmp_path, spec({"fraud": sklearn()})) if f.startswith("alertmanagerconfig")]


def test_the_loop_drift_alert_starts_retraining_where_it_trains() -> None:
    """fraud-scorer trains in staging: staging's Alertmanager posts its drift alert to staging's Argo Server with
    the trigger's token; production's (another cluster) only notifies people."""
    build = compile_spec(str(ROOT / "examples" / "loop" / "mlops.yaml"), layers=("manifests",))
    staging = yaml.safe_load(build.files["staging/manifests/alertmanagerconfig-mlops-alerts.yaml"])
    production = yaml.safe_load(build.files["production/manifests/alertmanagerconfig-mlops-alerts.yaml"])
    trigger = _receivers(staging)["fraud-scorer-drift-trigger"]["webhookConfigs"][0]
    assert trigger == {
        "url": "http://argo-workflows-server.argo:2746/api/v1/events/fraud-platform-staging/fraud-scorer-drift-trigger",
        "sendResolved": False, "maxAlerts": 1,
        "httpConfig": {"authorization": {"type": "Bearer",
                                         "credentials": {"name": "fraud-scorer-drift-trigger-token", "key": "token"}}}}
    first = staging["spec"]["route"]["routes"][0]
    assert (first["receiver"], first["continue"], first["repeatInterval"]) == (
        "fraud-scorer-drift-trigger", True, "24h")
    assert "fraud-scorer-drift-trigger" not in _receivers(production)
    assert _receivers(production)["warn"]["slackConfigs"] == [
        {"apiURL": {"name": "slack-webhook", "key": "url"}, "channel": "#risk-ml-alerts", "sendResolved": True}]
