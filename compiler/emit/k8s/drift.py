"""The drift CronJob of a model with `monitoring.drift`.

Each run downloads the baseline and the live inputs with the storage-initializer (the model's workload
identity, or the target's `storageCredentials` Secret for the baseline's scheme), then runs `python -m
mlops.jobs.drift` in the target's job image (Evidently per column: `monitoring.drift.method`, its `threshold`,
columns typed from the model's ODCS contract when `data.columns` declares them, and per variant when the logged
records name one) and pushes to the Pushgateway (job `mlops-drift`, grouping namespace/model), where the model's
PrometheusRule alerts on `mlops_drift_detected`. A drifted run exits 0 (`--exit-zero`): drift is the alert's to
report, a failed Job (retried, then KubeJobFailed) would say the check itself broke.

Live inputs are read next to the baseline (`mlops.ir.serving.live_uri`): `<baseline folder>/live/<model>/` for
s3://, gs:// and az:// (every file under it), `<baseline folder>/live/<model><baseline suffix>` for https:// (one
file, as https cannot be listed), or `data.live` when declared.
"""

from __future__ import annotations

from mlops import ir
from mlops.emit.k8s import artifacts, contract
from mlops.emit.k8s.meta import Obj, Scope, new, number, selector, source
from mlops.emit.k8s.runtimes import RUN_AS, STORAGE_INITIALIZER_IMAGE
from mlops.emit.k8s.security import container_security, init_security, pod_security
from mlops.ir import names, serving

BASELINE_DIR, LIVE_DIR, REPORT_DIR = "/data/baseline", "/data/live", "/tmp/report"
RESOURCES = {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"memory": "2Gi"}}


def download(name: str, uri: str, dest: str, access: artifacts.StoreAccess) -> Obj:
    """One storage-initializer per source: the pinned v0.15.2 entrypoint takes exactly one `SRC DEST` pair (with
    more it prints its usage and exits 0, having fetched nothing: kserve@v0.15.2
    python/storage-initializer/scripts/initializer-entrypoint l.9-11). `access`: the target's storageCredentials
    for a store its own identity cannot read."""
    return {"name": name, "image": STORAGE_INITIALIZER_IMAGE, "args": [artifacts.resolve(uri, "").uri, dest],
            "env": [{"name": "HOME", "value": "/tmp"}, *access.env], "resources": artifacts.INIT_RESOURCES,
            "securityContext": init_security(),
            "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "tmp", "mountPath": "/tmp"},
                             *access.mounts]}


def fetches(model: ir.Model, access: artifacts.StoreAccess) -> list[Obj]:
    """The drift job's init containers: the baseline into BASELINE_DIR, then the live inputs into LIVE_DIR."""
    baseline, live = serving.drift_inputs(model)
    return [download("fetch-baseline", baseline, BASELINE_DIR, access), download("fetch-live", live, LIVE_DIR, access)]


def typed(model: ir.Model) -> bool:
    """The model's data declares its columns: the jobs read their kinds from its contract."""
    return model.data is not None and bool(model.data.columns)


def _args(scope: Scope, model: ir.Model) -> list[str]:
    """mlops.jobs.drift's flags (its argparse: compiler/jobs/drift.py `arguments`, common.parser)."""
    assert model.drift is not None
    out = ["--baseline", BASELINE_DIR, "--live", LIVE_DIR, "--out", REPORT_DIR, "--method", model.drift.method,
           "--threshold", number(model.drift.threshold)]
    out += ["--contract", contract.path("live")] if typed(model) else []
    if model.data is not None and model.data.prediction:
        out += ["--prediction", model.data.prediction]
    return [*out, "--pushgateway", scope.addons.pushgateway.url, "--model", model.name,
            "--namespace", scope.namespace, "--exit-zero"]


def _container(scope: Scope, model: ir.Model) -> Obj:
    mounts = [{"name": "data", "mountPath": "/data", "readOnly": True}, {"name": "tmp", "mountPath": "/tmp"}]
    mounts += [contract.mount()] if typed(model) else []
    # The root filesystem is read-only: HOME (the image's /home/mlops) moves to the writable /tmp.
    return {"name": "drift", "image": scope.env.target.jobs_image,
            "command": ["python", "-m", "mlops.jobs.drift"], "args": _args(scope, model),
            "env": [{"name": "HOME", "value": "/tmp"}], "resources": RESOURCES,
            "securityContext": container_security(RUN_AS), "volumeMounts": mounts}


def cron_job(scope: Scope, model: ir.Model) -> Obj:
    assert model.drift is not None
    access = artifacts.store_access(list(serving.drift_inputs(model)), scope.env.target.storage_credentials)
    pod = {"restartPolicy": "Never", "serviceAccountName": model.name, "automountServiceAccountToken": False,
           "enableServiceLinks": False, "securityContext": pod_security(RUN_AS),
           "initContainers": fetches(model, access), "containers": [_container(scope, model)],
           "volumes": [{"name": "data", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}},
                       *([contract.volume(model)] if typed(model) else []), *access.volumes]}
    labels = {**scope.labels(model.name, model.name, "drift"), **dict(scope.hints.pod_labels),
              **selector(model.name, component="drift")}
    job = {"backoffLimit": 1, "activeDeadlineSeconds": 3600,
           "template": {"metadata": {"labels": labels}, "spec": pod}}
    spec = {"schedule": model.drift.schedule, "concurrencyPolicy": "Forbid", "successfulJobsHistoryLimit": 1,
            "failedJobsHistoryLimit": 3, "jobTemplate": {"spec": job}}
    meta = scope.metadata(names.drift(model.name), app=model.name, instance=model.name, component="drift",
                          source=source("models", model.name, "monitoring", "drift"))
    return new("batch/v1", "CronJob", meta, spec=spec)


def build(scope: Scope, model: ir.Model) -> list[Obj]:
    if not model.drift:
        return []
    return [cron_job(scope, model)]
