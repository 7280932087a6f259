"""The one table of serving runtimes: pinned images, how to start them, their ports, health paths and metrics.

The serving images are pinned in `mlops.ir.runtimes` (the rules check `runtime.image` and `runtime.args` against
them); MLServer's environment-variable fallback and ports come from MLServer's settings.py. Pinned here:
kserve/storage-initializer:v0.15.2 (what KServe's own model-cache controller pins; its entrypoint takes exactly ONE
`SRC_URI DEST_PATH` pair, kserve@v0.15.2 python/storage-initializer/scripts/initializer-entrypoint l.9: pairs
only from v0.16.0, so every init container fetches one source). Bump it here, and only here.

Queries are PromQL over the runtime's own metrics. `$sel` stands for the label matchers selecting the pods
(namespace, metrics Service, instance, pod-template hash), `$w` for the rate window. Every query answers
one number; `or on() vector(...)` keeps it an answer when a series does not exist yet (no 5xx ever served).
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Template

from mlops.ir.runtimes import JOBS_REPOSITORY, TRITON_FRAMEWORKS
from mlops.ir.runtimes import MLSERVER_IMAGE as MLSERVER_IMAGE
from mlops.ir.runtimes import TRITON_IMAGE as TRITON_IMAGE
from mlops.ir.runtimes import VLLM_IMAGE as VLLM_IMAGE
from mlops.ir.runtimes import VLLM_TPU_IMAGE as VLLM_TPU_IMAGE

STORAGE_INITIALIZER_IMAGE = "docker.io/kserve/storage-initializer:v0.15.2"

MODEL_DIR = "/mnt/models"
RUN_AS = 1000                          # the uid pods run as (never root: the namespace enforces `restricted`)
# The non-root users each pinned image defines (uid -> name), checked by the wiring contract: MLServer
# `useradd -u 1000 mlserver` + `USER 1000` (SeldonIO/MLServer@1.7.1 Dockerfile:88,129); Triton's `triton-server`,
# asserted uid 1000 (triton-inference-server/server@r25.01 build.py:1330-1340); the storage-initializer's `kserve`,
# uid 1000 (kserve@v0.15.2 python/storage-initializer.Dockerfile:53,66). vllm/vllm-openai defines none and runs as
# root (no USER/useradd in docker/Dockerfile; vllm-project/vllm#40275 keeps root the default): its pods get a
# passwd entry for RUN_AS mounted (PASSWD) and USER/LOGNAME set, so getpass.getuser() (torch inductor's cache dir)
# and ~ resolve (CPython getpass.py:162-169 reads LOGNAME/USER before pwd; HabanaAI/vllm-fork#929 is the KeyError).
PASSWD_USER = "mlops"
PASSWD = f"root:x:0:0:root:/root:/bin/sh\n{PASSWD_USER}:x:{RUN_AS}:{RUN_AS}:{PASSWD_USER}:/tmp:/usr/sbin/nologin\n"
IMAGE_USERS: dict[str, dict[int, str]] = {
    "docker.io/seldonio/mlserver": {1000: "mlserver"},
    "nvcr.io/nvidia/tritonserver": {1000: "triton-server"},
    "docker.io/kserve/storage-initializer": {1000: "kserve"},
    "docker.io/vllm/vllm-openai": {},
    "docker.io/vllm/vllm-tpu": {},
    # the job image: `useradd --uid 1000 ... mlops` + `USER 1000:1000` (compiler/jobs/Dockerfile)
    JOBS_REPOSITORY: {1000: "mlops"},
    # distroless images all carry a passwd with root and nonroot = 65532 (GoogleContainerTools/distroless
    # common/variables.bzl: `NONROOT = 65532`, `USERS = ["root", "nonroot"]`): the agent's base is
    # static:nonroot, Vector's cc-debian12 (facts-loop.md §8, §9)
    "docker.io/kserve/agent": {65532: "nonroot"},
    "docker.io/timberio/vector": {65532: "nonroot"},
}

MLSERVER_CLASSES = {
    "sklearn": "mlserver_sklearn.SKLearnModel",
    "xgboost": "mlserver_xgboost.XGBoostModel",
    "lightgbm": "mlserver_lightgbm.LightGBMModel",
    "huggingface": "mlserver_huggingface.HuggingFaceRuntime",
}


@dataclass(frozen=True)
class Queries:
    requests: str        # requests per second
    errors: str          # failed requests per second
    latency_p99_ms: str  # p99 latency in milliseconds
    in_flight: str       # requests being served right now


@dataclass(frozen=True)
class Runtime:
    kind: str                              # mlserver | triton | vllm | custom
    image: str | None                      # None: the model's own image
    command: tuple[str, ...]
    args: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    http_port: int
    metrics_port: int                      # equal to http_port when metrics share the HTTP port
    ready_path: str
    live_path: str
    startup_seconds: int                   # how long loading may take before liveness applies
    run_as: int | None                     # numeric uid; None: the image's own (it must not be root)
    shared_memory: bool                    # mount an in-memory /dev/shm (multi-process GPU runtimes)
    queries: Queries | None                # None: metric names unknown, use the Gateway's
    metrics_path: str = "/metrics"
    passwd: bool = False                   # the image defines no user run_as: mount PASSWD at /etc/passwd


def _q(requests: str, errors: str, latency: str, in_flight: str) -> Queries:
    return Queries(requests, errors, latency, in_flight)


MLSERVER_QUERIES = _q(
    'sum(rate(rest_server_requests_total{path=~".*/infer",$sel}[$w]))',
    'sum(rate(rest_server_requests_total{path=~".*/infer",status_code=~"5..",$sel}[$w]))',
    'histogram_quantile(0.99, sum by (le) '
    '(rate(rest_server_request_duration_seconds_bucket{path=~".*/infer",$sel}[$w]))) * 1000',
    "sum(rest_server_requests_in_progress{$sel})",
)
# Triton counts successes and failures apart; latency p99 comes from its summary (--metrics-config
# summary_latencies=true), the worst pod's; in-flight requests from Little's law on cumulative request time.
TRITON_QUERIES = _q(
    'sum(rate({__name__=~"nv_inference_request_(success|failure)",$sel}[$w]))',
    "sum(rate(nv_inference_request_failure{$sel}[$w]))",
    'max(nv_inference_request_summary_us{quantile="0.99",$sel}) / 1000',
    "sum(rate(nv_inference_request_duration_us{$sel}[$w])) / 1e6",
)
# vLLM's HTTP metrics come from prometheus-fastapi-instrumentator (status grouped as 2xx/5xx).
VLLM_QUERIES = _q(
    'sum(rate(http_requests_total{handler=~"/v1/.*",$sel}[$w]))',
    'sum(rate(http_requests_total{handler=~"/v1/.*",status="5xx",$sel}[$w]))',
    "histogram_quantile(0.99, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket{$sel}[$w]))) * 1000",
    'sum({__name__=~"vllm:num_requests_(running|waiting)",$sel})',
)
# Envoy Gateway's per-route upstream cluster stats: the fallback for images whose metrics mlops cannot know.
# `$sel` then selects the route's clusters (httproute/<namespace>/<route>/rule/<n>).
GATEWAY_QUERIES = _q(
    "sum(rate(envoy_cluster_upstream_rq_total{$sel}[$w]))",
    'sum(rate(envoy_cluster_upstream_rq_xx{envoy_response_code_class="5",$sel}[$w]))',
    "histogram_quantile(0.99, sum by (le) (rate(envoy_cluster_upstream_rq_time_bucket{$sel}[$w])))",
    "sum(envoy_cluster_upstream_rq_active{$sel})",
)
# Requests reaching a route, including those refused while no replica runs: what wakes a model scaled to zero.
GATEWAY_ARRIVALS = ("sum(rate(envoy_cluster_upstream_rq_xx{$sel}[$w])"
                    " or rate(envoy_cluster_upstream_cx_none_healthy{$sel}[$w]))")

Env = tuple[tuple[str, str], ...]
_CACHES: Env = (("HOME", "/tmp"), ("HF_HOME", "/tmp/huggingface"), ("XDG_CACHE_HOME", "/tmp/.cache"))


def runtime(framework: str, model: str, accelerators: int, tpu: bool) -> Runtime:
    """The runtime serving `framework`; `model` is the name the protocol serves it under."""
    if framework in MLSERVER_CLASSES:
        env: Env = (("MLSERVER_HTTP_PORT", "8080"), ("MLSERVER_METRICS_PORT", "8082"),
               ("MLSERVER_MODEL_IMPLEMENTATION", MLSERVER_CLASSES[framework]), ("MLSERVER_MODEL_NAME", model),
               ("MLSERVER_MODEL_URI", MODEL_DIR), ("MLSERVER_METRICS_DIR", "/tmp/.metrics"),
               ("NUMBA_CACHE_DIR", "/tmp/.cache"),
               ("TRANSFORMERS_CACHE", "/tmp/.cache"), *_CACHES)
        return Runtime("mlserver", MLSERVER_IMAGE, ("mlserver", "start", MODEL_DIR), (), env, 8080, 8082,
                       "/v2/health/ready", "/v2/health/live", 300, RUN_AS, False, MLSERVER_QUERIES)
    if framework in TRITON_FRAMEWORKS:
        args = (f"--model-repository={MODEL_DIR}", "--http-port=8000", "--metrics-port=8002",
                "--metrics-config=summary_latencies=true")
        return Runtime("triton", TRITON_IMAGE, ("tritonserver",), args, _CACHES, 8000, 8002,
                       "/v2/health/ready", "/v2/health/live", 600, RUN_AS, True, TRITON_QUERIES)
    if framework == "vllm":
        args = (MODEL_DIR, "--served-model-name", model, "--host", "0.0.0.0", "--port", "8000",
                *(("--tensor-parallel-size", str(accelerators)) if accelerators > 1 else ()))
        env = (*_CACHES, ("USER", PASSWD_USER), ("LOGNAME", PASSWD_USER), ("VLLM_CACHE_ROOT", "/tmp/vllm"),
               ("TRITON_CACHE_DIR", "/tmp/triton"), ("TORCHINDUCTOR_CACHE_DIR", "/tmp/torchinductor"))
        return Runtime("vllm", VLLM_TPU_IMAGE if tpu else VLLM_IMAGE, ("vllm", "serve"), args, env, 8000, 8000,
                       "/health", "/health", 1800, RUN_AS, True, VLLM_QUERIES, passwd=True)
    if framework == "custom":
        # The image's own command; it speaks the Open Inference Protocol on 8080 (schema contract) and finds
        # its artifact, if any, under MODEL_DIR.
        env = (("MODEL_DIR", MODEL_DIR), ("MODEL_NAME", model))
        return Runtime("custom", None, (), (), env, 8080, 8080, "/v2/health/ready", "/v2/health/live", 600,
                       None, False, None)
    raise ValueError(f"no runtime for framework '{framework}'")


def query(template: str, selector: str, window: str) -> str:
    """`template` with its pods (or route) selector and rate window filled in."""
    return Template(template).substitute(sel=selector, w=window)
