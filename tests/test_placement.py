"""Runtimes and placement: the framework picks the pinned runtime; accelerator pods land on their pool with
the target's node selector, an explicit toleration and requests equal to limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlops.emit.k8s import runtimes
from tests.support import manifests, spec
from tests.test_rollouts import errors

GPU_POOL = {"machine": {"cpu": 8, "memory": "32Gi"}, "accelerator": {"type": "nvidia-t4"}, "capacity": "spot"}
CPU_SPOT = {"machine": {"cpu": 8, "memory": "32Gi"}, "capacity": "spot"}
AZURE = {"provider": "azure", "region": "eastus"}
GCP = {"provider": "gcp", "region": "us-central1", "project": "shop-dev-4242"}


def pod(files: dict[str, Any], name: str) -> dict[str, Any]:
    for kind in ("deployment", "rollout"):
        if f"{kind}-{name}.yaml" in files:
            return files[f"{kind}-{name}.yaml"]["spec"]["template"]["spec"]  # type: ignore[no-any-return]
    raise KeyError(name)


@pytest.mark.parametrize(("framework", "image", "port", "ready"), [
    ("sklearn", runtimes.MLSERVER_IMAGE, 8080, "/v2/health/ready"),
    ("xgboost", runtimes.MLSERVER_IMAGE, 8080, "/v2/health/ready"),
    ("lightgbm", runtimes.MLSERVER_IMAGE, 8080, "/v2/health/ready"),
    ("huggingface", runtimes.MLSERVER_IMAGE, 8080, "/v2/health/ready"),
    ("pytorch", runtimes.TRITON_IMAGE, 8000, "/v2/health/ready"),
    ("tensorflow", runtimes.TRITON_IMAGE, 8000, "/v2/health/ready"),
    ("onnx", runtimes.TRITON_IMAGE, 8000, "/v2/health/ready"),
])
def test_framework_picks_the_pinned_runtime(tmp_path: Path, framework: str, image: str, port: int, ready: str) -> None:
    files = manifests(tmp_path, spec({"m": {"framework": framework, "artifact": "gs://bucket/m/"}}))
    server = pod(files, "m")["containers"][0]
    assert server["image"] == image and ":" in image.rsplit("/", 1)[-1]
    assert server["ports"][0] == {"name": "http", "containerPort": port, "protocol": "TCP"}
    assert server["readinessProbe"]["httpGet"] == {"path": ready, "port": "http"}
    assert server["livenessProbe"]["httpGet"]["path"] == "/v2/health/live"
    assert {"name": "models", "mountPath": "/mnt/models", "readOnly": True} in server["volumeMounts"]


def test_mlserver_is_told_its_model_class(tmp_path: Path) -> None:
    files = manifests(tmp_path, spec({"m": {"framework": "lightgbm", "artifact": "gs://bucket/m/"}}))
    env = {e["name"]: e.get("value") for e in pod(files, "m")["containers"][0]["env"]}
    assert env["MLSERVER_MODEL_IMPLEMENTATION"] == "mlserver_lightgbm.LightGBMModel"
    assert env["MLSERVER_MODEL_NAME"] == "m" and env["MLSERVER_MODEL_URI"] == "/mnt/models"


def test_gpu_pod_on_aks_gets_selector_toleration_and_equal_requests(tmp_path: Path) -> None:
    m = {"framework": "pytorch", "artifact": "registry://vision:v9", "nodePool": "gpu",
         "resources": {"cpu": "3", "memory": "12Gi", "gpu": 1}}
    files = manifests(tmp_path, spec({"vision": m}, pools={"gpu": GPU_POOL}, target=AZURE))
    spec_ = pod(files, "vision")
    assert spec_["nodeSelector"] == {"kubernetes.azure.com/agentpool": "gpu"}
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in spec_["tolerations"]
    assert {"key": "kubernetes.azure.com/scalesetpriority", "operator": "Equal", "value": "spot",
            "effect": "NoSchedule"} in spec_["tolerations"]
    resources = spec_["containers"][0]["resources"]
    assert resources["requests"] == resources["limits"] == {"cpu": "3", "memory": "12Gi", "nvidia.com/gpu": "1"}
    # registry:// is a modelcar image in the target's registry (here a value the infra stack provides).
    assert spec_["initContainers"][0]["image"].endswith("/vision:v9")
    assert spec_["initContainers"][0]["command"] == ["cp", "-R", "/models/.", "/mnt/models/"]


def test_cpu_pod_on_a_spot_pool_gets_only_the_spot_toleration(tmp_path: Path) -> None:
    m = {"framework": "sklearn", "artifact": "az://acct/models/m/", "nodePool": "cpu"}
    spec_ = pod(manifests(tmp_path, spec({"m": m}, pools={"cpu": CPU_SPOT}, target=AZURE)), "m")
    assert spec_["nodeSelector"] == {"kubernetes.azure.com/agentpool": "cpu"}
    assert spec_["tolerations"] == [{"effect": "NoSchedule", "key": "kubernetes.azure.com/scalesetpriority",
                                     "operator": "Equal", "value": "spot"}]
    assert spec_["containers"][0]["resources"] == {"requests": {"cpu": "1", "memory": "2Gi"},
                                                   "limits": {"memory": "2Gi"}}
    assert spec_["initContainers"][0]["args"] == ["https://acct.blob.core.windows.net/models/m/", "/mnt/models"]


def test_vllm_on_tpu_uses_the_tpu_build_and_gke_tpu_labels(tmp_path: Path) -> None:
    pools = {"tpu": {"machine": {"cpu": 100, "memory": "180Gi"}, "accelerator": {"type": "tpu-v5e", "count": 4}}}
    m = {"framework": "vllm", "artifact": "gs://bucket/llm/", "nodePool": "tpu",
         "resources": {"cpu": "90", "memory": "150Gi", "gpu": 4}}
    spec_ = pod(manifests(tmp_path, spec({"llm": m}, pools=pools, target=GCP)), "llm")
    server = spec_["containers"][0]
    assert server["image"] == runtimes.VLLM_TPU_IMAGE
    assert server["command"] == ["vllm", "serve"]
    assert server["args"][-2:] == ["--tensor-parallel-size", "4"]
    assert server["resources"]["limits"]["google.com/tpu"] == "4"
    assert spec_["nodeSelector"] == {"cloud.google.com/gke-nodepool": "tpu",
                                     "cloud.google.com/gke-tpu-accelerator": "tpu-v5-lite-podslice",
                                     "cloud.google.com/gke-tpu-topology": "2x2"}
    assert spec_["tolerations"] == [{"effect": "NoSchedule", "key": "google.com/tpu", "operator": "Exists"}]


def test_workload_identity_and_pod_labels_come_from_the_target(tmp_path: Path) -> None:
    files = manifests(tmp_path, spec({"m": {"framework": "sklearn", "artifact": "gs://bucket/m/"}}, target=GCP))
    account = files["serviceaccount-m.yaml"]
    assert account["metadata"]["annotations"]["iam.gke.io/gcp-service-account"] == \
        "m-shop-dev@shop-dev-4242.iam.gserviceaccount.com"          # one service account per model
    assert account["automountServiceAccountToken"] is False
    azure = manifests(tmp_path, spec({"m": {"framework": "sklearn", "artifact": "gs://bucket/m/"}}, target=AZURE))
    labels = azure["deployment-m.yaml"]["spec"]["template"]["metadata"]["labels"]
    assert labels["azure.workload.identity/use"] == "true"


def test_model_env_reaches_the_server_and_secrets_stay_references(tmp_path: Path) -> None:
    m = {"framework": "sklearn", "artifact": "gs://bucket/m/",
         "env": {"LOG_LEVEL": "debug", "TOKEN": {"secretRef": {"name": "creds", "key": "token"}}}}
    env = pod(manifests(tmp_path, spec({"m": m})), "m")["containers"][0]["env"]
    assert {"name": "LOG_LEVEL", "value": "debug"} in env
    assert {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}} in env


def test_cpu_model_on_an_accelerator_pool_is_refused(tmp_path: Path) -> None:
    m = {"framework": "sklearn", "artifact": "gs://bucket/m/", "nodePool": "gpu"}
    assert errors(tmp_path, spec({"m": m}, pools={"gpu": GPU_POOL})) == [
        "mlops.yaml:17:15: error: node pool 'gpu' is tainted for nvidia-t4 pods: a model without resources.gpu "
        "cannot be scheduled there [at $.models.m.nodePool]"]


def test_framework_without_a_tpu_runtime_is_refused_on_tpu(tmp_path: Path) -> None:
    pools = {"tpu": {"machine": {"cpu": 20, "memory": "40Gi"}, "accelerator": {"type": "tpu-v5e"}}}
    m = {"framework": "pytorch", "artifact": "gs://bucket/m/", "nodePool": "tpu",
         "resources": {"gpu": 1, "cpu": "4", "memory": "8Gi"}}
    assert errors(tmp_path, spec({"m": m}, pools=pools, target=GCP)) == [
        "mlops.yaml:15:16: error: framework pytorch has no TPU runtime: a TPU pool serves vllm or custom models "
        "[at $.models.m.framework]"]
