"""Which runtime serves a framework, its pinned image, and the command-line flags mlops sets on it: the facts
the rules (`runtime.args`, `runtime.image`) and the emitter (`mlops.emit.k8s.runtimes`) must agree on.

Pinned tags, each seen in public use before being written here: seldonio/mlserver:1.7.1 (the full image,
every MLServer runtime), nvcr.io/nvidia/tritonserver:25.01-py3, vllm/vllm-openai:v0.12.0 and
vllm/vllm-tpu:v0.12.0. Bump them here, and only here.
"""

from __future__ import annotations

from typing import Literal

RuntimeKind = Literal["mlserver", "triton", "vllm", "custom"]

MLSERVER_IMAGE = "docker.io/seldonio/mlserver:1.7.1"
TRITON_IMAGE = "nvcr.io/nvidia/tritonserver:25.01-py3"
VLLM_IMAGE = "docker.io/vllm/vllm-openai:v0.12.0"
VLLM_TPU_IMAGE = "docker.io/vllm/vllm-tpu:v0.12.0"

# The job image (mlops.jobs: data checks, the gate, the drift, fairness and explanation monitors), built from
# compiler/jobs/Dockerfile and pushed by .github/workflows/jobs-image.yml with the package's version as its tag, so
# a compiler and the programs its manifests run are always of one release. A target's `images.jobs` replaces it.
JOBS_REPOSITORY = "ghcr.io/mlops-compiler/mlops-jobs"


def jobs_image(version: str) -> str:
    """The project's job image for a package version."""
    return f"{JOBS_REPOSITORY}:{version}"

# Request logging (issue 17): KServe's own logger, pinned to the release KServe v0.15.2 injects
# (kserve/kserve@v0.15.2:charts/kserve-resources/values.yaml:1-5, `agent: {image: kserve/agent, tag: v0.15.2}`),
# built FROM gcr.io/distroless/static:nonroot, so it runs as uid 65532 with no shell (kserve@v0.15.2:agent.Dockerfile);
# and Vector, which writes its CloudEvents to data.live (vectordotdev/vector@v0.57.0, tag form
# scripts/build-docker.sh:65 `$VERSION-$BASE`; distroless-libc sets no USER, so mlops pins uid 65532 itself).
KSERVE_AGENT_IMAGE = "docker.io/kserve/agent:v0.15.2"
VECTOR_IMAGE = "docker.io/timberio/vector:0.57.0-distroless-libc"

# An image reference's registry host, as Docker and the kubelet read it: the first path component is a host when
# it has a "." or ":" or is "localhost", else the reference is Docker Hub's (docker.io, index.docker.io its legacy
# name), where a one-component name is an official image under library/ (distribution/reference normalize.go,
# splitDockerDomain). A mirror prefix then replaces the host: Harbor's proxy cache is one project per upstream
# registry, pulled as <harbor>/<project>/<path> ("configure your docker pull commands and pod manifests to pull
# images from the proxy cache project instead of the target registry",
# https://goharbor.io/docs/latest/administration/configure-proxy-cache/), so docker.io/vllm/vllm-openai:v0.12.0
# becomes <prefix>/vllm/vllm-openai:v0.12.0 and python:3.12 <prefix>/library/python:3.12.
DOCKER_HUB = "docker.io"


def split_host(image: str) -> tuple[str, str]:
    """(registry host, path with its tag or digest) of an image reference."""
    first, sep, rest = image.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        host, path = ("docker.io" if first == "index.docker.io" else first), rest
    else:
        host, path = DOCKER_HUB, image
    if host == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    return host, path


def mirrored(image: str, mirrors: tuple[tuple[str, str], ...]) -> str:
    """`image` pulled through the mirror of its registry host, or unchanged when that host has none."""
    host, path = split_host(image)
    prefix = dict(mirrors).get(host)
    return f"{prefix}/{path}" if prefix else image

MLSERVER_FRAMEWORKS = ("sklearn", "xgboost", "lightgbm", "huggingface")
TRITON_FRAMEWORKS = ("pytorch", "tensorflow", "onnx")

# The flags mlops passes, by runtime; a user's `runtime.args` may not set them again (the emitter's value would
# silently lose, or win, depending on the runtime's parser). None: the runtime takes no arguments at all.
# - MLServer 1.7.1: `mlserver start FOLDER` takes the folder and nothing else (SeldonIO/MLServer@1.7.1
#   mlserver/cli/main.py l.38-41, `@click.argument("folder", nargs=1)`); it is configured through MLSERVER_* env.
# - Triton 25.01: the model repository (`--model-store` is its older spelling), the HTTP and metrics ports
#   (triton-inference-server/server@r25.01 docs/user_guide/metrics.md l.33-47).
# - vLLM: the model (`vllm serve MODEL` or `--model`), `--served-model-name` and `--tensor-parallel-size`/`-tp`
#   (vllm/engine/arg_utils.py, `parallel_group.add_argument("--tensor-parallel-size", "-tp", ...)`), `--host`,
#   `--port`, and `--uds`, which makes vLLM ignore host and port (vllm/entrypoints/openai/cli_args.py,
#   FrontendArgs). Read at the stored versions of the code index (the v0.12.0 tree is over the fetch limit);
#   these names are unchanged across the 0.x versions stored there. mlops sets the tensor-parallel size from
#   resources.gpu, so it is refused even where one GPU leaves it unset.
OWNED_FLAGS: dict[RuntimeKind, tuple[str, ...] | None] = {
    "mlserver": None,
    "triton": ("--model-repository", "--model-store", "--http-port", "--metrics-port"),
    "vllm": ("--model", "--served-model-name", "--host", "--port", "--uds", "--tensor-parallel-size", "-tp"),
    "custom": (),
}
# Triton takes --metrics-config many times; only the setting mlops' latency queries need is owned.
OWNED_VALUES: dict[RuntimeKind, tuple[tuple[str, str], ...]] = {
    "triton": (("--metrics-config", "summary_latencies="),),
}


def kind(framework: str) -> RuntimeKind | None:
    if framework in MLSERVER_FRAMEWORKS:
        return "mlserver"
    if framework in TRITON_FRAMEWORKS:
        return "triton"
    if framework in ("vllm", "custom"):
        return framework  # type: ignore[return-value]
    return None


def default_image(framework: str, tpu: bool) -> str | None:
    """The image mlops pins for `framework` (None: custom, the model's own image)."""
    return {"mlserver": MLSERVER_IMAGE, "triton": TRITON_IMAGE, "vllm": VLLM_TPU_IMAGE if tpu else VLLM_IMAGE,
            "custom": None, None: None}[kind(framework)]


def repository(image: str) -> str:
    """`registry/path` of an image reference, without its tag or digest."""
    name = image.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


def same_runtime(image: str, pinned: str) -> bool:
    """`image` is the pinned image's repository, or a mirror of it keeping its path (harbor.example.com/vllm/...)."""
    repo, want = repository(image), repository(pinned)
    path = want.split("/", 1)[1]
    return repo == want or repo.endswith("/" + path)


def owned(runtime: RuntimeKind, args: list[str]) -> list[tuple[int, str]]:
    """(index, flag) of each of `args` that sets a flag of mlops' own. A long option matches by a prefix too, as
    argparse abbreviates (`--served-model` is `--served-model-name`); a value follows its flag after `=` or as
    the next argument."""
    out: list[tuple[int, str]] = []
    for i, arg in enumerate(args):
        name, _, value = arg.partition("=")
        if not value and i + 1 < len(args):
            value = args[i + 1]
        for flag in OWNED_FLAGS.get(runtime) or ():
            if name == flag or (flag.startswith("--") and len(name) > 3 and flag.startswith(name)):
                out.append((i, flag))
                break
        else:
            out += [(i, f"{flag}={want.rstrip('=')}") for flag, want in OWNED_VALUES.get(runtime, ())
                    if name == flag and value.startswith(want)]
    return out
