"""mlops.emit.k8s.retrain_triggers: the CronWorkflow (v4 `schedules`, numeric day names) and the Argo side of the
drift trigger (its account, token Secret, least Role and the WorkflowEventBinding)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops.emit.k8s.retrain_triggers import numeric
from mlops.targets.base import addons
from tests.support.specs import TRAINING_POOLS, manifests, spec, trained


def test_the_schedule_runs_the_template_one_at_a_time(tmp_path: Path) -> None:
    found = manifests(tmp_path, spec({"fraud": trained(triggers={"schedule": "0 3 * * MON"})}, pools=TRAINING_POOLS))
    cron = found["cronworkflow-fraud-retrain.yaml"]["spec"]
    assert cron["schedules"] == ["0 3 * * 1"]
    assert cron["concurrencyPolicy"] == "Forbid"
    assert cron["workflowSpec"]["workflowTemplateRef"] == {"name": "fraud-retrain"}
    assert "workfloweventbinding-fraud-drift-trigger.yaml" not in found


@pytest.mark.parametrize(("given", "emitted"), [
    ("0 3 * * MON", "0 3 * * 1"), ("0 3 * * mon-fri", "0 3 * * 1-5"), ("0 0 1 JAN,DEC *", "0 0 1 1,12 *"),
    ("0 3 * * SUN", "0 3 * * 0"), ("@daily", "@daily"), ("*/15 * * * *", "*/15 * * * *")])
def test_day_and_month_names_become_numbers(given: str, emitted: str) -> None:
    assert numeric(given) == emitted


def test_the_drift_trigger_may_only_submit_its_template(tmp_path: Path) -> None:
    found = manifests(tmp_path, spec({"fraud": trained(triggers={"drift": True})}, pools=TRAINING_POOLS))
    assert "cronworkflow-fraud-retrain.yaml" not in found
    token = found["secret-fraud-drift-trigger-token.yaml"]
    assert token["type"] == "kubernetes.io/service-account-token" and "data" not in token
    assert token["metadata"]["annotations"]["kubernetes.io/service-account.name"] == "fraud-drift-trigger"
    rules = found["role-fraud-drift-trigger.yaml"]["rules"]
    assert [(r["resources"], r["verbs"], r.get("resourceNames")) for r in rules] == [
        (["workfloweventbindings"], ["list"], None), (["workflowtemplates"], ["get"], ["fraud-retrain"]),
        (["workflows"], ["create"], None)]
    assert found["rolebinding-fraud-drift-trigger.yaml"]["subjects"][0]["name"] == "fraud-drift-trigger"
    binding = found["workfloweventbinding-fraud-drift-trigger.yaml"]["spec"]
    assert binding["event"]["selector"].startswith('discriminator == "fraud-drift-trigger"')
    assert binding["submit"]["workflowTemplateRef"] == {"name": "fraud-retrain"}
    assert addons.workflow_events_url("shop-dev", "fraud-drift-trigger").endswith(
        "/api/v1/events/shop-dev/fraud-drift-trigger")
