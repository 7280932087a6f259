"""Runtime knobs: `runtime.args` may not set a flag mlops sets itself (the user would silently fight the emitter),
and `runtime.image` is another tag of the runtime mlops pins, not another program."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops.diagnostics import Diagnostic, shown
from mlops.ir import runtimes
from mlops.ir.serving import TPU_FRAMEWORKS
from mlops.spec.overlay import EnvSource
from mlops.spec.raw import integer, mapping, models_of, pools_of

# What mlops derives each owned flag from, for the message.
_WHY = {"mlserver": "", "triton": "the model repository and the ports",
        "vllm": "the model's path and name, the ports, and the tensor-parallel size from resources.gpu"}


def runtime_options(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> Iterator[Diagnostic]:
    pools = pools_of(doc)
    for name, model in models_of(doc):
        framework = model.get("framework")
        options = mapping(model.get("runtime"))
        kind = runtimes.kind(framework) if isinstance(framework, str) else None
        if kind is None or not options:
            continue
        where = ("models", name, "runtime")
        args = options.get("args")
        if isinstance(args, list) and all(isinstance(a, str) for a in args):
            yield from _args(kind, args, where, at)
        image = options.get("image")
        if isinstance(image, str):
            yield from _image(name, model, image, _tpu(model, pools), where, at)


def _args(kind: runtimes.RuntimeKind, args: list[str], where: tuple[str, ...], at: EnvSource) -> Iterator[Diagnostic]:
    if runtimes.OWNED_FLAGS[kind] is None:
        if args:
            yield at.error((*where, "args"), "MLServer's `mlserver start` takes no arguments but the model folder: "
                                             "configure it through env (MLSERVER_* variables)")
        return
    for index, flag in runtimes.owned(kind, args):
        yield at.error((*where, "args", index), f"'{shown(args[index])}' sets {flag}, which mlops sets itself on "
                                                f"{kind} ({_WHY[kind]}): remove it")


def _image(name: str, model: dict[str, Any], image: str, tpu: bool, where: tuple[str, ...],
           at: EnvSource) -> Iterator[Diagnostic]:
    framework = str(model.get("framework"))
    pinned = runtimes.default_image(framework, tpu)
    if pinned is None:
        yield at.error((*where, "image"), "runtime.image pins a built-in runtime; a custom model names its own "
                                          "image in 'image'")
    elif not runtimes.same_runtime(image, pinned):
        yield at.error((*where, "image"), f"runtime.image must be another tag of {runtimes.repository(pinned)} (or "
                                          "its copy in a mirror, keeping the path), not "
                                          f"{shown(runtimes.repository(image))}: mlops starts, probes and scrapes "
                                          f"it as {framework}'s runtime")


def _tpu(model: dict[str, Any], pools: dict[str, dict[str, Any]]) -> bool:
    """Served by the TPU build of its runtime (a TPU pool, and some accelerators asked for)."""
    pool = model.get("nodePool")
    accel = mapping(pools.get(pool, {}).get("accelerator")) if isinstance(pool, str) else {}
    gpu = integer(mapping(model.get("resources")).get("gpu")) or 0
    return str(accel.get("type", "")).startswith("tpu") and gpu > 0 and model.get("framework") in TPU_FRAMEWORKS
