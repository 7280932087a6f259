"""The wheel installs exactly one top-level package, `mlops`, with its data files, under this project's own
distribution name (the PyPI name `mlops` belongs to an unrelated 2018 package)."""

from __future__ import annotations

import functools
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.support import ROOT

DISTRIBUTION = "mlops-compiler"


@functools.cache
def wheel(folder: str) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", folder,
                    str(ROOT)], check=True, capture_output=True)
    return next(Path(folder).glob("mlops_compiler-*.whl"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return wheel(str(tmp_path_factory.mktemp("wheel")))


def test_the_distribution_is_ours() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == DISTRIBUTION
    assert project["scripts"] == {"mlops": "mlops.cli:entry"}


def test_the_wheel_holds_one_top_level_package_and_its_data(built: Path) -> None:
    names = zipfile.ZipFile(built).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"mlops", next(t for t in tops if t.endswith(".dist-info"))}
    for data in ("mlops/schemas/mlops.schema.json", "mlops/schemas/catalog.schema.json",
                 "mlops/targets/aws/catalog.yaml",
                 "mlops/targets/gcp/catalog.yaml", "mlops/targets/azure/catalog.yaml", "mlops/init/starter.yaml"):
        assert data in names


def test_installed_it_imports_as_mlops_and_not_as_compiler(built: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(built)],
                   check=True, capture_output=True)
    installed = {p.name for p in target.iterdir() if not p.name.endswith(".dist-info")}
    assert installed - {"bin"} == {"mlops"}       # bin/: the `mlops` console script
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    ok = subprocess.run([sys.executable, "-c", "import mlops.spec.schema as s; print(len(s.schema_text()) > 0)"],
                        cwd=tmp_path, env=env, capture_output=True, text=True)
    assert ok.stdout.strip() == "True", ok.stderr
    for generic in ("compiler", "targets", "schemas"):
        gone = subprocess.run([sys.executable, "-c", f"import {generic}"], cwd=tmp_path, env=env, capture_output=True,
                              text=True)
        assert gone.returncode == 1 and "ModuleNotFoundError" in gone.stderr
