"""The README's plan, promotion gate, init and cost examples are what the commands print."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import ROOT
from tests.support.cli import run
from tests.support.gitrepo import Repo

NORTH_STAR = (ROOT / "examples" / "north-star" / "mlops.yaml").read_text(encoding="utf-8")
STAGING_SCALING = "          scaling: {max: 3}\n"
STAGING_V13 = STAGING_SCALING + "          artifact: registry://fraud-scorer:v13\n"


def shown(command: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split(f"$ {command}\n", 1)[1].split("```", 1)[0]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    repo = Repo(tmp_path, NORTH_STAR)
    repo.git("update-ref", "refs/remotes/origin/main", "HEAD")
    monkeypatch.chdir(tmp_path)
    return repo


def test_the_plan_example(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.edit(STAGING_SCALING, STAGING_V13)
    code, out, _ = run(capsys, "plan", "mlops.yaml", "--base", "origin/main")
    assert code == 0 and out == shown("mlops plan mlops.yaml --base origin/main")


def test_the_promotion_gate_example(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.edit("artifact: registry://fraud-scorer:v12", "artifact: registry://fraud-scorer:v13")
    code, out, _ = run(capsys, "plan", "mlops.yaml", "--base", "origin/main", "--format", "text")
    example = shown("mlops plan mlops.yaml --base origin/main --format text")
    assert code == 1 and out.startswith(example)


def test_the_init_example(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "init")
    assert code == 0 and out == shown("mlops init")


@pytest.mark.parametrize("argv", [("examples/north-star/mlops.yaml",),
                                  ("examples/north-star/mlops.yaml", "--compare", "aws,gcp,azure"),
                                  ("examples/loop/mlops.yaml", "--env", "staging")])     # the training line
def test_the_readme_shows_real_output(argv: tuple[str, ...], capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    command = " ".join(("mlops cost", *argv))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split(f"$ {command}\n", 1)[1].split("```", 1)[0]
    assert run(capsys, "cost", *argv)[1] == shown


def test_the_propose_example(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    import json
    import os

    Repo(tmp_path, (ROOT / "examples" / "loop" / "mlops.yaml").read_text(encoding="utf-8"))
    output = "s3://fraud-models/fraud-scorer/"
    for run_id, verdict, when in (("wf-2j8kq", "pass", 1000), ("wf-9xk2m", "fail", 2000)):
        folder = tmp_path / "candidates" / "fraud-scorer" / run_id
        folder.mkdir(parents=True)
        failures = [] if verdict == "pass" else ["roc_auc is 0.8912; the gate asks >= 0.9"]
        (folder / "report.json").write_text(json.dumps({"verdict": verdict, "failures": failures,
                                                        "candidate": {"name": f"{output}{run_id}/model/"}}))
        (folder / "report.md").write_text("## Gate\n")
        os.utime(folder / "report.json", (when, when))
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "propose", "mlops.yaml", "--candidates", "candidates", "--dry-run")
    assert code == 0 and out == shown("mlops propose mlops.yaml --candidates candidates --dry-run")
