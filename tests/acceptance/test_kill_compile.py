"""A compile killed (SIGKILL) at random points: whatever moment it dies, every environment folder it leaves is a
whole build (the previous one or the new one, never half of one); the next write's recovery puts the previous
build back whole unless the swap had committed; and no staging folder survives the next compile.

Bounded and seeded: TRIALS kills, a third at any moment of the run, a third while the new build is being staged,
a third right after the swap's journal appears (the window of the renames)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from mlops.write import STAGING, recover

TRIALS = int(os.environ.get("MLOPS_KILL_TRIALS", "9"))     # more for a campaign; 9 keep the suite short
MODELS = 40
ENVS = ("dev", "qa", "prod")


def spec(version: str) -> str:
    models = "".join(f"  m{i}:\n    framework: sklearn\n    artifact: https://storage.example.com/m{i}/{version}/model.joblib\n"
                     for i in range(MODELS))
    envs = "".join(f"  {e}: {{target: local}}\n" for e in ENVS)
    return (f"apiVersion: mlops/v1\nkind: Platform\nmetadata: {{name: kills}}\n"
            f"targets:\n  local: {{provider: onprem, context: kind-mlops}}\nenvironments:\n{envs}models:\n{models}")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def env_tree(build: dict[str, bytes], env: str) -> dict[str, bytes]:
    return {p: c for p, c in build.items() if p.startswith(f"{env}/")}


def compile_into(spec_file: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "mlops", "compile", str(spec_file), "--manifests-only",
                             "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def staging(out: Path) -> list[Path]:
    return sorted(out.glob(STAGING + "*"))


def wait_for(predicate: object, child: subprocess.Popen[bytes], limit: float) -> bool:
    """Poll until `predicate()` holds or the child ends; False if it never held."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and child.poll() is None:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.001)
    return False


def moment(left: list[Path]) -> str:
    """When the kill struck, from what it left: nothing, a staging folder, or a journal and how far it got."""
    journals = [s / "journal" for s in left if (s / "journal").exists()]
    if not left:
        return "before staging or after cleanup"
    if not journals:
        return "while staging"
    lines = journals[0].read_text(encoding="utf-8").splitlines()
    if lines and lines[-1] == "commit":
        return "after commit"
    return f"mid-swap ({len(lines) - 1} of {2 * len(ENVS)} steps)"


def kill_at_random(child: subprocess.Popen[bytes], out: Path, mode: str, rng: random.Random, took: float) -> None:
    if mode == "anytime":
        time.sleep(rng.uniform(0, took))
    elif mode == "staging":
        if wait_for(lambda: bool(staging(out)), child, 60):
            time.sleep(rng.uniform(0, took / 3))
    else:  # the swap: the journal is written just before the first rename
        if wait_for(lambda: any((s / "journal").exists() for s in staging(out)), child, 60):
            time.sleep(rng.uniform(0, 0.02))
    child.send_signal(signal.SIGKILL)
    child.wait()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_compile_killed_at_random_points_loses_no_build(tmp_path: Path) -> None:
    specs = {v: tmp_path / "specs" / v / "mlops.yaml" for v in ("v1", "v2")}
    for version, path in specs.items():
        path.parent.mkdir(parents=True)
        path.write_text(spec(version), encoding="utf-8")
    out = tmp_path / "build"
    expected: dict[str, dict[str, bytes]] = {}
    started = time.monotonic()
    for version in ("v2", "v1"):                       # each build once, whole: what the trials compare with
        assert compile_into(specs[version], out).wait() == 0
        expected[version] = tree(out)
    took = (time.monotonic() - started) / 2
    rng = random.Random(20261201)
    outcomes: Counter[str] = Counter()
    current = "v1"
    for trial in range(TRIALS):
        new = "v2" if current == "v1" else "v1"
        mode = ("anytime", "staging", "swap")[trial % 3]
        kill_at_random(compile_into(specs[new], out), out, mode, rng, took)
        left = staging(out)
        when = moment(left)
        for env in ENVS:                               # before any recovery: each folder is one whole build
            have = env_tree(tree(out), env)
            if have:
                assert have in (env_tree(expected[current], env), env_tree(expected[new], env)), (trial, mode, env)
            else:
                assert left, f"trial {trial} ({mode}): {env} is gone and no staging folder holds it"
        recover(out)                                   # what the next compile does first, under its lock
        after = tree(out)
        assert not staging(out)
        assert after in (expected[current], expected[new]), f"trial {trial} ({mode}): a mixed build"
        outcomes[f"{when}: {'new' if after == expected[new] else 'previous intact'}"] += 1
        assert compile_into(specs[new], out).wait() == 0   # the next compile: whole, and nothing left over
        assert not staging(out) and tree(out) == expected[new]
        current = new
    print(f"\n{TRIALS} kills: {dict(outcomes)}")
    assert sum(outcomes.values()) == TRIALS


def test_two_compiles_into_one_folder_are_serialised(tmp_path: Path) -> None:
    specs = {v: tmp_path / "specs" / v / "mlops.yaml" for v in ("v1", "v2")}
    for version, path in specs.items():
        path.parent.mkdir(parents=True)
        path.write_text(spec(version), encoding="utf-8")
    out = tmp_path / "build"
    expected = {}
    for version in ("v1", "v2"):
        assert compile_into(specs[version], out).wait() == 0
        expected[version] = tree(out)
    for _ in range(2):
        first, second = compile_into(specs["v1"], out), compile_into(specs["v2"], out)
        assert (first.wait(), second.wait()) == (0, 0), (first.stderr, second.stderr)
        assert tree(out) in (expected["v1"], expected["v2"]) and not staging(out)


def test_a_compile_waits_for_the_one_holding_the_folder(tmp_path: Path) -> None:
    import fcntl

    path = tmp_path / "specs" / "mlops.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(spec("v1"), encoding="utf-8")
    out = tmp_path / "build"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)                 # another compile is writing
        child = compile_into(path, out)
        time.sleep(2)
        assert child.poll() is None and list(out.iterdir()) == []
    finally:
        os.close(fd)
    assert child.wait(timeout=120) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(ENVS)
