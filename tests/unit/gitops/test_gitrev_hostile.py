"""`plan --base` against hostile revisions and git environments: an option-like base is a usage error, git runs
with a clean environment on the repository holding the spec, and every message says what happened."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mlops.cli import main
from mlops.gitops.gitrev import BadRevision, GitError, git_environment, spec_at

ROOT = Path(__file__).parents[3]
QUICKSTART = (ROOT / "examples" / "quickstart" / "mlops.yaml").read_text(encoding="utf-8")
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false",
       "-c", "init.defaultBranch=main"]


def repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    env = git_environment()
    subprocess.run([*GIT, "-C", str(root), "init", "-q"], check=True, env=env)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    subprocess.run([*GIT, "-C", str(root), "add", "-A"], check=True, env=env)
    subprocess.run([*GIT, "-C", str(root), "commit", "-qm", "x"], check=True, env=env)
    return root


def plan(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["plan", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("base", ["--base=--", "--base=-x", "--base=--upload-pack=touch marker", "--base=",
                                  "--base=-c core.pager=touch marker"])
def test_a_base_that_looks_like_an_option_is_a_usage_error(base: str, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    spec = repo(tmp_path / "r", {"mlops.yaml": QUICKSTART}) / "mlops.yaml"
    monkeypatch.chdir(tmp_path)
    code, out, err = plan(capsys, str(spec), base, "--format", "text")
    assert code == 2 and out == ""
    assert err.startswith("mlops: --base ") and err.count("\n") == 1
    assert not (tmp_path / "marker").exists()


def test_with_detailed_exitcode_it_is_1_so_that_2_still_means_changes(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    spec = repo(tmp_path / "r", {"mlops.yaml": QUICKSTART}) / "mlops.yaml"
    assert plan(capsys, str(spec), "--base=--", "--detailed-exitcode")[0] == 1


@pytest.mark.parametrize("variables", [("GIT_DIR",), ("GIT_DIR", "GIT_WORK_TREE"), ("GIT_INDEX_FILE", "GIT_DIR")])
def test_inherited_git_variables_cannot_point_plan_at_another_repository(variables: tuple[str, ...], tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    spec = repo(tmp_path / "mine", {"mlops.yaml": QUICKSTART}) / "mlops.yaml"
    other = repo(tmp_path / "other", {"other.yaml": "x: 1\n"})
    where = {"GIT_DIR": other / ".git", "GIT_WORK_TREE": other, "GIT_INDEX_FILE": other / ".git" / "index"}
    for name in variables:
        monkeypatch.setenv(name, str(where[name]))
    revision = spec_at(str(spec), "main")
    assert revision.path == "mlops.yaml" and revision.text == QUICKSTART     # read from the spec's own repository


def test_git_runs_without_the_callers_git_variables() -> None:
    env = git_environment({"PATH": "/bin", "GIT_DIR": "/x", "GIT_CONFIG_PARAMETERS": "'core.pager=x'", "HOME": "/h"})
    assert env == {"PATH": "/bin", "HOME": "/h", "GIT_LITERAL_PATHSPECS": "1", "GIT_TERMINAL_PROMPT": "0",
                   "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}


def test_a_spec_named_like_pathspec_magic_is_read_literally(tmp_path: Path) -> None:
    name = ":(glob)x.yaml"
    spec = repo(tmp_path / "r", {name: QUICKSTART, "y.yaml": "y: 1\n"}) / name
    assert spec_at(str(spec), "main").text == QUICKSTART


@pytest.mark.parametrize("base_text, said", [
    ("a: [unclosed\n", "invalid YAML"),
    ("a: &x\n  b: *x\n", "recursive alias"),
    ("apiVersion: mlops/v1\nregistry: {keepLast: !!int abc}\n", "is not a valid !!int"),
])
def test_an_unusable_spec_at_the_base_is_said_of_the_base(base_text: str, said: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Said of the base, and planned against the working tree alone: refusing would block the fix itself."""
    spec = repo(tmp_path / "r", {"mlops.yaml": base_text}) / "mlops.yaml"
    spec.write_text(QUICKSTART, encoding="utf-8")
    code, out, err = plan(capsys, str(spec), "--base", "main", "--format", "text")
    lines = err.splitlines()
    assert code == 0 and out
    assert lines[0].startswith("main:mlops.yaml:") and said in lines[0]
    assert "mlops: warning: the spec at main is invalid: planned against the working tree alone" in err


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("git") is None,
                    reason="needs root, to make a repository owned by another user")
def test_a_repository_of_another_user_is_said_to_be_one(tmp_path: Path) -> None:
    root = repo(tmp_path / "r", {"mlops.yaml": QUICKSTART})
    for path in [root, *root.rglob("*")]:
        os.chown(path, 65534, 65534, follow_symlinks=False)
    with pytest.raises(GitError, match="dubious ownership.*safe.directory"):
        spec_at(str(root / "mlops.yaml"), "main")


def test_an_empty_base_is_refused_before_git_runs(tmp_path: Path) -> None:
    with pytest.raises(BadRevision):
        spec_at(str(tmp_path / "mlops.yaml"), "")
