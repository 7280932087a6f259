"""mlops.spec.rules.rollout: fields that belong to the strategy, weights and steps that add up, what a runtime
and its node pool can do."""

from __future__ import annotations

from pathlib import Path

from tests.support.specs import GCP, GPU_POOL, errors, sklearn, spec


def test_analysis_of_a_custom_image_is_refused_where_it_is_written(tmp_path: Path) -> None:
    custom = {"framework": "custom", "image": "ghcr.io/acme/scorer:1.0",
              "rollout": {"strategy": "canary", "analysis": {"maxErrorRate": 0.01}}}
    assert errors(tmp_path, spec({"scorer": custom})) == [
        "mlops.yaml:30:9: error: analysis compares the new version's own metrics, and mlops cannot know the "
        "metrics a custom image exports: remove analysis, or serve with a framework mlops knows "
        "[at $.models.scorer.rollout.analysis]"]


def test_blue_green_interval_without_analysis_or_auto_promotion_is_refused(tmp_path: Path) -> None:
    doc = spec({"fraud": sklearn(rollout={"strategy": "blue-green", "interval": "10m"})})
    assert errors(tmp_path, doc) == [
        "mlops.yaml:29:7: error: interval is how long a blue-green preview is analysed, or held before autoPromote: "
        "with neither, a person promotes and it means nothing (remove it, or add analysis or autoPromote) "
        "[at $.models.fraud.rollout.interval]"]


def test_cpu_model_on_an_accelerator_pool_is_refused(tmp_path: Path) -> None:
    m = {"framework": "sklearn", "artifact": "gs://bucket/m/", "nodePool": "gpu"}
    assert errors(tmp_path, spec({"m": m}, pools={"gpu": GPU_POOL})) == [
        "mlops.yaml:27:15: error: node pool 'gpu' is tainted for nvidia-t4 pods: a model without resources.gpu "
        "cannot be scheduled there [at $.models.m.nodePool]"]


def test_framework_without_a_tpu_runtime_is_refused_on_tpu(tmp_path: Path) -> None:
    pools = {"tpu": {"machine": {"cpu": 20, "memory": "40Gi"}, "accelerator": {"type": "tpu-v5e"}}}
    m = {"framework": "pytorch", "artifact": "gs://bucket/m/", "nodePool": "tpu",
         "resources": {"gpu": 1, "cpu": "4", "memory": "8Gi"}}
    assert errors(tmp_path, spec({"m": m}, pools=pools, target=GCP)) == [
        "mlops.yaml:15:16: error: framework pytorch has no TPU runtime: a TPU pool serves vllm or custom models "
        "[at $.models.m.framework]"]
