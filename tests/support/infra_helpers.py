"""Helpers for the target tests: inline specs -> IR, and lookups in a mocks preview."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from mlops import ir
from mlops.emit.preview import Recorded
from mlops.spec.load import load
from mlops.spec.normalize import normalize
from tests.support import NORTH_STAR

# One model on an existing cluster, with a secret by reference: the smallest program the mocks run.
TINY_ONPREM = """
apiVersion: mlops/v1
kind: Platform
metadata: {name: tiny}
targets:
  dc: {provider: onprem, context: kind-tiny, registry: registry.local/tiny}
environments:
  dev: {target: dc}
models:
  m: {framework: sklearn, artifact: registry://m:v1, env: {TOKEN: {secretRef: {name: creds, key: token}}}}
"""


def environment(spec: str, env: str, tmp_path: Path) -> ir.Environment:
    """The IR of `env` in an inline spec (validated first, as `mlops compile` does)."""
    from mlops.errors import SpecError
    from mlops.spec.validate import check

    path = tmp_path / "mlops.yaml"
    path.write_text(textwrap.dedent(spec), encoding="utf-8")
    source = load(str(path))
    errors = [d for d in check(source) if d.severity == "error"]
    if errors:
        raise SpecError(errors)
    return normalize(source, env)


def north_star(env: str = "production") -> ir.Environment:
    return normalize(load(str(NORTH_STAR)), env)


def of_type(resources: list[Recorded], typ: str) -> list[Recorded]:
    return [r for r in resources if r.type == typ]


def one(resources: list[Recorded], typ: str, name: str | None = None, **where: Any) -> Recorded:
    """The only resource of type `typ` (named `name`, with inputs equal to `where`, when given)."""
    found = [r for r in of_type(resources, typ)
             if (name is None or r.name == name) and all(r.inputs.get(k) == v for k, v in where.items())]
    assert len(found) == 1, f"{len(found)} resources of type {typ} named {name} with {where}: " \
                            f"{[r.name for r in of_type(resources, typ)]}"
    return found[0]


def policy(text: str) -> Any:
    return json.loads(text)
