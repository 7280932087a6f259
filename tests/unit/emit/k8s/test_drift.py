"""mlops.emit.k8s.drift: the drift CronJob's downloads, one storage-initializer per source, and another cloud's
store read with the target's storageCredentials Secret."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.support.specs import GCP, STORES, manifests, spec


def drift_pod(tmp_path: Path, target: dict[str, Any]) -> dict[str, Any]:
    model = {"framework": "sklearn", "artifact": "registry://fraud:v1",
             "monitoring": {"drift": {"baseline": "s3://data/train-2026.parquet"}}}
    files = manifests(tmp_path, spec({"fraud": model}, target=target))
    return files["cronjob-fraud-drift.yaml"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def test_baseline_and_live_inputs_are_fetched_one_per_init_container(tmp_path: Path) -> None:
    """The v0.15.2 storage-initializer takes one source and one destination; given more it exits 0 unfetched."""
    pod = drift_pod(tmp_path, {"provider": "aws", "region": "eu-west-1"})
    assert [(c["name"], c["args"]) for c in pod["initContainers"]] == [
        ("fetch-baseline", ["s3://data/train-2026.parquet", "/data/baseline"]),
        ("fetch-live", ["s3://data/live/fraud/", "/data/live"])]
    assert all(c["env"] == [{"name": "HOME", "value": "/tmp"}] for c in pod["initContainers"])   # IRSA reads it


def test_another_clouds_baseline_is_read_with_the_targets_secret(tmp_path: Path) -> None:
    pod = drift_pod(tmp_path, {**GCP, "storageCredentials": {"s3": {"secretRef": {"name": "aws-reader"}}}})
    for init in pod["initContainers"]:
        refs = {e["name"]: e["valueFrom"]["secretKeyRef"]["name"] for e in init["env"] if "valueFrom" in e}
        assert refs["AWS_ACCESS_KEY_ID"] == refs["AWS_SECRET_ACCESS_KEY"] == "aws-reader"
    assert pod["containers"][0]["env"] == [e for e in pod["containers"][0]["env"] if "valueFrom" not in e]


def test_a_gs_key_file_reaches_the_drift_job_as_a_volume(tmp_path: Path) -> None:
    model = {"framework": "sklearn", "artifact": "registry://fraud:v1",
             "monitoring": {"drift": {"baseline": "gs://data/train.csv"}}}
    target = {"provider": "aws", "region": "eu-west-1", "storageCredentials": {"gs": {"secretRef": {"name": "gcs"}}}}
    files = manifests(tmp_path, spec({"fraud": model}, target=target))
    pod = files["cronjob-fraud-drift.yaml"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    items = [{"key": "key.json", "path": "key.json"}]
    assert {"name": "gs-credentials", "secret": {"secretName": "gcs", "items": items}} in pod["volumes"]
    assert all({"name": "gs-credentials", "mountPath": "/var/run/secrets/mlops/gs", "readOnly": True}
               in c["volumeMounts"] for c in pod["initContainers"])


TYPED = {"framework": "sklearn", "artifact": "registry://fraud:v1",
         "data": {"live": "s3://data/live/fraud/", "prediction": "score",
                  "columns": {"amount": {"type": "number"}, "country": {"type": "string", "values": ["fr", "de"]}}},
         "monitoring": {"drift": {"baseline": "s3://data/train.parquet", "method": "psi", "threshold": 0.2}}}


def test_the_drift_job_runs_mlops_jobs_drift_in_the_job_image_with_the_contract(tmp_path: Path) -> None:
    import mlops

    files = manifests(tmp_path, spec({"fraud": TYPED}))
    pod = files["cronjob-fraud-drift.yaml"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    job = pod["containers"][0]
    assert job["image"] == f"ghcr.io/mlops-compiler/mlops-jobs:{mlops.__version__}"
    assert job["command"] == ["python", "-m", "mlops.jobs.drift"]
    assert job["args"] == ["--baseline", "/data/baseline", "--live", "/data/live", "--out", "/tmp/report",
                           "--method", "psi", "--threshold", "0.2", "--contract", "/etc/mlops/contract/live.yaml",
                           "--prediction", "score", "--pushgateway", "http://prometheus-pushgateway.monitoring:9091",
                           "--model", "fraud", "--namespace", "shop-dev", "--exit-zero"]
    assert {"name": "contract", "configMap": {"name": "fraud-contract"}} in pod["volumes"]
    assert job["securityContext"]["readOnlyRootFilesystem"] and job["securityContext"]["runAsUser"] == 1000
    contract = yaml.safe_load(files["configmap-fraud-contract.yaml"]["data"]["live.yaml"])
    assert [p["name"] for p in contract["schema"][0]["properties"]] == ["amount", "country"]
    assert "configmap-fraud-drift.yaml" not in files           # the hand-written PSI program is gone


def test_a_drift_job_reads_the_targets_mirror_of_the_job_image(tmp_path: Path) -> None:
    target = {"provider": "onprem", "context": "kind", "registry": "reg.example.com/ml",
              "images": {"jobs": "reg.example.com/mirror/mlops-jobs:1.0"}, "storageCredentials": STORES}
    pod = drift_pod(tmp_path, target)
    assert pod["containers"][0]["image"] == "reg.example.com/mirror/mlops-jobs:1.0"
    assert "--contract" not in pod["containers"][0]["args"]    # no columns declared: pandas dtypes decide


def test_the_drift_alert_reads_what_the_job_decides_whatever_the_method(tmp_path: Path) -> None:
    rules = manifests(tmp_path, spec({"fraud": TYPED}))["prometheusrule-fraud.yaml"]["spec"]["groups"][0]["rules"]
    drift = next(r for r in rules if r["alert"] == "MLModelDrift")
    assert drift["expr"] == 'max(mlops_drift_detected{namespace="shop-dev",model="fraud"}) > 0'
