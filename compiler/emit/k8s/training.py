"""A model's retraining pipeline on Argo Workflows v4: the WorkflowTemplate `<model>-retrain` and what it runs with.

Emitted only in `training.environment` (where the model trains and whose served artifact is the champion):

- ServiceAccount `<model>-train` (the pods' workload identity) with a Role and RoleBinding holding exactly the
  executor's minimum: `workflowtaskresults` create and patch (argoproj/argo-workflows@v4.0.6:docs/workflow-rbac.md
  :11-28 "The minimum for the executor to function"). The pods mount no token (`automountServiceAccountToken:
  false`); Argo then mounts the executor's token (`executor.serviceAccountName`) into its own init/wait containers
  only ("ServiceAccountName of ExecutorConfig must be specified if this value is false", WorkflowSpec field doc,
  pkg/apis/workflow/v1alpha1/workflow_types.go), so the team's training code never holds a Kubernetes credential.
- ConfigMap `<model>-retrain`: the gate's thresholds. The data check reads the training data's ODCS contract from the
  model's one contract ConfigMap (mlops.emit.k8s.contract), which the monitoring jobs mount too.
- The DAG: datacheck (`python -m mlops.jobs.datacheck`, absent with `dataChecks: off`, `--exit-zero` with `warn`)
  -> train (the team's image on `training.nodePool`, /data/train in, /out/model out, `activeDeadlineSeconds` =
  timeout) -> evaluate (`python -m mlops.jobs.gate`: the candidate against the champion on the holdout). Inputs are
  downloaded by the storage-initializer, one source per init container (its entrypoint takes one pair:
  mlops.emit.k8s.drift). Publishing is Argo's output artifacts: the candidate (train) and the gate's
  report.json/report.md (evaluate) go under `training.output/<workflow name>/`, uploaded by Argo's wait container with
  the pod's identity (`useSDKCreds`, or the target's storageCredentials Secret), unarchived (`archive.none`).
- NetworkPolicy `<model>-retrain`: the workflow pods may also reach the Pushgateway (the namespace's baseline already
  allows DNS, HTTPS to the stores and the identity endpoint).
"""

from __future__ import annotations

import json

from mlops import ir
from mlops.emit import contracts
from mlops.emit.k8s import artifacts, contract
from mlops.emit.k8s.meta import Obj, Scope, new, selector, source
from mlops.emit.k8s.runtimes import RUN_AS, STORAGE_INITIALIZER_IMAGE
from mlops.emit.k8s.security import container_security, init_security, pod_security
from mlops.emit.k8s.serving import ACCELERATOR_TAINTS
from mlops.ir import names, serving
from mlops.targets.base.addons import trained
from mlops.targets.base.artifacts import store_scheme, workflow_output

API = "argoproj.io/v1alpha1"
COMPONENT = "training"
# beside, not above, the contract's mount (contract.DIR): a mount point inside a read-only ConfigMap volume
# cannot be created
CONFIG_DIR, THRESHOLDS_FILE = "/etc/mlops/retrain", "thresholds.json"
TRAIN_DIR, MODEL_OUT = "/data/train", "/out/model"
HOLDOUT_DIR, CHAMPION_DIR, REPORT_DIR = "/data/holdout", "/data/champion", "/out/report"
# Argo's input artifacts (the candidate, the data check's report) at paths of their own, outside the pod's volumes
CANDIDATE_DIR, CHECK_REPORT, CHECK_INPUT = "/candidate", "/out/datacheck/report.json", "/datacheck/report.json"
RUN = "{{workflow.name}}"                         # the run id: each run publishes under <output>/<run>/
# when the run started, RFC 3339 (argoproj/argo-workflows docs/variables.md, "Global"): propose's "newest"
STARTED = "{{workflow.creationTimestamp}}"
JOB_RESOURCES = {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "4Gi"}}
EXECUTOR_RULES = [{"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"], "verbs": ["create", "patch"]}]
# Finished pods go (failed ones stay for their logs until the Workflow does); finished Workflows go after a day,
# failed ones after a week (podGC / ttlStrategy: argoproj/argo-workflows@v4.0.6 docs/fields.md PodGC, TTLStrategy).
POD_GC = {"strategy": "OnPodSuccess"}
TTL = {"secondsAfterSuccess": 86400, "secondsAfterFailure": 604800}


def meta(scope: Scope, model: ir.Model, name: str, component: str = COMPONENT) -> Obj:
    return scope.metadata(name, app=model.name, instance=model.name, component=component,
                          source=source("models", model.name, "training"))


def service_account(scope: Scope, model: ir.Model) -> Obj:
    trainer = names.trainer(model.name)
    out = meta(scope, model, trainer, "identity")
    out["annotations"].update(scope.hints.service_account(trainer))
    return new("v1", "ServiceAccount", out, automountServiceAccountToken=False)


def rbac(scope: Scope, model: ir.Model, name: str, rules: list[Obj], component: str = COMPONENT) -> list[Obj]:
    """A Role with `rules` and its RoleBinding to the ServiceAccount of the same name."""
    role = new("rbac.authorization.k8s.io/v1", "Role", meta(scope, model, name, component), rules=rules)
    binding = new("rbac.authorization.k8s.io/v1", "RoleBinding", meta(scope, model, name, component),
                  roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
                  subjects=[{"kind": "ServiceAccount", "name": name, "namespace": scope.namespace}])
    return [role, binding]


def thresholds(training: ir.Training) -> dict[str, dict[str, dict[str, float]]]:
    """The gate's `--thresholds` file, in the spec's shape (mlops.jobs.scoring.load_thresholds)."""
    def shape(bounds: tuple[ir.Threshold, ...]) -> dict[str, dict[str, float]]:
        return {b.metric: {k: v for k, v in (("min", b.min), ("max", b.max), ("minChange", b.min_change))
                           if v is not None} for b in bounds}
    return {"metrics": shape(training.metrics), "fairness": shape(training.fairness)}


def config_map(scope: Scope, model: ir.Model) -> Obj:
    assert model.training is not None
    data = {THRESHOLDS_FILE: json.dumps(thresholds(model.training), sort_keys=True, indent=2) + "\n"}
    return new("v1", "ConfigMap", meta(scope, model, names.retrain(model.name)), data=data)


def _fetch(name: str, uri: str, dest: str, access: artifacts.StoreAccess,
           resources: Obj = artifacts.INIT_RESOURCES) -> Obj:
    return {"name": name, "image": STORAGE_INITIALIZER_IMAGE, "args": [artifacts.resolve(uri, "").uri, dest],
            "env": [{"name": "HOME", "value": "/tmp"}, *access.env], "resources": resources,
            "securityContext": init_security(),
            "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "tmp", "mountPath": "/tmp"},
                             *access.mounts]}


def _volumes(model: ir.Model, access: artifacts.StoreAccess, config: bool = False) -> list[Obj]:
    out: list[Obj] = [{"name": n, "emptyDir": {}} for n in ("data", "out", "tmp")]
    mapped = [{"name": "config", "configMap": {"name": names.retrain(model.name)}}] if config else []
    return out + mapped + access.volumes


def _mounts(config: bool = False) -> list[Obj]:
    out = [{"name": "data", "mountPath": "/data"}, {"name": "out", "mountPath": "/out"},
           {"name": "tmp", "mountPath": "/tmp"}]
    return out + ([{"name": "config", "mountPath": CONFIG_DIR, "readOnly": True}] if config else [])


def _job(scope: Scope, model: ir.Model, program: str, args: list[str]) -> Obj:
    push = ["--pushgateway", scope.addons.pushgateway.url, "--model", model.name, "--namespace", scope.namespace]
    return {"name": "main", "image": scope.env.target.jobs_image, "command": ["python", "-m", f"mlops.jobs.{program}"],
            "args": [*args, *push], "env": [{"name": "HOME", "value": "/tmp"}], "resources": JOB_RESOURCES,
            "securityContext": container_security(), "volumeMounts": _mounts(config=True)}


def location(scope: Scope, output: str, leaf: str) -> Obj:
    """Where Argo uploads a run's `leaf`: `<output>/<run>/<leaf>` (mlops.targets.base.artifacts.workflow_output)."""
    secret = next((c.secret.name for c in scope.env.target.storage_credentials
                   if c.scheme == store_scheme(output)), None)
    return workflow_output(output, f"{RUN}/{leaf}", secret)


def _upload(scope: Scope, model: ir.Model, name: str, path: str, leaf: str | None = None) -> Obj:
    assert model.training is not None
    return {"name": name, "path": path, "archive": {"none": {}},
            **location(scope, model.training.output, leaf or name)}


def datacheck_template(scope: Scope, model: ir.Model) -> Obj:
    assert model.training is not None and model.data is not None and model.data.training
    access = artifacts.store_access([model.data.training], scope.env.target.storage_credentials)
    args = ["--contract", contract.path("training"), "--out", "/out/datacheck", "--dataset", "training"]
    args += ["--exit-zero"] if model.training.data_checks == "warn" else []
    fetch = _fetch("fetch-training", model.data.training, f"{contracts.DATA_ROOT}/training", access)
    main = _job(scope, model, "datacheck", args)
    main["volumeMounts"].append(contract.mount())
    return {"name": "datacheck", "initContainers": [fetch], "container": main,
            "outputs": {"artifacts": [_upload(scope, model, "datacheck", CHECK_REPORT, "datacheck.json")]},
            "volumes": [*_volumes(model, access, config=True), contract.volume(model)]}


def train_template(scope: Scope, model: ir.Model) -> Obj:
    training = model.training
    assert training is not None
    data = model.data.training if model.data else None
    access = artifacts.store_access([data], scope.env.target.storage_credentials)
    image = artifacts.resolve(training.image, scope.hints.registry).image if "://" in training.image else None
    requests = {"cpu": training.compute.cpu, "memory": training.compute.memory}
    pool = scope.hints.pools.get(training.node_pool) if training.node_pool else None
    if training.compute.gpu:
        if pool is None or pool.accelerator_resource is None:
            raise ValueError(f"model {model.name}: training pool {training.node_pool} has no accelerator resource")
        requests[pool.accelerator_resource] = str(training.compute.gpu)
    main = {"name": "main", "image": image or training.image, "command": list(training.command),
            "args": list(training.args), "env": [{"name": "HOME", "value": "/tmp"}],
            "resources": {"requests": requests, "limits": requests}, "securityContext": container_security(),
            "volumeMounts": _mounts()}
    out: Obj = {"name": "train", "activeDeadlineSeconds": training.timeout_seconds, "container": main,
                "outputs": {"artifacts": [_upload(scope, model, "model", MODEL_OUT)]},
                "volumes": _volumes(model, access)}
    if data:
        # a GPU step is Guaranteed (limits = requests), so its download is too (artifacts.guaranteed)
        own = artifacts.guaranteed(training.compute.cpu, training.compute.memory) if training.compute.gpu else None
        out["initContainers"] = [_fetch("fetch-training", data, TRAIN_DIR, access, own or artifacts.INIT_RESOURCES)]
    if pool is not None:
        out["nodeSelector"] = dict(pool.node_selector)
        tolerations = [dict(t) for t in pool.tolerations
                       if training.compute.gpu or dict(t).get("key") not in ACCELERATOR_TAINTS]
        if tolerations:
            out["tolerations"] = tolerations
    return out


def checked(model: ir.Model) -> bool:
    """The run checks its training data first: a contract to check it with, and a policy other than `off`."""
    assert model.training is not None
    return model.training.data_checks != "off" and model.data is not None and bool(model.data.training)


def evaluate_template(scope: Scope, model: ir.Model) -> Obj:
    training, data = model.training, model.data
    assert training is not None and data is not None and data.holdout and data.label
    best = serving.champion(model)
    access = artifacts.store_access([data.holdout, best], scope.env.target.storage_credentials)
    args = ["--candidate", CANDIDATE_DIR, "--holdout", HOLDOUT_DIR, "--label", data.label, "--out", REPORT_DIR,
            "--thresholds", f"{CONFIG_DIR}/{THRESHOLDS_FILE}", "--data-checks", training.data_checks,
            "--candidate-name", f"{training.output.rstrip('/')}/{RUN}/model/", "--run-started", STARTED]
    args += ["--data-check", CHECK_INPUT] if checked(model) else []
    args += ["--protected", ",".join(data.protected)] if data.protected else []
    args += ["--exclude", data.prediction] if data.prediction else []
    inits = [_fetch("fetch-holdout", data.holdout, HOLDOUT_DIR, access)]
    if best:
        args += ["--champion", CHAMPION_DIR, "--champion-name", best]
        inits.append({**artifacts.fetch(best, scope.hints.registry, init_security(), dest=CHAMPION_DIR,
                                        volume="champion", access=access), "name": "fetch-champion"})
    main = _job(scope, model, "gate", args)
    volumes = _volumes(model, access, config=True)
    if best:     # its own volume: a modelcar's `cp` copies into the folder it is given, which must exist
        main["volumeMounts"].append({"name": "champion", "mountPath": CHAMPION_DIR, "readOnly": True})
        volumes.append({"name": "champion", "emptyDir": {}})
    return {"name": "evaluate", "initContainers": inits, "container": main,
            "inputs": {"artifacts": [{"name": "model", "path": CANDIDATE_DIR},
                                     *([{"name": "datacheck", "path": CHECK_INPUT}] if checked(model) else [])]},
            "outputs": {"artifacts": [_upload(scope, model, "report", REPORT_DIR)]}, "volumes": volumes}


def dag(model: ir.Model) -> Obj:
    assert model.training is not None
    first = checked(model)
    passed = [{"name": "model", "from": "{{tasks.train.outputs.artifacts.model}}"}]
    passed += [{"name": "datacheck", "from": "{{tasks.datacheck.outputs.artifacts.datacheck}}"}] if first else []
    tasks: list[Obj] = [{"name": "datacheck", "template": "datacheck"}] if first else []
    tasks.append({"name": "train", "template": "train", **({"depends": "datacheck"} if first else {})})
    tasks.append({"name": "evaluate", "template": "evaluate", "depends": "train", "arguments": {"artifacts": passed}})
    return {"name": "retrain", "dag": {"tasks": tasks}}


def workflow_template(scope: Scope, model: ir.Model) -> Obj:
    assert model.training is not None
    templates = [dag(model), *([datacheck_template(scope, model)] if checked(model) else [])]
    templates += [train_template(scope, model), evaluate_template(scope, model)]
    trainer = names.trainer(model.name)
    labels = {**scope.labels(model.name, model.name, COMPONENT), **dict(scope.hints.pod_labels),
              **selector(model.name, component=COMPONENT)}
    spec = {"entrypoint": "retrain", "serviceAccountName": trainer, "automountServiceAccountToken": False,
            "executor": {"serviceAccountName": trainer}, "securityContext": pod_security(RUN_AS),
            "podMetadata": {"labels": labels}, "podGC": POD_GC, "ttlStrategy": TTL,
            # one run at a time, whichever trigger starts it (a CronWorkflow's concurrencyPolicy covers its own)
            "synchronization": {"mutexes": [{"name": names.retrain(model.name)}]},
            "arguments": {"parameters": [{"name": "trigger", "value": "manual"}]},
            "templates": templates}
    return new(API, "WorkflowTemplate", meta(scope, model, names.retrain(model.name)), spec=spec)


def network_policy(scope: Scope, model: ir.Model) -> Obj:
    """The workflow pods push their results to the Pushgateway."""
    push = scope.addons.pushgateway
    peer = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": push.namespace}}}
    spec = {"podSelector": {"matchLabels": selector(model.name, component=COMPONENT)}, "policyTypes": ["Egress"],
            "egress": [{"to": [peer], "ports": [{"port": push.port, "protocol": "TCP"}]}]}
    return new("networking.k8s.io/v1", "NetworkPolicy",
               meta(scope, model, names.retrain(model.name), "network-policy"), spec=spec)


def here(scope: Scope, model: ir.Model) -> bool:
    """The model trains in this environment."""
    return model.training is not None and model in trained(scope.env)


def checks_here(scope: Scope, model: ir.Model) -> bool:
    """This environment's retraining run checks its training data (and mounts the model's contract ConfigMap)."""
    return here(scope, model) and checked(model)


def build(scope: Scope, model: ir.Model) -> list[Obj]:
    """The model's retraining objects, in the environment it trains in (none elsewhere)."""
    if not here(scope, model):
        return []
    trainer = names.trainer(model.name)
    return [service_account(scope, model), *rbac(scope, model, trainer, EXECUTOR_RULES), config_map(scope, model),
            workflow_template(scope, model), network_policy(scope, model)]
