"""mlops.emit.k8s.contract: one contract ConfigMap per model, a key per dataset it declares, mounted by the drift
CronJob and the retraining data check alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.support.specs import TRAINING_POOLS, manifests, spec, trained

DRIFT = {"baseline": "s3://data/train.parquet"}


def trained_and_watched(tmp_path: Path) -> dict[str, Any]:
    model = trained()
    model["monitoring"] = {"drift": DRIFT}
    return manifests(tmp_path, spec({"fraud": model}, pools=TRAINING_POOLS))


def test_one_map_holds_every_declared_dataset_and_both_jobs_mount_it(tmp_path: Path) -> None:
    found = trained_and_watched(tmp_path)
    assert [f for f in found if "contract" in f] == ["configmap-fraud-contract.yaml"]
    data = found["configmap-fraud-contract.yaml"]["data"]
    assert sorted(data) == ["holdout.yaml", "live.yaml", "training.yaml"]
    assert yaml.safe_load(data["live.yaml"])["servers"][0]["path"].startswith("/data/live")
    cron = found["cronjob-fraud-drift.yaml"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    check = next(t for t in found["workflowtemplate-fraud-retrain.yaml"]["spec"]["templates"]
                 if t["name"] == "datacheck")
    for volumes, container in ((cron["volumes"], cron["containers"][0]), (check["volumes"], check["container"])):
        assert {"name": "contract", "configMap": {"name": "fraud-contract"}} in volumes
        assert {"name": "contract", "mountPath": "/etc/mlops/contract", "readOnly": True} in container["volumeMounts"]
    assert "/etc/mlops/contract/training.yaml" in check["container"]["args"]
    assert "/etc/mlops/contract/live.yaml" in cron["containers"][0]["args"]


def test_no_job_reads_a_contract_then_no_map(tmp_path: Path) -> None:
    model = {"framework": "sklearn", "artifact": "registry://fraud:v1", "monitoring": {"drift": DRIFT}}
    assert not [f for f in manifests(tmp_path, spec({"fraud": model})) if "contract" in f]
