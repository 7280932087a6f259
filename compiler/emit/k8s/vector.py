"""Request logging's objects in an environment with logged models: the agent sidecars' network path out, and one
Vector per environment (ServiceAccount, ConfigMap, Deployment, Service, NetworkPolicy) writing every logged
model's events to its data.live.

One Vector per environment, not per model: the agents all post to one address, each event names its model
(`ce-inferenceservicename`), and the config routes it to that model's sink; one pod per namespace costs less than
one per model, and a model added is one more filter/sample/sink, not one more Deployment.
"""

from __future__ import annotations

import json

from mlops import ir
from mlops.emit.k8s.artifacts import GS_KEY_FILE
from mlops.emit.k8s.meta import COMPONENT, NAME, SERVER, Obj, Scope, new, selector, source
from mlops.emit.k8s.request_log import DATA_DIR, SECRET_KEYS, VECTOR, VECTOR_PORT, secret_dir, vector_config
from mlops.emit.k8s.security import container_security, pod_security
from mlops.ir import serving
from mlops.ir.runtimes import VECTOR_IMAGE
from mlops.ir.serving import logged

COMPONENT_NAME = "request-log"
CONFIG_DIR = "/etc/vector"
CONFIG_FILE = "vector.yaml"      # JSON text, which is YAML: one serializer, stable bytes
VECTOR_UID = 65532               # the image sets no USER (distroless-libc Dockerfile); distroless' passwd has nonroot
# mlops' own bound (not a Vector figure): one stateless pipeline buffering a batch (10 MB or 5 minutes) per sink.
RESOURCES: Obj = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}}
# A storageCredentials Secret's files are root's; with the pod's fsGroup (65532, pod_security) the kubelet gives them
# that group and adds group read to whatever defaultMode says (kubernetes/kubernetes#57923: 0400 is mounted 0440
# with an fsGroup; pkg/volume/volume_linux.go, roMask 0440 for a read-only volume), so 0440 is stated as what they
# get: readable by Vector's uid 65532 through its group (runAsGroup 65532), by no other uid but root.
SECRET_MODE = 0o440


def _meta(scope: Scope, name: str, component: str = COMPONENT_NAME) -> Obj:
    return scope.metadata(name, app=VECTOR, instance=VECTOR, component=component,
                          source=source("models"))


def _labels() -> dict[str, str]:
    return selector(VECTOR, component=COMPONENT_NAME)


def _logged(scope: Scope, models: list[ir.Model]) -> tuple[list[tuple[str, str, float]], list[str]]:
    """(model, data.live, sample) for each logged model, and the data.live folders written with a
    storageCredentials Secret: all but those Vector's own identity writes (`serving.live_writes`)."""
    entries = [(m.name, m.data.live, m.logging.sample) for m in models
               if m.data is not None and m.data.live and m.logging is not None]
    own = serving.live_writes(scope.env)
    return entries, [live for _, live, _ in entries if live not in own]


def secrets(scope: Scope, lives: list[str]) -> tuple[list[Obj], list[Obj]]:
    """(volumes, mounts) of the storageCredentials Secrets of the schemes `lives` are written with: each a read-only
    Secret volume at `secret_dir(scheme)` projecting exactly the keys Vector's config reads (SECRET_KEYS; gs: the
    secretRef's key as key.json), so a key the Secret lacks stops the mount, naming it, before Vector starts."""
    schemes = {live.partition("://")[0] for live in lives}
    volumes, mounts = [], []
    for given in sorted(scope.env.target.storage_credentials, key=lambda c: c.scheme):
        if given.scheme not in schemes:
            continue
        items = [{"key": given.secret.key or GS_KEY_FILE, "path": GS_KEY_FILE}] if given.scheme == "gs" else \
            [{"key": key, "path": key} for key in SECRET_KEYS[given.scheme]]
        volume = f"{given.scheme}-credentials"
        volumes.append({"name": volume, "secret": {"secretName": given.secret.name, "defaultMode": SECRET_MODE,
                                                   "items": items}})
        mounts.append({"name": volume, "mountPath": secret_dir(given.scheme), "readOnly": True})
    return volumes, mounts


def _container(mounts: list[Obj]) -> Obj:
    """Vector's container: no environment (its keys are mounted files, `secrets`)."""
    mounts = [{"name": "config", "mountPath": CONFIG_DIR, "readOnly": True},
              {"name": "data", "mountPath": DATA_DIR}, *mounts]
    return {"name": VECTOR, "image": VECTOR_IMAGE, "args": ["--config", f"{CONFIG_DIR}/{CONFIG_FILE}"],
            "ports": [{"name": "http", "containerPort": VECTOR_PORT, "protocol": "TCP"}],
            "readinessProbe": {"tcpSocket": {"port": "http"}, "periodSeconds": 10},
            # Restarted when its source stops accepting: the agents' requests are its input. A TCP check, not
            # Vector's /health, which needs its API server on (`api.enabled`), one more listener to guard.
            "livenessProbe": {"tcpSocket": {"port": "http"}, "periodSeconds": 20, "failureThreshold": 3},
            "resources": RESOURCES, "securityContext": container_security(VECTOR_UID), "volumeMounts": mounts}


def deployment(scope: Scope, models: list[ir.Model]) -> Obj:
    secret_volumes, mounts = secrets(scope, _logged(scope, models)[1])
    volumes = [{"name": "config", "configMap": {"name": VECTOR}}, {"name": "data", "emptyDir": {}}, *secret_volumes]
    spec: Obj = {"serviceAccountName": VECTOR, "automountServiceAccountToken": False, "enableServiceLinks": False,
                 "securityContext": pod_security(VECTOR_UID), "containers": [_container(mounts)],
                 "volumes": volumes}
    template = {"metadata": {"labels": {**scope.labels(VECTOR, VECTOR, COMPONENT_NAME),
                                        **dict(scope.hints.pod_labels)}}, "spec": spec}
    # No `replicas`: the default, 1; mlops emits no field a controller may own (Argo CD diffs ignore none).
    return new("apps/v1", "Deployment", _meta(scope, VECTOR),
               spec={"selector": {"matchLabels": _labels()}, "revisionHistoryLimit": 3,
                     "template": template})


def config_map(scope: Scope, models: list[ir.Model]) -> Obj:
    entries, by_secret = _logged(scope, models)
    text = json.dumps(vector_config(entries, scope.env.target.region, by_secret), indent=2) + "\n"
    return new("v1", "ConfigMap", _meta(scope, VECTOR), data={CONFIG_FILE: text})


def service(scope: Scope) -> Obj:
    ports = [{"name": "http", "port": VECTOR_PORT, "targetPort": "http", "protocol": "TCP"}]
    return new("v1", "Service", _meta(scope, VECTOR), spec={"selector": _labels(), "ports": ports})


def service_account(scope: Scope) -> Obj:
    """Vector's ServiceAccount, annotated like a trainer's with the cloud identity the target gives it (write on
    the logged models' data.live, `mlops.targets.base.identities`); none where a Secret writes them."""
    meta = _meta(scope, VECTOR, "identity")
    meta["annotations"].update(scope.hints.service_account(VECTOR))
    return new("v1", "ServiceAccount", meta, automountServiceAccountToken=False)


def policies(scope: Scope, models: list[ir.Model]) -> list[Obj]:
    """Logged models' pods may post to Vector; Vector takes posts from them only (its way out to the store, HTTPS,
    is the namespace's baseline egress)."""
    to_vector = [{"to": [{"podSelector": {"matchLabels": _labels()}}], "ports": [{"port": VECTOR_PORT,
                                                                                  "protocol": "TCP"}]}]
    out = [new("networking.k8s.io/v1", "NetworkPolicy", _meta(scope, f"{m.name}-request-log", "network-policy"),
               spec={"podSelector": {"matchLabels": selector(m.name)}, "policyTypes": ["Egress"],
                     "egress": to_vector}) for m in models]
    senders = {"podSelector": {"matchExpressions": [
        {"key": NAME, "operator": "In", "values": sorted(m.name for m in models)},
        {"key": COMPONENT, "operator": "In", "values": [SERVER]}]}}
    ingress = [{"from": [senders], "ports": [{"port": VECTOR_PORT, "protocol": "TCP"}]}]
    out.append(new("networking.k8s.io/v1", "NetworkPolicy", _meta(scope, VECTOR, "network-policy"),
                   spec={"podSelector": {"matchLabels": _labels()}, "policyTypes": ["Ingress"], "ingress": ingress}))
    return out


def build(scope: Scope) -> list[Obj]:
    models = [m for m in scope.env.models if logged(m)]
    if not models:
        return []
    return [service_account(scope), config_map(scope, models), deployment(scope, models), service(scope),
            *policies(scope, models)]
