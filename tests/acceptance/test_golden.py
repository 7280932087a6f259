"""Golden folders: every example compiles, for every environment, to exactly tests/golden/<example>/<env>/.

`pytest --update-golden` rewrites them. Adding a layer to the comparison is one change to LAYERS.
"""

from __future__ import annotations

import difflib
import functools
import shutil
from pathlib import Path

import pytest
import yaml

from mlops.pipeline import compile_spec
from tests.support import EXAMPLES, ROOT
from tests.support.k8s_schemas import validate_objects

LAYERS: tuple[str, ...] = ("manifests", "infra", "workloads")
GOLDEN = ROOT / "tests" / "golden"


@functools.cache
def compiled(example: Path) -> dict[str, bytes]:
    return dict(compile_spec(str(example / "mlops.yaml"), layers=LAYERS).files)


def _in_layers(relative: str) -> bool:
    parts = relative.split("/")
    return len(parts) > 2 and parts[1] in LAYERS


def _expected(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    return {k: v for k, v in files.items() if _in_layers(k)}


def _rewrite(folder: Path, files: dict[str, bytes]) -> None:
    existing = {d.name for d in folder.iterdir() if d.is_dir()} if folder.is_dir() else set()
    envs = {p.split("/")[0] for p in files} | existing
    for env in envs:
        for layer in LAYERS:
            shutil.rmtree(folder / env / layer, ignore_errors=True)
    for relative, content in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_golden(example: Path, update_golden: bool) -> None:
    actual, folder = compiled(example), GOLDEN / example.name
    if update_golden:
        _rewrite(folder, actual)
    expected = _expected(folder)
    problems = [f"in golden, not produced: {p}" for p in sorted(set(expected) - set(actual))]
    problems += [f"produced, not in golden: {p}" for p in sorted(set(actual) - set(expected))]
    for path in sorted(set(actual) & set(expected)):
        if actual[path] != expected[path]:
            diff = difflib.unified_diff(expected[path].decode().splitlines(), actual[path].decode().splitlines(),
                                        f"golden/{example.name}/{path}", f"output/{path}", lineterm="")
            problems.append("\n".join(diff))
    assert not problems, "\n".join(problems) + "\n(run `pytest --update-golden` if the change is intended)"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_compiling_twice_gives_identical_bytes(example: Path) -> None:
    first = compile_spec(str(example / "mlops.yaml"), layers=LAYERS).files
    second = compile_spec(str(example / "mlops.yaml"), layers=LAYERS).files
    assert first == second


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_output_names_no_local_path(example: Path) -> None:
    leaks = [p for p, content in compiled(example).items() if str(ROOT).encode() in content]
    assert leaks == []


def test_every_object_validates_against_upstream_schemas() -> None:
    objs = [yaml.safe_load(content) for example in EXAMPLES for path, content in sorted(compiled(example).items())
            if path.split("/")[1] == "manifests" and not path.endswith("/kustomization.yaml")]
    assert len(objs) > 200
    assert validate_objects(objs) == []


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_kustomization_lists_every_manifest(example: Path) -> None:
    files = compiled(example)
    for env in {p.split("/")[0] for p in files}:
        prefix = f"{env}/manifests/"
        listed = yaml.safe_load(files[prefix + "kustomization.yaml"])
        present = sorted(p[len(prefix):] for p in files
                         if p.startswith(prefix) and not p.endswith("kustomization.yaml"))
        assert listed["resources"] == present
        namespace = yaml.safe_load(files[prefix + f"namespace-{listed['namespace']}.yaml"])
        assert listed["namespace"] == namespace["metadata"]["name"]
