"""`mlops compile` end to end, through the CLI: deterministic output, one environment, what it reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops.cli import main
from tests.support import NORTH_STAR, ROOT


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize(("example", "envs"), [("north-star", {"staging", "production"}), ("quickstart", {"dev"})])
def test_compile_manifests_only(tmp_path: Path, capsys: pytest.CaptureFixture[str], example: str,
                                envs: set[str]) -> None:
    spec = str(ROOT / "examples" / example / "mlops.yaml")
    assert main(["compile", spec, "--manifests-only", "--out", str(tmp_path / "a")]) == 0
    assert main(["compile", spec, "--manifests-only", "--out", str(tmp_path / "b")]) == 0
    first, second = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert first == second
    assert {p.split("/")[0] for p in first} == envs
    assert all(p.split("/")[1] in ("manifests", ".mlops-build") for p in first)
    assert all(f"{env}/manifests/kustomization.yaml" in first for env in envs)
    assert "files ->" in capsys.readouterr().out


def test_compile_one_environment(tmp_path: Path) -> None:
    spec = str(ROOT / "examples" / "north-star" / "mlops.yaml")
    assert main(["compile", spec, "--manifests-only", "--env", "staging", "--out", str(tmp_path)]) == 0
    assert {p.name for p in tmp_path.iterdir() if not p.name.startswith(".")} == {"staging"}


def test_compile_prints_deferred_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compile", str(NORTH_STAR), "--env", "production", "--out", str(tmp_path / "build")]) == 0
    out = capsys.readouterr().out
    assert "production: aws-prod (aws)" in out
    assert "  filled at apply time from the infra stack outputs: registryUrl" in out
    assert (tmp_path / "build" / "production" / "infra" / "resources.json").is_file()
