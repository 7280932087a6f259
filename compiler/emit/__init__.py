"""Stage 4, emit: an environment's IR -> its files, by layer.

`manifests` is the cloud-agnostic Kubernetes layer (it asks the target only for `Hints`); `infra` and
`workloads` are the Pulumi projects. Each layer returns {path relative to the environment folder: bytes}.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from mlops import ir

LAYERS = ("manifests", "infra", "workloads")


def emit(env: ir.Environment, layers: tuple[str, ...] = LAYERS) -> dict[str, bytes]:
    from mlops import targets

    hints = targets.get(env.target.provider).hints(env)
    files: dict[str, bytes] = {}
    for layer in layers:
        module = importlib.import_module(f"mlops.emit.{layer}")
        produced: Mapping[str, bytes] = module.emit(env, hints)
        files.update({f"{layer}/{path}": content for path, content in produced.items()})
    return files
