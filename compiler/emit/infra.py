"""The `infra` layer: a Pulumi project running the target's program, and `resources.json`, the resource graph
that program registers when run under Pulumi mocks (credential-free, reviewable, what `mlops plan` diffs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlops import ir, targets
from mlops.emit.jsonout import dumps
from mlops.emit.yamlout import dump
from mlops.targets import Hints

if TYPE_CHECKING:   # the preview imports Pulumi: only when the layer is emitted (the target's extra installs it)
    from mlops.emit.preview import Preview, Recorded

MAIN = '''"""Pulumi entry point written by `mlops compile`; the program lives in the installed mlops package."""
from mlops.runtime.infra import main

main()
'''

NOTE = ("The resources the infra program registers, run under Pulumi mocks at compile time: inputs as the program "
        "sets them; values only the cloud knows (ids, ARNs, endpoints, the account 123456789012) are placeholders; "
        "secrets are shown as [secret].")

__all__ = ["emit", "preview", "stack_config"]


def preview(env: ir.Environment) -> list[Recorded]:
    """Every resource `env`'s target program registers, under mocks: sorted by (type, name, parent)."""
    from mlops.emit.preview import preview_environment

    return list(preview_environment(env).resources)


def stack_config(env: ir.Environment) -> dict[str, Any]:
    provider = {k: v for k, v in targets.get(env.target.provider).stack_config(env).items() if v is not None}
    return {"config": {**provider, "mlops:environment": ir.to_dict(env)}}


def dump_json(data: Any) -> bytes:
    return (dumps(data, ensure_ascii=False) + "\n").encode()


def resources_json(env: ir.Environment, result: Preview) -> bytes:
    return dump_json({
        "note": NOTE,
        "environment": env.name,
        "provider": env.target.provider,
        "instanceTypes": {p.name: p.instance_type for p in env.node_pools if p.instance_type},
        "outputs": result.outputs,
        "resources": [r.to_json() for r in result.resources],
    })


def emit(env: ir.Environment, hints: Hints) -> dict[str, bytes]:
    """Raises SdkMissing when the target's Pulumi SDK is not installed (its pip extra)."""
    targets.require_sdk([env], f"compile the infra layer of {env.name}")
    from mlops.emit.preview import preview_environment

    project = {"name": f"{env.platform}-infra", "runtime": "python",
               "description": f"Cloud infrastructure of {env.platform} ({env.name}), written by mlops compile"}
    return {
        "Pulumi.yaml": dump(project),
        f"Pulumi.{env.name}.yaml": dump(stack_config(env)),
        "__main__.py": MAIN.encode(),
        "resources.json": resources_json(env, preview_environment(env)),
    }
