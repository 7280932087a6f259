"""The `infra` layer: a Pulumi project running the target's program, and `resources.json`, the resource graph
that program registers when run under Pulumi mocks (credential-free, reviewable, what `mlops plan` diffs).
"""

from __future__ import annotations

from typing import Any

from mlops import ir
from mlops.targets import Hints

from mlops.emit.jsonout import dumps
from mlops.emit.preview import Preview, Recorded, preview_environment
from mlops.emit.yamlout import dump

MAIN = '''"""Pulumi entry point written by `mlops compile`; the program lives in the installed mlops package."""
from mlops.runtime.infra import main

main()
'''

NOTE = ("The resources the infra program registers, run under Pulumi mocks at compile time: inputs as the program "
        "sets them; values only the cloud knows (ids, ARNs, endpoints, the account 123456789012) are placeholders; "
        "secrets are shown as [secret].")

__all__ = ["Recorded", "emit", "preview", "provider_config", "stack_config"]


def preview(env: ir.Environment) -> list[Recorded]:
    """Every resource `env`'s target program registers, under mocks: sorted by (type, name, parent)."""
    return list(preview_environment(env).resources)


def provider_config(env: ir.Environment) -> dict[str, Any]:
    """Config of the provider's default provider (the programs also pass these explicitly)."""
    t = env.target
    by_provider: dict[str, dict[str, Any]] = {
        "aws": {"aws:region": t.region, "aws:allowedAccountIds": [t.account] if t.account else None},
        "gcp": {"gcp:project": t.project, "gcp:region": t.region},
        "azure": {"azure-native:location": t.region, "azure-native:subscriptionId": t.subscription},
        "onprem": {"kubernetes:context": t.context},
    }
    options = by_provider[t.provider]
    return {k: v for k, v in options.items() if v is not None}


def stack_config(env: ir.Environment) -> dict[str, Any]:
    return {"config": {**provider_config(env), "mlops:environment": ir.to_dict(env)}}


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
    project = {"name": f"{env.platform}-infra", "runtime": "python",
               "description": f"Cloud infrastructure of {env.platform} ({env.name}), written by mlops compile"}
    return {
        "Pulumi.yaml": dump(project),
        f"Pulumi.{env.name}.yaml": dump(stack_config(env)),
        "__main__.py": MAIN.encode(),
        "resources.json": resources_json(env, preview_environment(env)),
    }
