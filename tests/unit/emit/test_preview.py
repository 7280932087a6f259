"""mlops.emit.preview: a Pulumi program run under mocks, in-process, leaving nothing behind."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
from pathlib import Path

import pytest

from mlops.emit import infra
from mlops.pipeline import compile_spec
from tests.support import ROOT
from tests.support.infra_helpers import TINY_ONPREM as SPEC
from tests.support.infra_helpers import environment


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
    env = environment(SPEC, "dev", tmp_path)
    expected = infra.preview(env)
    thresholds = gc.get_threshold()
    gc.disable()
    try:
        assert infra.preview(env) == expected
        assert not gc.isenabled() and gc.get_threshold() == thresholds and gc.get_freeze_count() == 0
    finally:
        gc.enable()


# The mocks run leaves no event loop open: each one left to the garbage collector could print an
# `Exception ignored in: BaseEventLoop.__del__` traceback on the stderr of a compile that succeeded.

def open_loops() -> list[asyncio.AbstractEventLoop]:
    # type(), not isinstance(): shap's stand-ins for modules it lacks raise on any attribute, `__class__` too
    return [o for o in gc.get_objects() if issubclass(type(o), asyncio.AbstractEventLoop) and not o.is_closed()]


def test_a_preview_closes_every_event_loop_it_made() -> None:
    before = {id(loop) for loop in open_loops()}
    compile_spec(str(ROOT / "examples" / "north-star" / "mlops.yaml"), ["production"])
    assert [loop for loop in open_loops() if id(loop) not in before] == []


def test_a_full_compile_prints_nothing_on_stderr(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-W", "default", "-m", "mlops", "compile",
                           str(ROOT / "examples" / "quickstart" / "mlops.yaml"), "--out", str(tmp_path / "build")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
