"""mlops.ir.runtimes: the flags mlops owns on each runtime (abbreviations and split values included), and which
image references are the same runtime."""

from __future__ import annotations

import pytest

from mlops.ir import runtimes


@pytest.mark.parametrize(("runtime", "args", "owned"), [
    ("vllm", ["--max-model-len=8192", "--enable-prefix-caching"], []),
    ("vllm", ["--port=9000"], [(0, "--port")]),
    ("vllm", ["--dtype", "bfloat16", "--served-model", "x"], [(2, "--served-model-name")]),
    ("vllm", ["-tp", "2"], [(0, "-tp")]),
    ("vllm", ["--model-impl=transformers"], []),          # longer than --model: another flag
    ("triton", ["--http-port=9000", "--log-verbose=1"], [(0, "--http-port")]),
    ("triton", ["--metrics-config", "summary_latencies=false"], [(0, "--metrics-config=summary_latencies")]),
    ("triton", ["--metrics-config=summary_quantiles=0.5:0.05"], []),
    ("custom", ["--port=1"], []),
])
def test_owned_flags(runtime: runtimes.RuntimeKind, args: list[str], owned: list[tuple[int, str]]) -> None:
    assert runtimes.owned(runtime, args) == owned


def test_mlserver_takes_no_arguments() -> None:
    assert runtimes.OWNED_FLAGS["mlserver"] is None


@pytest.mark.parametrize(("image", "same"), [
    ("docker.io/vllm/vllm-openai:v0.12.1", True),
    ("docker.io/vllm/vllm-openai@sha256:" + "a" * 64, True),
    ("harbor.dc1.example.com/vllm/vllm-openai:v0.12.0", True),       # a mirror keeping the path
    ("registry.example.com:5000/mirror/vllm/vllm-openai:v0.12.0", True),
    ("docker.io/lmsysorg/sglang:v0.5.0", False),
    ("docker.io/evil/vllm-openai:v0.12.0", False),
])
def test_same_runtime(image: str, same: bool) -> None:
    assert runtimes.same_runtime(image, runtimes.VLLM_IMAGE) is same


def test_repository_strips_tag_and_digest_but_not_a_port() -> None:
    assert runtimes.repository("reg.example.com:5000/a/b:1.0") == "reg.example.com:5000/a/b"
    assert runtimes.repository("reg.example.com:5000/a/b@sha256:" + "0" * 64) == "reg.example.com:5000/a/b"


def test_default_image_per_framework() -> None:
    assert runtimes.default_image("xgboost", False) == runtimes.MLSERVER_IMAGE
    assert runtimes.default_image("onnx", False) == runtimes.TRITON_IMAGE
    assert runtimes.default_image("vllm", True) == runtimes.VLLM_TPU_IMAGE
    assert runtimes.default_image("custom", False) is None


MIRRORS = (("docker.io", "harbor.dc1.example.com/dockerhub"), ("nvcr.io", "harbor.dc1.example.com/nvcr"))


@pytest.mark.parametrize(("image", "want"), [
    ("docker.io/vllm/vllm-openai:v0.12.0", "harbor.dc1.example.com/dockerhub/vllm/vllm-openai:v0.12.0"),
    ("vllm/vllm-openai:v0.12.0", "harbor.dc1.example.com/dockerhub/vllm/vllm-openai:v0.12.0"),
    ("python:3.12", "harbor.dc1.example.com/dockerhub/library/python:3.12"),
    ("docker.io/library/python:3.12", "harbor.dc1.example.com/dockerhub/library/python:3.12"),
    ("index.docker.io/seldonio/mlserver:1.7.1", "harbor.dc1.example.com/dockerhub/seldonio/mlserver:1.7.1"),
    ("nvcr.io/nvidia/tritonserver:25.01-py3", "harbor.dc1.example.com/nvcr/nvidia/tritonserver:25.01-py3"),
    ("ghcr.io/mlops-compiler/mlops-jobs:0.1.0", "ghcr.io/mlops-compiler/mlops-jobs:0.1.0"),   # no mirror: as is
    ("localhost:5000/team/model:v1", "localhost:5000/team/model:v1"),
])
def test_mirrored(image: str, want: str) -> None:
    assert runtimes.mirrored(image, MIRRORS) == want


def test_no_mirrors_no_change() -> None:
    assert runtimes.mirrored("docker.io/kserve/storage-initializer:v0.15.2", ()) == \
        "docker.io/kserve/storage-initializer:v0.15.2"
