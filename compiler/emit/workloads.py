"""The `workloads` layer: a Pulumi project applying `../manifests` (server-side apply, Pulumi state, prune) to
the cluster the infra stack exports, read through a StackReference."""

from __future__ import annotations

from mlops import ir
from mlops.emit.yamlout import dump
from mlops.targets import Hints

MAIN = '''"""Pulumi entry point written by `mlops compile`; the program lives in the installed mlops package."""
from mlops.runtime.workloads import main

main()
'''


def infra_stack(env: ir.Environment) -> str:
    """The infra stack, as `project/stack`: the organization is the workloads stack's own unless the config
    names one (`mlops:infraStack: ORG/PROJECT/STACK`)."""
    return f"{env.platform}-infra/{env.name}"


def emit(env: ir.Environment, hints: Hints) -> dict[str, bytes]:
    project = {"name": f"{env.platform}-workloads", "runtime": "python",
               "description": f"Kubernetes workloads of {env.platform} ({env.name}), written by mlops compile"}
    config = {"config": {"mlops:infraStack": infra_stack(env), "mlops:manifests": "../manifests"}}
    return {
        "Pulumi.yaml": dump(project),
        f"Pulumi.{env.name}.yaml": dump(config),
        "__main__.py": MAIN.encode(),
    }
