"""The reviewer's case (newuser review M9): a first pull request adding a 200-model spec (benchmarks/specgen.py)
planned for real, infrastructure included. Before, its comment was 156,105 characters, GitHub refuses more than
65,536, and the part never trimmed was 2.4 times the limit. Now it fits, its summary whole (per-model lines
collapsed into counts pointing at the run's artifact), and `--save` writes every line for that artifact."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from benchmarks import specgen
from mlops.cli import main
from mlops.gitops.plan import comment
from tests.support.gitrepo import Repo

RUN = "https://github.com/acme/ml/actions/runs/42"


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path]:
    root = tmp_path_factory.mktemp("first-pr")
    repo = Repo(root, None)                                    # the base commit has no mlops.yaml
    repo.write(specgen.generate(200))
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["plan", str(repo.spec), "--base", "HEAD", "--save", str(root / "full"), "--link", RUN])
    return code, out.getvalue(), root / "full"


def test_the_comment_fits_with_its_summary_whole(planned: tuple[int, str, Path]) -> None:
    code, text, _ = planned
    assert code == 1            # production is promoted from staging, which does not exist at the base yet
    assert len(text) <= comment.COMMENT_LIMIT
    head = text.split("\n<details>", 1)[0] + "\n"
    assert len(head) <= comment.SUMMARY_BUDGET
    assert "- **staging**: 200 models change: 200 new" in head
    assert "- **production**: 200 models change: 200 new" in head
    assert f"the `mlops-plan` artifact of [this workflow run]({RUN})" in head
    assert text.rstrip().endswith("for all of it._")


def test_the_saved_full_plan_has_every_line(planned: tuple[int, str, Path]) -> None:
    _, _, full = planned
    markdown = (full / "plan.md").read_text(encoding="utf-8")
    assert markdown.count("- **staging**: ") >= 200 and "trimmed" not in markdown
    data = json.loads((full / "plan.json").read_text(encoding="utf-8"))
    assert [len(e["rollouts"]) for e in data["environments"]] == [200, 200]
    assert (full / "plan.txt").read_text(encoding="utf-8").count("at apply time:") == 400
