"""mlops.spec.rules.runtime: runtime.args may not set what mlops sets; runtime.image is the same runtime."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.specs import GPU_POOL, errors, spec

VLLM = {"framework": "vllm", "artifact": "s3://models/llm/", "nodePool": "gpu",
        "resources": {"cpu": "6", "memory": "24Gi", "gpu": 1}}


def llm(**runtime: Any) -> dict[str, Any]:
    return spec({"llm": {**VLLM, "runtime": runtime}}, pools={"gpu": GPU_POOL})


def test_an_owned_vllm_flag_is_refused_where_written(tmp_path: Path) -> None:
    [line] = errors(tmp_path, llm(args=["--max-model-len=8192", "--tensor-parallel-size=2"]))
    assert "'--tensor-parallel-size=2' sets --tensor-parallel-size, which mlops sets itself on vllm" in line
    assert line.endswith("[at $.models.llm.runtime.args[1]]")


def test_mlserver_takes_no_args(tmp_path: Path) -> None:
    doc = spec({"m": {"framework": "sklearn", "artifact": "s3://models/m/", "runtime": {"args": ["--debug"]}}})
    [line] = errors(tmp_path, doc)
    assert "`mlserver start` takes no arguments but the model folder" in line
    assert line.endswith("[at $.models.m.runtime.args]")


def test_another_repository_is_refused(tmp_path: Path) -> None:
    [line] = errors(tmp_path, llm(image="docker.io/lmsysorg/sglang:v0.5.0"))
    assert "runtime.image must be another tag of docker.io/vllm/vllm-openai" in line


def test_a_custom_model_names_its_image_elsewhere(tmp_path: Path) -> None:
    doc = spec({"c": {"framework": "custom", "image": "reg.example.com/ml/c:1", "runtime": {"image": "a.io/b/c:1"}}})
    [line] = errors(tmp_path, doc)
    assert "a custom model names its own image in 'image'" in line
