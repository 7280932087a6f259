"""Alert routing: one AlertmanagerConfig per environment namespace, from `monitoring.notify` and the models'
drift-triggered retraining.

The stack's Alertmanager selects it as is: kube-prometheus-stack 67.8.0 renders `alertmanagerConfigSelector: {}`
and `alertmanagerConfigNamespaceSelector: {}` unless told otherwise (templates/alertmanager/alertmanager.yaml:65-76),
an empty selector matching every object in every namespace (prometheus-operator@v0.79.2
pkg/apis/monitoring/v1/alertmanager_types.go:246-250: only a nil namespace selector means "own namespace only").
Its default matcher strategy, OnNamespace (same file, 291-309), makes the first-level route take only alerts whose
`namespace` label is this namespace (pkg/apis/monitoring/v1alpha1/alertmanager_config_types.go:116-120): every
rule of mlops.emit.k8s.alerts sets it.

Severity decides who hears: `critical` goes to every receiver (PagerDuty pages), `warning` to every receiver but
PagerDuty (to PagerDuty as a `warning` incident when it is the only one). A model whose drift alert starts its
retraining gets a webhook to the Argo Server's events endpoint, authenticated with the trigger's service-account
token (the ServiceAccount, Secret and WorkflowEventBinding are the training side's), in the environment that trains
it: the Argo Server it calls is that environment's cluster's. Secrets only by reference (SecretKeySelector).
"""

from __future__ import annotations

from mlops import ir
from mlops.emit.k8s import alerts
from mlops.emit.k8s.meta import Obj, Scope, new, source
from mlops.ir import names
from mlops.targets.base import addons

NAME = "mlops-alerts"
PAGE_RECEIVER, WARN_RECEIVER, NOWHERE = "page", "warn", "nowhere"
GROUP_BY = ["alertname", "model", "workload"]
# A still-firing drift alert is re-sent every repeat interval: one retraining a day at most.
RETRAIN_REPEAT = "24h"


def _key(ref: ir.SecretRef) -> Obj:
    return {"name": ref.name, "key": ref.key or ""}


def _configs(notify: tuple[ir.Notify, ...], severity: str) -> Obj:
    """A receiver's configs (v1alpha1 SlackConfig.apiURL, PagerDutyConfig.routingKey, WebhookConfig.urlSecret:
    alertmanager_config_types.go:206,314,488)."""
    out: Obj = {}
    for n in notify:
        if n.receiver == "slack":
            out.setdefault("slackConfigs", []).append({"apiURL": _key(n.secret), "channel": n.channel or "",
                                                       "sendResolved": True})
        elif n.receiver == "pagerduty":
            out.setdefault("pagerdutyConfigs", []).append({"routingKey": _key(n.secret), "severity": severity,
                                                           "sendResolved": True})
        else:
            out.setdefault("webhookConfigs", []).append({"urlSecret": _key(n.secret), "sendResolved": True})
    return out


def _people(notify: tuple[ir.Notify, ...]) -> list[Obj]:
    quiet = tuple(n for n in notify if n.receiver != "pagerduty") or notify
    return [{"name": PAGE_RECEIVER, **_configs(notify, "critical")},
            {"name": WARN_RECEIVER, **_configs(quiet, "warning")}]


def retrained(scope: Scope) -> list[ir.Model]:
    """Models whose drift alert starts a retraining this environment runs."""
    return [m for m in scope.env.models
            if m.drift and m.training and m.training.on_drift and m.training.environment == scope.env.name]


def _retrain(scope: Scope, model: ir.Model) -> tuple[Obj, Obj]:
    """(route, receiver) posting the model's firing drift alert to its WorkflowEventBinding's discriminator."""
    name = names.drift_trigger(model.name)
    auth = {"type": "Bearer", "credentials": {"name": names.drift_trigger_token(model.name), "key": "token"}}
    hook = {"url": addons.workflow_events_url(scope.namespace, name), "sendResolved": False, "maxAlerts": 1,
            "httpConfig": {"authorization": auth}}
    matchers = [{"name": "alertname", "value": alerts.DRIFT_ALERT, "matchType": "="},
                {"name": "model", "value": model.name, "matchType": "="}]
    route = {"receiver": name, "matchers": matchers, "groupBy": ["alertname", "model"],
             "repeatInterval": RETRAIN_REPEAT, "continue": True}
    return route, {"name": name, "webhookConfigs": [hook]}


def alertmanager_config(scope: Scope) -> Obj | None:
    notify = scope.env.monitoring.notify
    triggers = [_retrain(scope, m) for m in retrained(scope)]
    if not notify and not triggers:
        return None
    routes = [route for route, _ in triggers]
    receivers = [receiver for _, receiver in triggers]
    if notify:
        routes.append({"receiver": PAGE_RECEIVER, "groupBy": GROUP_BY,
                       "matchers": [{"name": "severity", "value": alerts.PAGE, "matchType": "="}]})
        receivers += _people(notify)
    else:
        receivers.append({"name": NOWHERE})    # alerts no retraining takes: nobody was named to hear them
    root = {"receiver": WARN_RECEIVER if notify else NOWHERE, "groupBy": GROUP_BY, "routes": routes}
    meta = scope.metadata(NAME, app=scope.env.platform, instance=scope.env.name, component="alerting",
                          source=source("monitoring", "notify") if notify else source("models"))
    return new("monitoring.coreos.com/v1alpha1", "AlertmanagerConfig", meta,
               spec={"route": root, "receivers": receivers})


def build(scope: Scope) -> list[Obj]:
    config = alertmanager_config(scope)
    return [config] if config else []
