"""A model's data-contract ConfigMap `<model>-contract` (mlops.ir.names.contract): one per model, a key per dataset.

Its keys are `training.yaml`, `holdout.yaml` and `live.yaml`, each the ODCS document mlops.emit.contracts writes for
that dataset (its server points where the jobs download the dataset: `/data/<dataset>`). Every job that checks or
types data mounts this one ConfigMap at DIR: the drift CronJob (`live.yaml`) and the retraining WorkflowTemplate's
data check (`training.yaml`). One object per model, so two consumers cannot hold different contracts of one dataset.
"""

from __future__ import annotations

from mlops import ir
from mlops.emit import contracts
from mlops.emit.k8s.meta import Obj, Scope, new, source
from mlops.ir import names, serving

DIR = "/etc/mlops/contract"
VOLUME = "contract"


def key(dataset: contracts.Dataset) -> str:
    return f"{dataset}.yaml"


def path(dataset: contracts.Dataset) -> str:
    """Where a job finds the contract of `dataset`."""
    return f"{DIR}/{key(dataset)}"


def datasets(model: ir.Model) -> list[contracts.Dataset]:
    """The datasets the model declares; live inputs also when the drift job reads them from their default place."""
    data = model.data
    live = serving.live_input(model) is not None
    if data is None:
        return ["live"] if live else []
    declared = {"training": bool(data.training), "holdout": bool(data.holdout), "live": live}
    return [d for d in contracts.DATASETS if declared[d]]


def config_map(scope: Scope, model: ir.Model) -> Obj:
    meta = scope.metadata(names.contract(model.name), app=model.name, instance=model.name, component="contract",
                          source=source("models", model.name, "data"))
    return new("v1", "ConfigMap", meta, data={key(d): contracts.document(model, d).decode() for d in datasets(model)})


def volume(model: ir.Model) -> Obj:
    return {"name": VOLUME, "configMap": {"name": names.contract(model.name)}}


def mount() -> Obj:
    return {"name": VOLUME, "mountPath": DIR, "readOnly": True}
