"""The live monitors of a model as CronJobs: `monitoring.dataChecks`, `monitoring.fairness`, `monitoring.explain`.

Each runs its mlops.jobs program in the target's job image on the monitor's schedule, like the drift job
(mlops.emit.k8s.drift): the storage-initializer downloads the live records (`serving.live_input`), explain's
baseline (`data.training`) and the served artifact with the model's identity (all three are in `serving.downloads`,
so the target grants them), the program pushes its verdict to the Pushgateway and exits 0 (`--exit-zero`): the
model's PrometheusRule reports findings (mlops.emit.k8s.monitor_alerts). Restricted PSS, no token, one run at a time.

- datacheck: the live records against `live.yaml` of the model's contract ConfigMap (mlops.emit.k8s.contract);
- fairness: the live records' predictions per `data.protected` group against `monitoring.fairness.metrics` (a
  `<model>-fairness` ConfigMap holds them, in the gate's thresholds shape), `minGroupSize`;
- explain: SHAP attributions of the served artifact on the training data and on live records, `method`, `sample`,
  `alertOnShift`.
"""

from __future__ import annotations

import json

from mlops import ir
from mlops.emit.k8s import artifacts, contract, drift
from mlops.emit.k8s.meta import Obj, Scope, new, number, selector, source
from mlops.emit.k8s.runtimes import RUN_AS
from mlops.emit.k8s.security import container_security, init_security, pod_security, push_policy
from mlops.ir import names, serving

LIVE_DIR, BASELINE_DIR, MODEL_DIR, REPORT_DIR = drift.LIVE_DIR, drift.BASELINE_DIR, "/data/model", drift.REPORT_DIR
FAIRNESS_DIR, FAIRNESS_FILE = "/etc/mlops/fairness", "thresholds.json"
SECTIONS = {"datacheck": "dataChecks", "fairness": "fairness", "explain": "explain"}


def fairness_bounds(fairness: ir.Fairness) -> dict[str, dict[str, dict[str, float]]]:
    """mlops.jobs.fairness's `--thresholds` file (mlops.jobs.scoring.load_thresholds: the gate's shape)."""
    return {"metrics": {}, "fairness": {b.metric: {k: v for k, v in (("min", b.min), ("max", b.max)) if v is not None}
                                        for b in fairness.metrics}}


def _args(model: ir.Model, program: str) -> list[str]:
    """The program's own flags (their argparse: compiler/jobs/<program>.py `arguments`)."""
    data = model.data
    assert data is not None
    predicted = ["--prediction", data.prediction] if data.prediction else []
    if program == "datacheck":
        return ["--contract", contract.path("live"), "--data", LIVE_DIR, "--dataset", "live", *predicted]
    if program == "fairness":
        assert model.fairness is not None
        labelled = ["--label", data.label] if data.label else []
        return ["--live", LIVE_DIR, "--protected", ",".join(data.protected), "--thresholds",
                f"{FAIRNESS_DIR}/{FAIRNESS_FILE}", "--min-group-size", str(model.fairness.min_group_size),
                *predicted, *labelled]
    assert model.explain is not None
    excluded = ["--exclude", data.label] if data.label else []
    return ["--artifact", MODEL_DIR, "--baseline", BASELINE_DIR, "--live", LIVE_DIR, "--method", model.explain.method,
            "--sample", str(model.explain.sample), "--alert-on-shift", number(model.explain.alert_on_shift),
            *predicted, *excluded]


def _inputs(scope: Scope, model: ir.Model, program: str) -> tuple[list[Obj], list[Obj], list[Obj]]:
    """(init containers, extra volumes, extra main-container mounts) that put the program's inputs in place."""
    live = serving.live_input(model)
    assert live is not None and model.data is not None
    artifact = serving.champion(model) if program == "explain" else None
    baseline = model.data.training if program == "explain" else None
    access = artifacts.store_access([live, baseline, artifact], scope.env.target.storage_credentials)
    inits = [drift.download("fetch-live", live, LIVE_DIR, access)]
    volumes, mounts = list(access.volumes), []
    if baseline:
        inits.append(drift.download("fetch-baseline", baseline, BASELINE_DIR, access))
    if artifact:     # its own volume: a modelcar's `cp` copies into the folder it is given, which must exist
        inits.append({**artifacts.fetch(artifact, scope.hints.registry, init_security(), dest=MODEL_DIR,
                                        volume="model", access=access), "name": "fetch-model"})
        volumes.append({"name": "model", "emptyDir": {}})
        mounts.append({"name": "model", "mountPath": MODEL_DIR, "readOnly": True})
    if program == "datacheck":
        volumes.append(contract.volume(model))
        mounts.append(contract.mount())
    if program == "fairness":
        volumes.append({"name": "fairness", "configMap": {"name": names.monitor(model.name, "fairness")}})
        mounts.append({"name": "fairness", "mountPath": FAIRNESS_DIR, "readOnly": True})
    return inits, volumes, mounts


def _pod(scope: Scope, model: ir.Model, program: str) -> Obj:
    inits, volumes, mounts = _inputs(scope, model, program)
    push = ["--pushgateway", scope.addons.pushgateway.url, "--model", model.name, "--namespace", scope.namespace]
    # The root filesystem is read-only: HOME (the image's /home/mlops) moves to the writable /tmp.
    main = {"name": program, "image": scope.env.target.jobs_image,
            "command": ["python", "-m", f"mlops.jobs.{program}"],
            "args": [*_args(model, program), "--out", REPORT_DIR, *push, "--exit-zero"],
            "env": [{"name": "HOME", "value": "/tmp"}], "resources": drift.RESOURCES,
            "securityContext": container_security(RUN_AS),
            "volumeMounts": [{"name": "data", "mountPath": "/data", "readOnly": True},
                             {"name": "tmp", "mountPath": "/tmp"}, *mounts]}
    return {"restartPolicy": "Never", "serviceAccountName": model.name, "automountServiceAccountToken": False,
            "enableServiceLinks": False, "securityContext": pod_security(RUN_AS), "initContainers": inits,
            "containers": [main], "volumes": [{"name": "data", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}},
                                              *volumes]}


def cron_job(scope: Scope, model: ir.Model, program: str, schedule: str) -> Obj:
    labels = {**scope.labels(model.name, model.name, program), **dict(scope.hints.pod_labels),
              **selector(model.name, component=program)}
    job = {"backoffLimit": 1, "activeDeadlineSeconds": 3600,
           "template": {"metadata": {"labels": labels}, "spec": _pod(scope, model, program)}}
    spec = {"schedule": schedule, "concurrencyPolicy": "Forbid", "successfulJobsHistoryLimit": 1,
            "failedJobsHistoryLimit": 3, "jobTemplate": {"spec": job}}
    meta = scope.metadata(names.monitor(model.name, program), app=model.name, instance=model.name,
                          component=program, source=source("models", model.name, "monitoring", SECTIONS[program]))
    return new("batch/v1", "CronJob", meta, spec=spec)


def _fairness_map(scope: Scope, model: ir.Model, fairness: ir.Fairness) -> Obj:
    meta = scope.metadata(names.monitor(model.name, "fairness"), app=model.name, instance=model.name,
                          component="fairness", source=source("models", model.name, "monitoring", "fairness"))
    text = json.dumps(fairness_bounds(fairness), sort_keys=True, indent=2) + "\n"
    return new("v1", "ConfigMap", meta, data={FAIRNESS_FILE: text})


def build(scope: Scope, model: ir.Model) -> list[Obj]:
    found = {"datacheck": model.data_checks, "fairness": model.fairness, "explain": model.explain}
    out: list[Obj] = []
    for program, monitor in found.items():
        if monitor is None:
            continue
        out += [cron_job(scope, model, program, monitor.schedule),
                push_policy(scope, model, program, names.monitor(model.name, program))]
    return out + ([_fairness_map(scope, model, model.fairness)] if model.fairness else [])
