"""Table tests for the Kubernetes builders, in the manner of kustomize's `api/filters`: each row is an IR built
with `tests.support.ir_factory` and the object expected, written as inline YAML, compared whole or on the sub-tree
the row names.

    ROWS = [Row("recreate stops every pod first", model(strategy="recreate"), '''
        type: Recreate
    ''', at="spec.strategy")]

    @pytest.mark.parametrize("row", ROWS, ids=str)
    def test_deployment(row: Row) -> None:
        assert row.pick(rollout.deployment(row.scope, row.model, row.inst)) == row.expected

`$name` in the YAML stands for `values[name]` (a long PromQL selector written once); any other `$` stays as it
is (`$.models.m`). A path is dotted keys and `[n]` list indices (`spec.template.spec.containers[0]`); a key holding
a dot (a label name) cannot be walked: compare its parent.
"""

from __future__ import annotations

import copy
import re
import textwrap
from dataclasses import dataclass, field
from string import Template
from typing import Any

import yaml

from mlops import ir
from mlops.emit.k8s.meta import Scope
from mlops.ir.serving import Instance
from tests.support.ir_factory import environment, instance, scope


def expect(text: str, **values: str) -> Any:
    """Inline YAML, indented as it sits in the test, `$name` replaced by `values[name]` first."""
    return yaml.safe_load(Template(textwrap.dedent(text)).safe_substitute(values))


def dig(value: Any, path: str) -> Any:
    """The sub-tree of `value` at `path` ("" is the whole)."""
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        value = value[int(part[1:-1])] if part.startswith("[") else value[part]
    return value


def without(value: Any, *paths: str) -> Any:
    """A copy of `value` without the mapping keys at `paths`."""
    out = copy.deepcopy(value)
    for path in paths:
        parent, _, key = path.rpartition(".")
        del dig(out, parent)[key]
    return out


def inventory(objs: list[dict[str, Any]]) -> list[str]:
    """`Kind/name` of each object, in order: what a builder made."""
    return [f"{o['kind']}/{o['metadata']['name']}" for o in objs]


@dataclass(frozen=True)
class Row:
    name: str
    model: ir.Model
    yaml: str
    at: str = ""                                            # the sub-tree compared; "" the whole object
    drop: tuple[str, ...] = ()                              # sub-trees left out of the comparison
    env: dict[str, Any] = field(default_factory=dict)       # ir_factory.environment keywords (provider, pools...)
    instance: str | None = None                             # the serving instance built, when not the first
    values: dict[str, str] = field(default_factory=dict)    # what `$name` stands for in `yaml`

    def __str__(self) -> str:
        return self.name

    @property
    def expected(self) -> Any:
        return expect(self.yaml, **self.values)

    @property
    def environment(self) -> ir.Environment:
        return environment(models=(self.model,), **self.env)

    @property
    def scope(self) -> Scope:
        return scope(self.environment)

    @property
    def inst(self) -> Instance:
        return instance(self.model, self.instance)

    def pick(self, obj: Any) -> Any:
        return dig(without(obj, *self.drop), self.at)
