"""The drift CronJob of a model with `monitoring.drift`.

Each run downloads the baseline and the live inputs with the storage-initializer (the model's workload
identity, or the target's `storageCredentials` Secret for the baseline's scheme), computes the PSI per feature
(drift_program.py, shipped in a ConfigMap) and pushes the score to the Pushgateway, where the model's
PrometheusRule alerts above `threshold`.

Live inputs are read next to the baseline (`mlops.ir.serving.live_uri`): `<baseline folder>/live/<model>/` for
s3://, gs:// and az:// (every file under it), `<baseline folder>/live/<model><baseline suffix>` for https:// (one
file, as https cannot be listed). Whatever logs the model's requests writes there.
"""

from __future__ import annotations

from pathlib import Path

from mlops import ir
from mlops.emit.k8s import artifacts
from mlops.emit.k8s.meta import Obj, Scope, new, selector, source
from mlops.emit.k8s.runtimes import DRIFT_IMAGE, RUN_AS, STORAGE_INITIALIZER_IMAGE
from mlops.emit.k8s.security import container_security, init_security, pod_security
from mlops.ir import names, serving

PROGRAM = Path(__file__).with_name("drift_program.py")
BASELINE_DIR, LIVE_DIR, PROGRAM_DIR = "/data/baseline", "/data/live", "/opt/mlops"
RESOURCES = {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"memory": "2Gi"}}


def _fetch(name: str, uri: str, dest: str, access: artifacts.StoreAccess) -> Obj:
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
    return [_fetch("fetch-baseline", baseline, BASELINE_DIR, access), _fetch("fetch-live", live, LIVE_DIR, access)]


def _container(scope: Scope, model: ir.Model) -> Obj:
    env = {"BASELINE_DIR": BASELINE_DIR, "LIVE_DIR": LIVE_DIR, "MODEL": model.name, "NAMESPACE": scope.namespace,
           "PUSHGATEWAY_URL": scope.addons.pushgateway.url, "HOME": "/tmp"}
    mounts = [{"name": "data", "mountPath": "/data", "readOnly": True},
              {"name": "program", "mountPath": PROGRAM_DIR, "readOnly": True},
              {"name": "tmp", "mountPath": "/tmp"}]
    return {"name": "drift", "image": DRIFT_IMAGE, "command": ["python", f"{PROGRAM_DIR}/{PROGRAM.name}"],
            "env": [{"name": k, "value": v} for k, v in env.items()], "resources": RESOURCES,
            "securityContext": container_security(), "volumeMounts": mounts}


def program_config_map(scope: Scope, model: ir.Model) -> Obj:
    meta = scope.metadata(names.drift(model.name), app=model.name, instance=model.name, component="drift",
                          source=source("models", model.name, "monitoring", "drift"))
    return new("v1", "ConfigMap", meta, data={PROGRAM.name: PROGRAM.read_text(encoding="utf-8")})


def cron_job(scope: Scope, model: ir.Model) -> Obj:
    assert model.drift is not None
    access = artifacts.store_access(list(serving.drift_inputs(model)), scope.env.target.storage_credentials)
    pod = {"restartPolicy": "Never", "serviceAccountName": model.name, "automountServiceAccountToken": False,
           "enableServiceLinks": False, "securityContext": pod_security(RUN_AS),
           "initContainers": fetches(model, access), "containers": [_container(scope, model)],
           "volumes": [{"name": "data", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}},
                       {"name": "program", "configMap": {"name": names.drift(model.name)}}, *access.volumes]}
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
    return [cron_job(scope, model), program_config_map(scope, model)] if model.drift else []
