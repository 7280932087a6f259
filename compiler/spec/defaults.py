"""Every default mlops fills in, once. Each one published in the schema names where (`SCHEMA`): a test holds the
two equal and checks that no `default` of the schema is missing here."""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    "kubernetesVersion": "1.35",
    "nodePool.scaling": {"min": 1, "max": 3},
    "nodePool.capacity": "on-demand",
    "accelerator.count": 1,
    "registry": {"immutableTags": True, "scanOnPush": True, "keepLast": 50},
    "resources": {"cpu": "1", "memory": "2Gi", "gpu": 0},
    "scaling": {"min": 1, "max": 3, "metric": "cpu"},
    "scaling.target.cpu": 70,
    "endpoint.path": "/",
    "gateway.visibility": "internal",
    "acme.server": "https://acme-v02.api.letsencrypt.org/directory",
    "rollout.interval": "5m",
    "rollout.steps": [25, 50, 75],
    "rollout.autoPromote": False,
    "rollout.mirrorPercent": 100,
    "drift.schedule": "@hourly",
    "drift.threshold": 0.2,
    "drift.method": "auto",
    "logging.sample": 1,
    "dataChecks.schedule": "@hourly",
    "fairness.schedule": "@daily",
    "fairness.minGroupSize": 100,
    "explain.method": "tree-shap",
    "explain.schedule": "@daily",
    "explain.sample": 1000,
    "explain.alertOnShift": 0.3,
    "column.required": False,
    "column.unique": False,
    "training.timeout": "6h",
    "training.gpu": 0,
    "training.drift": False,
    "training.dataChecks": "required",
    "promotion.requireApproval": False,
}

_MODEL, _MON = "$defs/model/properties", "$defs/monitoring/properties"
# Where each published default sits in schemas/mlops.schema.json (JSON Pointer without the leading '#/'); a dict
# default is published per key.
SCHEMA: dict[str, str | dict[str, str]] = {
    "kubernetesVersion": "$defs/cluster/properties/kubernetesVersion",
    "nodePool.scaling": {k: f"$defs/nodePool/properties/scaling/properties/{k}" for k in ("min", "max")},
    "nodePool.capacity": "$defs/nodePool/properties/capacity",
    "accelerator.count": "$defs/nodePool/properties/accelerator/properties/count",
    "registry": {k: f"$defs/registry/properties/{k}" for k in ("immutableTags", "scanOnPush", "keepLast")},
    "resources": {"gpu": f"{_MODEL}/resources/properties/gpu"},
    "scaling": {k: f"{_MODEL}/scaling/properties/{k}" for k in ("min", "max", "metric")},
    "endpoint.path": f"{_MODEL}/endpoint/properties/path",
    "gateway.visibility": "$defs/gateway/properties/visibility",
    "acme.server": "$defs/gateway/properties/tls/properties/acme/properties/server",
    "rollout.autoPromote": "$defs/rollout/properties/autoPromote",
    "rollout.mirrorPercent": "$defs/rollout/properties/mirrorPercent",
    "drift.schedule": f"{_MON}/drift/properties/schedule",
    "drift.threshold": f"{_MON}/drift/properties/threshold",
    "drift.method": f"{_MON}/drift/properties/method",
    "logging.sample": f"{_MON}/logging/properties/sample",
    "dataChecks.schedule": f"{_MON}/dataChecks/properties/schedule",
    "fairness.schedule": f"{_MON}/fairness/properties/schedule",
    "fairness.minGroupSize": f"{_MON}/fairness/properties/minGroupSize",
    "explain.method": f"{_MON}/explain/properties/method",
    "explain.schedule": f"{_MON}/explain/properties/schedule",
    "explain.sample": f"{_MON}/explain/properties/sample",
    "explain.alertOnShift": f"{_MON}/explain/properties/alertOnShift",
    "column.required": "$defs/column/properties/required",
    "column.unique": "$defs/column/properties/unique",
    "training.timeout": "$defs/training/properties/timeout",
    "training.gpu": "$defs/training/properties/resources/properties/gpu",
    "training.drift": "$defs/training/properties/triggers/properties/drift",
    "training.dataChecks": "$defs/training/properties/gate/properties/dataChecks",
    "promotion.requireApproval": "$defs/environment/properties/promotion/properties/requireApproval",
}
