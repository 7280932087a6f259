"""A fresh virtual environment with `pip install -e .` and no extra: `mlops validate`, `plan`, `cost` and
`compile --manifests-only` of the north-star work without any Pulumi or cloud SDK installed; `plan` says in the
comment that infrastructure was not previewed and which extra previews it; `compile` asks for that extra.

Building the venv needs the package index pip is configured with (offline mirrors work): when pip cannot install
the base dependencies, the module is skipped, saying why.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.support import ROOT
from tests.support.gitrepo import ENV as GIT_ENV
from tests.support.gitrepo import GIT

NORTH_STAR = ROOT / "examples" / "north-star" / "mlops.yaml"
STAGING_SCALING = "          scaling: {max: 3}\n"
STAGING_V13 = STAGING_SCALING + "          artifact: registry://fraud-scorer:v13\n"
SDKS = ("pulumi", "pulumi_kubernetes", "pulumi_random", "pulumi_aws", "pulumi_gcp", "pulumi_azure_native",
        "kubernetes")


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin/` of a venv holding mlops-compiler without extras."""
    root = tmp_path_factory.mktemp("bare-venv")
    venv.create(root, with_pip=True)
    pip = subprocess.run([str(root / "bin" / "python"), "-m", "pip", "install", "--quiet", "-e", str(ROOT)],
                         capture_output=True, text=True, timeout=900, check=False)
    if pip.returncode != 0:
        lines = [line for line in (pip.stderr or pip.stdout).splitlines() if line.strip()]
        pytest.skip(f"cannot build a venv here: pip says {lines[-1] if lines else pip.returncode}")
    return root / "bin"


def mlops(bare: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(bare / "mlops"), *args], capture_output=True, text=True, timeout=300, check=False,
                          cwd=cwd, env={**env, "PATH": f"{bare}{os.pathsep}{env.get('PATH', '')}"})


def test_no_sdk_is_installed(bare: Path) -> None:
    probe = f"import importlib.util as u; print(' '.join(m for m in {SDKS!r} if u.find_spec(m)))"
    found = subprocess.run([str(bare / "python"), "-c", probe], capture_output=True, text=True, check=True)
    assert found.stdout.split() == []


def test_validate_and_cost_work(bare: Path) -> None:
    done = mlops(bare, "validate", str(NORTH_STAR))
    assert done.returncode == 0, done.stderr
    assert mlops(bare, "cost", str(NORTH_STAR)).returncode == 0


def test_plan_plans_manifests_cost_and_the_gate_and_says_infra_was_not_previewed(bare: Path, tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run([*GIT, "-C", str(tmp_path), *args], check=True, capture_output=True, env=GIT_ENV)

    spec = tmp_path / "mlops.yaml"
    spec.write_text(NORTH_STAR.read_text(encoding="utf-8"), encoding="utf-8")
    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    spec.write_text(spec.read_text(encoding="utf-8").replace(STAGING_SCALING, STAGING_V13, 1), encoding="utf-8")
    done = mlops(bare, "plan", "mlops.yaml", "--base", "HEAD", "--detailed-exitcode", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    summary = done.stdout.split("<details>", 1)[0]
    assert "> **Infrastructure not previewed** (production, staging)" in summary
    assert "`pip install 'mlops-compiler[aws,gcp]'`" in summary
    assert "| staging | gcp-staging (gcp) | not previewed | 1 changed |" in summary
    assert "fraud-scorer: canary v12 → v13" in summary


def test_compile_asks_for_the_extras_and_manifests_only_needs_none(bare: Path, tmp_path: Path) -> None:
    done = mlops(bare, "compile", str(NORTH_STAR), "--out", str(tmp_path / "build"))
    assert done.returncode == 1 and not (tmp_path / "build" / "production").exists()
    assert "production (aws) needs pulumi, pulumi_kubernetes, pulumi_random, pulumi_aws" in done.stderr
    assert "pip install 'mlops-compiler[aws,gcp]'" in done.stderr
    done = mlops(bare, "compile", str(NORTH_STAR), "--out", str(tmp_path / "build"), "--manifests-only")
    assert done.returncode == 0, done.stderr


def test_the_version_is_this_distributions(bare: Path) -> None:
    done = mlops(bare, "--version")
    assert (done.stdout + done.stderr).strip() == f"mlops {_version()}"


def _version() -> str:
    """The source's version (pyproject reads mlops.__version__ from compiler/__init__.py)."""
    import ast

    tree = ast.parse((ROOT / "compiler" / "__init__.py").read_text(encoding="utf-8"))
    return next(str(ast.literal_eval(n.value)) for n in tree.body if isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "__version__" for t in n.targets))


if sys.platform == "win32":  # pragma: no cover - the venv layout above is POSIX's
    pytestmark = pytest.mark.skip("POSIX venv layout")
