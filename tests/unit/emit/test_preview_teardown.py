"""The Pulumi mocks run leaves no event loop open: each one left to the garbage collector could print an
`Exception ignored in: BaseEventLoop.__del__` traceback on the stderr of a compile that succeeded."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
from pathlib import Path

from mlops.pipeline import compile_spec

ROOT = Path(__file__).parents[3]


def open_loops() -> list[asyncio.AbstractEventLoop]:
    return [o for o in gc.get_objects() if isinstance(o, asyncio.AbstractEventLoop) and not o.is_closed()]


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
