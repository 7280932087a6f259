"""mlops.emit.preview: a Pulumi program run under mocks, in-process, leaving nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops.emit import infra
from tests.support.infra_helpers import environment

SPEC = """
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


def test_a_failed_run_leaves_nothing_behind(tmp_path: Path) -> None:
    import pulumi

    from mlops.emit.preview import Setup, run

    def broken() -> None:
        out = pulumi.Output.from_input("x").apply(lambda _: {}["missing"])
        pulumi.export("broken", out)
        pulumi.ComponentResource("mlops:test:Broken", "broken", {"x": out})

    with pytest.raises(KeyError):
        run(broken, Setup("p", "s"))
    env = environment(SPEC, "dev", tmp_path)
    assert infra.preview(env) == infra.preview(env)


def test_a_run_under_a_disabled_collector_collects_its_cycles_and_leaves_it_as_it_was(tmp_path: Path) -> None:
    """`mlops` turns the cyclic collector off for batch commands; the Pulumi run turns it on for itself."""
    import gc

    env = environment(SPEC, "dev", tmp_path)
    expected = infra.preview(env)
    thresholds = gc.get_threshold()
    gc.disable()
    try:
        assert infra.preview(env) == expected
        assert not gc.isenabled() and gc.get_threshold() == thresholds and gc.get_freeze_count() == 0
    finally:
        gc.enable()
