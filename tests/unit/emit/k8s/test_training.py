"""mlops.emit.k8s.training: the WorkflowTemplate's DAG and steps (data check policy, the team's image on its pool,
the gate's real flags, the champion), its identity with the executor's minimal Role, and where runs publish."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.specs import GCP, GPU_POOL, TRAINING_POOLS, manifests, spec, trained


def files(tmp_path: Path, target: dict[str, Any] | None = None, **training: Any) -> dict[str, Any]:
    return manifests(tmp_path, spec({"fraud": trained(**training)}, pools=TRAINING_POOLS, target=target))


def templates(found: dict[str, Any]) -> dict[str, Any]:
    return {t["name"]: t for t in found["workflowtemplate-fraud-retrain.yaml"]["spec"]["templates"]}


def test_the_dag_checks_data_then_trains_then_evaluates(tmp_path: Path) -> None:
    tasks = templates(files(tmp_path))["retrain"]["dag"]["tasks"]
    assert [(t["name"], t.get("depends")) for t in tasks] == [("datacheck", None), ("train", "datacheck"),
                                                              ("evaluate", "train")]
    assert tasks[2]["arguments"]["artifacts"] == [
        {"name": "model", "from": "{{tasks.train.outputs.artifacts.model}}"},
        {"name": "datacheck", "from": "{{tasks.datacheck.outputs.artifacts.datacheck}}"}]


@pytest.mark.parametrize(("policy", "tasks", "exit_zero"), [
    ("required", ["datacheck", "train", "evaluate"], False),
    ("warn", ["datacheck", "train", "evaluate"], True),
    ("off", ["train", "evaluate"], None)])
def test_data_check_policy(tmp_path: Path, policy: str, tasks: list[str], exit_zero: bool | None) -> None:
    gate = {**trained()["training"]["gate"], "dataChecks": policy}
    found = templates(files(tmp_path, gate=gate))
    assert [t["name"] for t in found["retrain"]["dag"]["tasks"]] == tasks
    if exit_zero is not None:
        assert ("--exit-zero" in found["datacheck"]["container"]["args"]) is exit_zero
    args = found["evaluate"]["container"]["args"]
    assert args[args.index("--data-checks") + 1] == policy
    assert ("--data-check" in args) is (policy != "off")     # `required` with no report would fail every run


def test_train_runs_the_teams_image_on_its_pool_within_the_timeout(tmp_path: Path) -> None:
    train = templates(files(tmp_path))["train"]
    main = train["container"]
    assert main["image"] == "reg.example.com/ml/fraud-trainer:2026.11"
    assert (main["command"], main["args"]) == (["python", "train.py"], ["--epochs", "3"])
    assert main["resources"]["requests"] == {"cpu": "8", "memory": "32Gi"}
    assert train["activeDeadlineSeconds"] == 6 * 3600
    assert train["nodeSelector"] == {"mlops.dev/pool": "train"}
    assert [(c["name"], c["args"]) for c in train["initContainers"]] == [
        ("fetch-training", ["s3://fraud-data/train/", "/data/train"])]
    assert all("valueFrom" not in e for e in main["env"])      # the store's keys reach the download only
    (model_out,) = train["outputs"]["artifacts"]
    assert model_out["path"] == "/out/model" and model_out["archive"] == {"none": {}}
    assert (model_out["s3"]["bucket"], model_out["s3"]["key"]) == ("fraud-models", "fraud/{{workflow.name}}/model")


def test_evaluate_calls_the_gate_with_its_real_flags_and_the_champion(tmp_path: Path) -> None:
    found = files(tmp_path)
    evaluate = templates(found)["evaluate"]
    args = evaluate["container"]["args"]
    flags = dict(zip(args[::2], args[1::2], strict=False))
    assert evaluate["container"]["command"] == ["python", "-m", "mlops.jobs.gate"]
    assert (flags["--candidate"], flags["--holdout"], flags["--label"]) == ("/candidate", "/data/holdout", "is_fraud")
    assert (flags["--protected"], flags["--exclude"], flags["--champion-name"]) == ("country", "score",
                                                                                    "registry://fraud:v12")
    from mlops.jobs.gate import arguments  # here: importing the job programs loads their engines
    parsed = arguments().parse_args(args)      # the program itself accepts every flag the template passes
    assert parsed.champion == Path("/data/champion") and parsed.data_checks == "required"
    champion = next(c for c in evaluate["initContainers"] if c["name"] == "fetch-champion")
    assert champion["image"] == "reg.example.com/ml/fraud:v12"       # the modelcar the environment serves
    config = found["configmap-fraud-retrain.yaml"]["data"]
    assert json.loads(config["thresholds.json"]) == {
        "metrics": {"roc_auc": {"min": 0.9, "minChange": 0.002}},
        "fairness": {"demographicParityDifference": {"max": 0.05}}}
    assert sorted(config) == ["thresholds.json"]           # the contract lives in the model's one contract map
    contract = yaml.safe_load(found["configmap-fraud-contract.yaml"]["data"]["training.yaml"])
    assert contract["apiVersion"] == "v3.1.0" and contract["servers"][0]["path"] == "/data/training/**/*.parquet"


def test_the_trainer_holds_only_the_executors_rights_and_no_token(tmp_path: Path) -> None:
    found = files(tmp_path)
    role = found["role-fraud-train.yaml"]
    assert role["rules"] == [{"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"],
                              "verbs": ["create", "patch"]}]
    binding = found["rolebinding-fraud-train.yaml"]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "fraud-train", "namespace": "shop-dev"}]
    spec_ = found["workflowtemplate-fraud-retrain.yaml"]["spec"]
    assert spec_["serviceAccountName"] == spec_["executor"]["serviceAccountName"] == "fraud-train"
    assert spec_["automountServiceAccountToken"] is False
    assert found["serviceaccount-fraud-train.yaml"]["automountServiceAccountToken"] is False


def test_finished_runs_are_collected_and_runs_never_overlap(tmp_path: Path) -> None:
    spec_ = files(tmp_path)["workflowtemplate-fraud-retrain.yaml"]["spec"]
    assert spec_["podGC"] == {"strategy": "OnPodSuccess"}
    assert spec_["ttlStrategy"]["secondsAfterSuccess"] > 0 and spec_["ttlStrategy"]["secondsAfterFailure"] > 0
    assert spec_["synchronization"] == {"mutexes": [{"name": "fraud-retrain"}]}


def test_workflow_pods_may_reach_the_pushgateway(tmp_path: Path) -> None:
    found = files(tmp_path)
    policy = found["networkpolicy-fraud-retrain.yaml"]["spec"]
    labels = found["workflowtemplate-fraud-retrain.yaml"]["spec"]["podMetadata"]["labels"]
    assert policy["podSelector"]["matchLabels"].items() <= labels.items()
    assert policy["egress"][0]["ports"] == [{"port": 9091, "protocol": "TCP"}]


def test_outputs_in_each_store(tmp_path: Path) -> None:
    for folder in ("gs", "az", "aws"):
        (tmp_path / folder).mkdir()
    s3 = {"storageCredentials": {"s3": {"secretRef": {"name": "s3-reader"}}}}     # the data stays on s3
    gs = files(tmp_path / "gs", target={**GCP, **s3}, output="gs://models-bucket/fraud/")
    (out,) = templates(gs)["train"]["outputs"]["artifacts"]
    assert out["gcs"] == {"bucket": "models-bucket", "key": "fraud/{{workflow.name}}/model"}    # workload identity
    az = files(tmp_path / "az", target={"provider": "azure", "region": "eastus", **s3},
               output="az://acct/models/fraud/")
    (out,) = templates(az)["train"]["outputs"]["artifacts"]
    assert out["azure"] == {"endpoint": "https://acct.blob.core.windows.net", "container": "models",
                            "blob": "fraud/{{workflow.name}}/model", "useSDKCreds": True}
    aws = files(tmp_path / "aws", target={"provider": "aws", "region": "eu-west-1"})
    (out,) = templates(aws)["train"]["outputs"]["artifacts"]
    assert out["s3"]["useSDKCreds"] is True and "accessKeySecret" not in out["s3"]


def test_nothing_is_emitted_where_the_model_does_not_train(tmp_path: Path) -> None:
    doc = spec({"fraud": trained()}, pools=TRAINING_POOLS)
    doc["environments"]["prod"] = {"target": "t"}
    doc["models"]["fraud"]["training"]["environment"] = "prod"
    found = manifests(tmp_path, doc)
    assert not [name for name in found if "retrain" in name or "-train" in name]


def test_a_gpu_steps_download_keeps_it_guaranteed(tmp_path: Path) -> None:
    found = manifests(tmp_path, spec({"fraud": trained(nodePool="gpu", resources={
        "cpu": "8", "memory": "32Gi", "gpu": 1})}, pools={**TRAINING_POOLS, "gpu": GPU_POOL}))
    train = templates(found)["train"]
    both = {"cpu": "8", "memory": "32Gi"}
    assert train["initContainers"][0]["resources"] == {"requests": both, "limits": both}
    assert train["container"]["resources"]["limits"]["cpu"] == "8"
    cpu = templates(files(tmp_path))["train"]["initContainers"][0]["resources"]
    assert cpu == {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "1Gi"}}
