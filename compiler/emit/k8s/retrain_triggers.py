"""What starts a model's retraining: a CronWorkflow for `training.triggers.schedule`, and for `triggers.drift` the
Argo side of the drift alert (the Alertmanager receiver that posts the event is emitted with the alerts).

The drift trigger (argoproj/argo-workflows@v4.0.6:docs/events.md): Alertmanager posts the firing alert to the Argo
Server's `/api/v1/events/<namespace>/<discriminator>` (mlops.targets.base.addons.workflow_events_url) with the bearer
token of ServiceAccount `names.drift_trigger(model)`, held in the service-account-token Secret
`names.drift_trigger_token(model)` (docs/access-token.md:36-53). The server acts with the caller's token (auth mode
`client`, docs/argo-server-auth-mode.md:9), so that account may exactly: list the WorkflowEventBindings, get the
model's WorkflowTemplate, create Workflows (manifests/quick-start/base/webhooks/submit-workflow-template-role.yaml).
The WorkflowEventBinding of the same name selects the discriminator and submits `<model>-retrain`.
"""

from __future__ import annotations

from mlops import ir
from mlops.emit.k8s.meta import Obj, Scope, new
from mlops.emit.k8s.training import API, meta, rbac
from mlops.ir import names
from mlops.targets.base.addons import trained

# CronWorkflow v4: `schedules` is a non-empty list (docs/cron-workflows.md:47; the singular `schedule` was removed,
# docs/upgrading.md:15); Forbid skips a run while the previous one is still going.
HISTORY = {"successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 3}
# Day and month names: the CRDs of v4.0.2-v4.0.5 (and @kubernetes-models/argo-workflows@2.0.0, generated from them)
# allow only `[0-9*,/?-]` in a field, v4.0.6's `[A-Za-z0-9*,/?-]` (argoproj/argo-helm@argo-workflows-1.0.18:
# charts/argo-workflows/files/crds/full/argoproj.io_cronworkflows.yaml:61): numbers pass every v4 release.
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def numeric(schedule: str) -> str:
    """`0 3 * * MON` -> `0 3 * * 1`: names of months (field 4) and days (field 5) as numbers; macros unchanged."""
    fields = schedule.split()
    if len(fields) != 5:
        return schedule
    month, day = fields[3].upper(), fields[4].upper()
    for i, name in enumerate(MONTHS, start=1):
        month = month.replace(name, str(i))
    for i, name in enumerate(DAYS):
        day = day.replace(name, str(i))
    return " ".join([*fields[:3], month, day])


def cron_workflow(scope: Scope, model: ir.Model) -> Obj:
    assert model.training is not None and model.training.schedule
    submit = {"workflowTemplateRef": {"name": names.retrain(model.name)},
              "arguments": {"parameters": [{"name": "trigger", "value": "schedule"}]}}
    spec = {"schedules": [numeric(model.training.schedule)], "timezone": "UTC", "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 3600, **HISTORY, "workflowSpec": submit}
    return new(API, "CronWorkflow", meta(scope, model, names.retrain(model.name)), spec=spec)


def trigger_rules(model: ir.Model) -> list[Obj]:
    return [{"apiGroups": ["argoproj.io"], "resources": ["workfloweventbindings"], "verbs": ["list"]},
            {"apiGroups": ["argoproj.io"], "resources": ["workflowtemplates"], "verbs": ["get"],
             "resourceNames": [names.retrain(model.name)]},
            {"apiGroups": ["argoproj.io"], "resources": ["workflows"], "verbs": ["create"]}]


def drift_trigger(scope: Scope, model: ir.Model) -> list[Obj]:
    name = names.drift_trigger(model.name)
    account = new("v1", "ServiceAccount", meta(scope, model, name, "drift-trigger"),
                  automountServiceAccountToken=False)
    token_meta = meta(scope, model, names.drift_trigger_token(model.name), "drift-trigger")
    token_meta["annotations"]["kubernetes.io/service-account.name"] = name
    token = new("v1", "Secret", token_meta, type="kubernetes.io/service-account-token")
    # The selector environment holds `discriminator` and `payload` (docs/events.md:164-199); only a firing alert
    # starts a run (the receiver sends no resolved notifications, this guards against one configured to).
    selector = f'discriminator == "{name}" && payload.status == "firing"'
    submit = {"workflowTemplateRef": {"name": names.retrain(model.name)},
              "arguments": {"parameters": [{"name": "trigger", "valueFrom": {"event": '"drift"'}}]}}
    binding = new(API, "WorkflowEventBinding", meta(scope, model, name, "drift-trigger"),
                  spec={"event": {"selector": selector}, "submit": submit})
    return [account, token, *rbac(scope, model, name, trigger_rules(model), "drift-trigger"), binding]


def build(scope: Scope, model: ir.Model) -> list[Obj]:
    if model.training is None or model not in trained(scope.env):
        return []
    out = [cron_workflow(scope, model)] if model.training.schedule else []
    return out + (drift_trigger(scope, model) if model.training.on_drift else [])
