"""Serving pods and their Services: the runtime container, the artifact init container, probes, resources and
placement on the model's node pool."""

from __future__ import annotations

from dataclasses import replace

from mlops import ir
from mlops.emit.k8s import artifacts, request_log
from mlops.emit.k8s.meta import SERVER, Obj, Scope, new, selector, source
from mlops.emit.k8s.runtimes import MODEL_DIR, PASSWD, Runtime, runtime
from mlops.emit.k8s.security import container_security, init_security, pod_security
from mlops.ir import names
from mlops.ir.serving import TPU_FRAMEWORKS, Instance, logged
from mlops.targets import PoolHints

SERVICE_PORT = 8080
ACCELERATOR_TAINTS = ("nvidia.com/gpu", "google.com/tpu")
# The model folder is an emptyDir on the node's disk: bounded by `resources.disk` (also requested and limited, so
# the scheduler places the pod where it fits), else by a cap per runtime (LLM weights run to tens of GiB); past it
# the kubelet evicts the pod saying so, instead of filling the node's disk under every pod on it (integrity review R5).
MODEL_DISK_CAP, LLM_DISK_CAP = "20Gi", "100Gi"
PASSWD_CONFIG_MAP = "mlops-passwd"


def model_runtime(model: ir.Model) -> Runtime:
    """The runtime table's entry, with the model's own `runtime.args` after mlops' (the rules refuse those that
    would set a flag mlops sets) and its `runtime.image` (another tag of the same image, the rules check)."""
    tpu = (model.accelerator or "").startswith("tpu") and model.framework in TPU_FRAMEWORKS
    rt = runtime(model.framework, model.name, model.resources.gpu, tpu)
    extra = model.runtime
    if extra.args or extra.image:
        rt = replace(rt, args=(*rt.args, *extra.args), image=extra.image or rt.image)
    return rt


def _pool(scope: Scope, model: ir.Model) -> PoolHints | None:
    return scope.hints.pools.get(model.node_pool) if model.node_pool else None


def _accelerated(model: ir.Model) -> bool:
    return bool(model.accelerator) and model.resources.gpu > 0


def resources(model: ir.Model, pool: PoolHints | None) -> Obj:
    """CPU pods request what they need and cap memory; accelerator pods get requests equal to limits."""
    res = model.resources
    requests = {"cpu": res.cpu, "memory": res.memory}
    # resources.disk: the scheduler places the pod on a node with that much local disk free, and the kubelet
    # evicts it past that (the model volume, /tmp and the container's logs together), not a neighbour.
    disk = {"ephemeral-storage": res.disk} if res.disk else {}
    if not _accelerated(model):
        return {"requests": requests | disk, "limits": {"memory": res.memory} | disk}
    if pool is None or pool.accelerator_resource is None:
        raise ValueError(f"model {model.name}: node pool {model.node_pool} has no accelerator resource")
    requests[pool.accelerator_resource] = str(res.gpu)
    return {"requests": requests | disk, "limits": requests | disk}


def placement(model: ir.Model, pool: PoolHints | None) -> Obj:
    """The pool's node selector; its tolerations, without the accelerator ones unless the pod uses one."""
    if pool is None:
        return {}
    tolerations = [dict(t) for t in pool.tolerations
                   if _accelerated(model) or dict(t).get("key") not in ACCELERATOR_TAINTS]
    return {"nodeSelector": dict(pool.node_selector), **({"tolerations": tolerations} if tolerations else {})}


# A Hugging Face token the runtime reads through huggingface_hub is mounted as a file, not put in the environment
# (where `kubectl describe`, crash dumps and every child process see it): huggingface_hub reads HF_TOKEN (or
# HUGGING_FACE_HUB_TOKEN) first, else the file HF_TOKEN_PATH names (huggingface/huggingface_hub
# src/huggingface_hub/constants.py `HF_TOKEN_PATH = os.getenv("HF_TOKEN_PATH", HF_HOME/token)`, utils/_auth.py
# `get_token() = _get_token_from_environment() or _get_token_from_file()`), and a request without an explicit
# token sends that one (utils/_headers.py get_token_to_send). vLLM and MLServer's huggingface runtime download
# through huggingface_hub; a custom image's reading of the variable is unknowable, so it keeps the variable.
HF_TOKEN_VARS = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")
HF_TOKEN_DIR, HF_TOKEN_VOLUME = "/var/run/secrets/mlops/huggingface", "hf-token"


def hf_token(rt: Runtime, model: ir.Model) -> ir.EnvVar | None:
    """The model's Hugging Face token Secret when its runtime reads the token from a file (mounted, not env)."""
    if rt.kind != "vllm" and model.framework != "huggingface":
        return None
    return next((v for v in model.env if v.name in HF_TOKEN_VARS and v.secret_name), None)


def _env(rt: Runtime, model: ir.Model) -> list[Obj]:
    """The runtime's settings, then the model's own (which win on a shared name)."""
    merged: dict[str, Obj] = {k: {"name": k, "value": v} for k, v in rt.env}
    token = hf_token(rt, model)
    for var in model.env:
        if var is token:
            merged["HF_TOKEN_PATH"] = {"name": "HF_TOKEN_PATH", "value": f"{HF_TOKEN_DIR}/token"}
        elif var.secret_name:
            merged[var.name] = {"name": var.name,
                                "valueFrom": {"secretKeyRef": {"name": var.secret_name, "key": var.secret_key}}}
        else:
            merged[var.name] = {"name": var.name, "value": var.value or ""}
    return list(merged.values())


def _probe(path: str, period: int, failures: int) -> Obj:
    return {"httpGet": {"path": path, "port": "http"}, "periodSeconds": period, "failureThreshold": failures}


def server_container(model: ir.Model, rt: Runtime, pool: PoolHints | None, has_model: bool) -> Obj:
    ports = [{"name": "http", "containerPort": rt.http_port, "protocol": "TCP"}]
    if rt.metrics_port != rt.http_port:
        ports.append({"name": "metrics", "containerPort": rt.metrics_port, "protocol": "TCP"})
    mounts: list[Obj] = [{"name": "tmp", "mountPath": "/tmp"}]
    mounts += [{"name": "models", "mountPath": MODEL_DIR, "readOnly": True}] if has_model else []
    mounts += [{"name": "shm", "mountPath": "/dev/shm"}] if rt.shared_memory else []
    passwd = {"name": "passwd", "mountPath": "/etc/passwd", "subPath": "passwd", "readOnly": True}
    mounts += [passwd] if rt.passwd else []
    mounts += [{"name": HF_TOKEN_VOLUME, "mountPath": HF_TOKEN_DIR, "readOnly": True}] if hf_token(rt, model) else []
    out: Obj = {"name": SERVER, "image": model.image if rt.image is None else rt.image}
    out |= {"command": list(rt.command)} if rt.command else {}
    out |= {"args": list(rt.args)} if rt.args else {}
    return {**out, "env": _env(rt, model), "ports": ports, "resources": resources(model, pool),
            "startupProbe": _probe(rt.live_path, 10, max(rt.startup_seconds // 10, 1)),
            "readinessProbe": _probe(rt.ready_path, 5, 3), "livenessProbe": _probe(rt.live_path, 10, 3),
            "securityContext": container_security(), "volumeMounts": mounts}


PROGRESSIVE = ("canary", "blue-green")     # strategies run by Argo Rollouts (mlops.emit.k8s.rollout)


def pod_template(scope: Scope, model: ir.Model, inst: Instance) -> Obj:
    rt, pool = model_runtime(model), _pool(scope, model)
    has_model = inst.artifact is not None
    volumes: list[Obj] = [{"name": "tmp", "emptyDir": {}}]
    cap = model.resources.disk or (LLM_DISK_CAP if rt.kind == "vllm" else MODEL_DISK_CAP)
    volumes += [{"name": "models", "emptyDir": {"sizeLimit": cap}}] if has_model else []
    volumes += [{"name": "shm", "emptyDir": {"medium": "Memory"}}] if rt.shared_memory else []
    volumes += [{"name": "passwd", "configMap": {"name": PASSWD_CONFIG_MAP}}] if rt.passwd else []
    if token := hf_token(rt, model):
        volumes.append({"name": HF_TOKEN_VOLUME, "secret": {"secretName": token.secret_name,
                                                             "items": [{"key": token.secret_key, "path": "token"}]}})
    spec: Obj = {
        "serviceAccountName": model.name,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        # A custom image runs as its own USER, or as the uid the spec gives for a named one (runtime.user).
        "securityContext": pod_security(rt.run_as if rt.run_as is not None else model.runtime.user),
        "containers": [server_container(model, rt, pool, has_model)]
        + ([request_log.agent_container(rt, model.name, scope.namespace, inst.name,
                                        model.rollout.strategy in PROGRESSIVE)]
           if logged(model) else []),
        "volumes": volumes,
        **placement(model, pool),
    }
    if inst.artifact is not None:
        access = artifacts.store_access([inst.artifact], scope.env.target.storage_credentials)
        own = model.resources
        limits = artifacts.guaranteed(own.cpu, own.memory) if _accelerated(model) else artifacts.INIT_RESOURCES
        spec["initContainers"] = [artifacts.fetch(inst.artifact, scope.hints.registry, init_security(),
                                                  access=access, resources=limits)]
        spec["volumes"] = [*volumes, *access.volumes]
    labels = {**scope.labels(model.name, inst.name, SERVER), **dict(scope.hints.pod_labels)}
    return {"metadata": {"labels": labels}, "spec": spec}


def service(scope: Scope, model: ir.Model, name: str, inst: Instance) -> Obj:
    """A Service over the pods of `inst` (Argo Rollouts narrows canary/preview ones to a pod-template hash)."""
    meta = scope.metadata(name, app=model.name, instance=inst.name, component=SERVER, source=inst.source)
    # A logged model's traffic goes through its logger sidecar, which forwards to the runtime (--component-port).
    target = "agent-port" if logged(model) else "http"
    ports = [{"name": "http", "port": SERVICE_PORT, "targetPort": target, "protocol": "TCP"}]
    return new("v1", "Service", meta, spec={"selector": selector(model.name, inst.name), "ports": ports})


def metrics_service(scope: Scope, model: ir.Model) -> Obj:
    """A headless Service over every pod of the model (all instances, all versions), scraped by Prometheus.

    Kept apart from the traffic Services, which Argo Rollouts points at the same pods at times: scraping
    those would count every pod twice."""
    rt = model_runtime(model)
    name = names.metrics_service(model.name)
    meta = scope.metadata(name, app=model.name, instance=model.name, component="metrics",
                          source=source("models", model.name, "monitoring"))
    ports = [{"name": "metrics", "port": rt.metrics_port, "targetPort": rt.metrics_port, "protocol": "TCP"}]
    return new("v1", "Service", meta, spec={"clusterIP": "None", "selector": selector(model.name), "ports": ports})


def passwd_config_map(scope: Scope) -> Obj:
    """The passwd file mounted into pods whose image defines no user for their uid (runtimes.PASSWD)."""
    meta = scope.metadata(PASSWD_CONFIG_MAP, app=scope.env.platform, instance=PASSWD_CONFIG_MAP, component="identity",
                          source=source("models"))
    return new("v1", "ConfigMap", meta, data={"passwd": PASSWD})


def metric_selector(scope: Scope, model: ir.Model, instance: str | None = None) -> str:
    """PromQL matchers of the series scraped from the model's pods (of one instance when given)."""
    out = f'namespace="{scope.namespace}",service="{names.metrics_service(model.name)}"'
    return f'{out},app_kubernetes_io_instance="{instance}"' if instance else out
