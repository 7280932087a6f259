"""Entry point of the generated infra project: `__main__.py` calls `main()`.

The stack config holds the environment's IR under `mlops:environment` (written by `mlops compile`);
this rebuilds it and runs the target's program, exactly as the compile-time mocks preview did.
"""

from __future__ import annotations

import pulumi

from mlops import ir, targets

CONFIG_KEY = "environment"   # in the `mlops` config namespace


def environment() -> ir.Environment:
    return ir.from_dict(ir.Environment, pulumi.Config("mlops").require_object(CONFIG_KEY))


def main() -> None:
    env = environment()
    targets.get(env.target.provider).program(env)
