"""mlops.emit.k8s.serving: serving pods and their Services; accelerator pods land on their pool with the target's
node selector, an explicit toleration and requests equal to limits."""

from __future__ import annotations

from pathlib import Path

from mlops.emit.k8s import runtimes
from tests.support.specs import AZURE, GCP, GPU_POOL, manifests, pod, spec

CPU_SPOT = {"machine": {"cpu": 8, "memory": "32Gi"}, "capacity": "spot"}
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


def test_model_env_reaches_the_server_and_secrets_stay_references(tmp_path: Path) -> None:
    m = {"framework": "sklearn", "artifact": "gs://bucket/m/",
         "env": {"LOG_LEVEL": "debug", "TOKEN": {"secretRef": {"name": "creds", "key": "token"}}}}
    env = pod(manifests(tmp_path, spec({"m": m})), "m")["containers"][0]["env"]
    assert {"name": "LOG_LEVEL", "value": "debug"} in env
    assert {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}} in env


def test_custom_image_canary_without_analysis_compiles(tmp_path: Path) -> None:
    custom = {"framework": "custom", "image": "ghcr.io/acme/scorer:1.0", "rollout": {"strategy": "canary"}}
    files = manifests(tmp_path, spec({"scorer": custom}))
    container = files["rollout-scorer.yaml"]["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "ghcr.io/acme/scorer:1.0" and "command" not in container


def test_runtime_args_follow_mlops_own_and_runtime_image_replaces_the_pinned_one(tmp_path: Path) -> None:
    m = {"framework": "vllm", "artifact": "s3://models/llm/", "nodePool": "gpu",
         "resources": {"cpu": "6", "memory": "24Gi", "gpu": 1},
         "runtime": {"args": ["--max-model-len=8192", "--enable-prefix-caching"],
                     "image": "docker.io/vllm/vllm-openai:v0.12.1"}}
    server = pod(manifests(tmp_path, spec({"llm": m}, pools={"gpu": GPU_POOL})), "llm")["containers"][0]
    assert server["args"] == ["/mnt/models", "--served-model-name", "llm", "--host", "0.0.0.0", "--port", "8000",
                              "--max-model-len=8192", "--enable-prefix-caching"]
    assert server["image"] == "docker.io/vllm/vllm-openai:v0.12.1"


def test_disk_requests_and_limits_ephemeral_storage_and_bounds_the_model_volume(tmp_path: Path) -> None:
    m = {"framework": "sklearn", "artifact": "s3://models/m/", "resources": {"cpu": "1", "memory": "2Gi",
                                                                             "disk": "40Gi"}}
    spec_ = pod(manifests(tmp_path, spec({"m": m})), "m")
    assert spec_["containers"][0]["resources"] == {"requests": {"cpu": "1", "memory": "2Gi",
                                                                "ephemeral-storage": "40Gi"},
                                                   "limits": {"memory": "2Gi", "ephemeral-storage": "40Gi"}}
    assert {"name": "models", "emptyDir": {"sizeLimit": "40Gi"}} in spec_["volumes"]


def test_without_disk_nothing_changes(tmp_path: Path) -> None:
    spec_ = pod(manifests(tmp_path, spec({"m": {"framework": "sklearn", "artifact": "s3://models/m/"}})), "m")
    assert "ephemeral-storage" not in spec_["containers"][0]["resources"]["requests"]
    assert {"name": "models", "emptyDir": {"sizeLimit": "20Gi"}} in spec_["volumes"]   # the default cap


def test_a_gpu_pods_download_is_guaranteed_too(tmp_path: Path) -> None:
    """Init containers count for the QoS class: with the 100m/128Mi default the GPU pod would be Burstable."""
    m = {"framework": "pytorch", "artifact": "az://acct/models/vision/", "nodePool": "gpu",
         "resources": {"cpu": "3", "memory": "12Gi", "gpu": 1}}
    spec_ = pod(manifests(tmp_path, spec({"vision": m}, pools={"gpu": GPU_POOL}, target=AZURE)), "vision")
    assert spec_["initContainers"][0]["resources"] == {"requests": {"cpu": "3", "memory": "12Gi"},
                                                       "limits": {"cpu": "3", "memory": "12Gi"}}
    cpu = pod(manifests(tmp_path, spec({"m": {"framework": "sklearn", "artifact": "gs://bucket/m/"}})), "m")
    assert cpu["initContainers"][0]["resources"] == {"requests": {"cpu": "100m", "memory": "128Mi"},
                                                     "limits": {"memory": "1Gi"}}


def test_a_hugging_face_token_is_a_mounted_file_for_vllm_and_stays_a_variable_for_a_custom_image(
        tmp_path: Path) -> None:
    token = {"secretRef": {"name": "hf", "key": "token"}}
    m = {"framework": "vllm", "artifact": "gs://bucket/llm/", "nodePool": "gpu", "env": {"HF_TOKEN": token},
         "resources": {"cpu": "3", "memory": "12Gi", "gpu": 1}}
    spec_ = pod(manifests(tmp_path, spec({"llm": m}, pools={"gpu": GPU_POOL}, target=GCP)), "llm")
    server = spec_["containers"][0]
    assert {"name": "HF_TOKEN_PATH", "value": "/var/run/secrets/mlops/huggingface/token"} in server["env"]
    assert "HF_TOKEN" not in {e["name"] for e in server["env"]}
    assert {"name": "hf-token", "mountPath": "/var/run/secrets/mlops/huggingface",
            "readOnly": True} in server["volumeMounts"]
    assert {"name": "hf-token", "secret": {"secretName": "hf", "items": [{"key": "token", "path": "token"}]}} \
        in spec_["volumes"]
    custom = {"framework": "custom", "image": "registry.example.com/ml/srv:1", "env": {"HF_TOKEN": token}}
    env = pod(manifests(tmp_path, spec({"srv": custom})), "srv")["containers"][0]["env"]
    assert {"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {"name": "hf", "key": "token"}}} in env
