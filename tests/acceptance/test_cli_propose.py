"""`mlops propose` end to end: a checkout of the loop spec with a bare origin, candidates as retraining publishes
them, and a fake GitHub API recording every request."""

from __future__ import annotations

import difflib

import pytest

from mlops.gitops.plan.comment import MARKER as PLAN_MARKER
from tests.support.cli import run
from tests.support.fake_github import fake_github
from tests.support.proposals import LOOP_SPEC, OUTPUT, TOKEN, checkout, copy_reports, propose, publish, report

BRANCH = "mlops/propose/staging/fraud-scorer"


def _proposed_diff(co) -> list[str]:
    after = co.remote("show", f"{BRANCH}:mlops.yaml") + "\n"
    return [line for line in difflib.unified_diff(LOOP_SPEC.splitlines(), after.splitlines(), lineterm="", n=0)
            if not line.startswith(("---", "+++", "@@"))]


def test_a_passing_candidate_becomes_one_pull_request_with_the_report_reviewers_and_the_plan(
        tmp_path, capsys, monkeypatch) -> None:
    co = checkout(tmp_path)
    publish(co.candidates, "run-1", body="## Gate: the candidate passes\n\nroc_auc 0.93 vs 0.91\n", mtime=1000)
    with fake_github() as gh:
        code, out, err = propose(capsys, monkeypatch, co, gh.url)
    assert (code, err) == (0, "")
    assert out == ("staging/fraud-scorer: opened: s3://fraud-models/fraud-scorer/run-1/model/ (run run-1): "
                   "https://github.example/acme/platform/pull/1\n")
    # Only the artifact line is added, under the staging override; every comment and quote stays.
    assert _proposed_diff(co) == [f"+          artifact: {OUTPUT}run-1/model/"]
    assert co.repo.git("status", "--porcelain") == ""          # the working tree is not touched
    (pull,) = gh.pulls
    assert pull["head"] == {"ref": BRANCH} and pull["base"] == {"ref": "main"}
    assert pull["title"] == "mlops: fraud-scorer in staging: candidate run-1"
    assert pull["body"].startswith("<!-- mlops-propose staging/fraud-scorer -->\nProposed by `mlops propose`")
    assert pull["body"].endswith("## Gate: the candidate passes\n\nroc_auc 0.93 vs 0.91\n")
    (comment,) = gh.comments[1]
    assert comment["body"].startswith(PLAN_MARKER) and "staging" in comment["body"]
    assert gh.reviewers[1] == [{"reviewers": ["risk-ml"], "team_reviewers": []}]
    assert {c.headers["authorization"] for c in gh.calls} == {f"Bearer {TOKEN}"}
    assert {c.headers["x-github-api-version"] for c in gh.calls} == {"2022-11-28"}


def test_a_second_run_with_the_same_candidate_changes_nothing(tmp_path, capsys, monkeypatch) -> None:
    co = checkout(tmp_path)
    publish(co.candidates, "run-1", mtime=1000)
    with fake_github() as gh:
        assert propose(capsys, monkeypatch, co, gh.url)[0] == 0
        head, writes = co.remote("rev-parse", BRANCH), len(gh.writes())
        code, out, _ = propose(capsys, monkeypatch, co, gh.url)
    assert code == 0 and ": unchanged: " in out
    assert co.remote("rev-parse", BRANCH) == head              # nothing pushed
    assert len(gh.writes()) == writes                          # only GETs
    assert len(gh.pulls) == 1 and len(gh.comments[1]) == 1


def test_a_newer_candidate_updates_the_same_pull_request(tmp_path, capsys, monkeypatch) -> None:
    co = checkout(tmp_path)
    publish(co.candidates, "run-1", mtime=1000)
    with fake_github() as gh:
        assert propose(capsys, monkeypatch, co, gh.url)[0] == 0
        publish(co.candidates, "run-2", mtime=2000)
        publish(co.candidates, "run-3", report("fail", run="run-3"), mtime=3000)   # newer, but failed its gate
        code, out, _ = propose(capsys, monkeypatch, co, gh.url)
    assert code == 0
    assert out.splitlines() == [
        "staging/fraud-scorer: updated: s3://fraud-models/fraud-scorer/run-2/model/ (run run-2): "
        "https://github.example/acme/platform/pull/1",
        "  not proposed: run run-3: it failed its gate: roc_auc is 0.8100; the gate asks >= 0.9"]
    assert _proposed_diff(co) == [f"+          artifact: {OUTPUT}run-2/model/"]   # one commit on main, rebuilt
    assert co.remote("rev-parse", f"{BRANCH}^") == co.remote("rev-parse", "main")
    (pull,) = gh.pulls
    assert pull["title"].endswith("candidate run-2") and "`run-2`" in pull["body"]
    assert [(c.method, c.path) for c in gh.writes()][-3:] == [
        ("PATCH", "/repos/acme/platform/pulls/1"), ("PATCH", "/repos/acme/platform/issues/comments/1000"),
        ("POST", "/repos/acme/platform/pulls/1/requested_reviewers")]
    assert len(gh.comments[1]) == 1                            # the plan comment, kept as one


def test_dry_run_prints_the_edit_and_calls_nothing(tmp_path, capsys, monkeypatch) -> None:
    co = checkout(tmp_path)
    publish(co.candidates, "run-1", mtime=1000)
    code, out, err = propose(capsys, monkeypatch, co, None, "--dry-run", token=None)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == ("staging/fraud-scorer: dry-run: would propose "
                                   "s3://fraud-models/fraud-scorer/run-1/model/ (run run-1) on " + BRANCH)
    assert f"+          artifact: {OUTPUT}run-1/model/" in out.splitlines()
    assert co.remote("branch", "--list", "mlops/*") == ""


def test_no_token_is_refused_before_anything_is_pushed(tmp_path, capsys, monkeypatch) -> None:
    co = checkout(tmp_path)
    publish(co.candidates, "run-1")
    code, out, err = propose(capsys, monkeypatch, co, None, token=None)
    assert (code, out) == (2, "")
    assert err == ("mlops: no GitHub token: set GITHUB_TOKEN (the workflow's token, or a GitHub App installation "
                   "token, which can also request team reviewers)\n")
    assert co.remote("branch", "--list", "mlops/*") == ""


def test_an_api_error_says_the_status_and_message_never_the_token(tmp_path, capsys, monkeypatch) -> None:
    co = checkout(tmp_path)
    publish(co.candidates, "run-1")
    with fake_github() as gh:
        gh.fail[("POST", "/repos/acme/platform/pulls")] = (422, {"message": "Validation Failed", "errors": [
            {"message": f"no such head; token {TOKEN}"}]})
        code, out, err = propose(capsys, monkeypatch, co, gh.url)
    assert code == 1
    assert "staging/fraud-scorer: failed: GitHub API POST /repos/acme/platform/pulls: 422 Validation Failed: " \
           "no such head; token (redacted: " in out
    assert TOKEN not in out + err
    assert err.startswith("mlops: 1 proposal(s) failed: fraud-scorer: GitHub API POST")


def test_a_model_whose_candidates_failed_their_gate_is_not_proposed(tmp_path, capsys, monkeypatch) -> None:
    co = checkout(tmp_path)
    publish(co.candidates, "run-1", report("fail"))
    code, out, err = propose(capsys, monkeypatch, co, None, "--model", "fraud-scorer", "--dry-run")
    assert code == 1
    assert out.splitlines()[1] == ("  not proposed: run run-1: it failed its gate: roc_auc is 0.8100; the gate asks "
                                   ">= 0.9")
    assert err.startswith("mlops: nothing to propose for fraud-scorer: no passing candidate in ")


@pytest.mark.parametrize("args", [("--env", "production"), ("--env", "production", "--model", "fraud-scorer")])
def test_an_environment_with_promotion_is_never_proposed_to(tmp_path, capsys, monkeypatch, args) -> None:
    co = checkout(tmp_path)
    publish(co.candidates, "run-1")
    code, out, err = propose(capsys, monkeypatch, co, None, *args, "--dry-run")
    if "--model" in args:      # fraud-scorer trains in staging: nothing of it is proposed to production
        assert (code, err) == (2, "mlops: no model fraud-scorer with `training` in environment production: nothing "
                                  "to propose\n")
        return
    assert (code, out) == (1, "")
    assert err == ("mlops: propose never touches production: it has `promotion` (from staging), so it takes "
                   "artifacts only through review and the promotion gate; propose for staging instead\n")


def test_object_storage_candidates_are_refused_with_what_to_do(tmp_path, capsys, monkeypatch) -> None:
    co = checkout(tmp_path)
    code, out, err = run(capsys, "propose", str(co.repo.spec), "--candidates", OUTPUT, "--dry-run")
    assert code == 2
    assert err == ("mlops: --candidates s3://fraud-models/fraud-scorer/: read a local copy of the outputs (e.g. the "
                   "scheduled workflow's sync step); object storage is not read directly yet\n")


FAKE_AWS = """#!{python}
# `aws s3 sync SRC DST ...` against a folder standing for S3: copies the included files, keeping their times.
import fnmatch, shutil, sys
from pathlib import Path
args = sys.argv[1:]
open({log!r}, "a").write(" ".join(args) + "\\n")
src, dst = Path({s3!r}) / args[2].removeprefix("s3://"), Path(args[3])
includes = [args[i + 1] for i, a in enumerate(args) if a == "--include"]
for f in src.rglob("*"):
    rel = f.relative_to(src).as_posix()
    if f.is_file() and any(fnmatch.fnmatch(rel, p) for p in includes):
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, dst / rel)
"""


def test_the_scheduled_workflows_scripts_copy_the_reports_and_propose(tmp_path, capsys, monkeypatch) -> None:
    import shutil
    import sys

    co = checkout(tmp_path)
    s3 = tmp_path / "s3"
    run_dir = publish(s3 / "fraud-models", "run-7", report(run="run-7"), mtime=1000)
    (run_dir / "model").mkdir()
    (run_dir / "model" / "model.bst").write_bytes(b"weights")           # models are not copied
    shutil.rmtree(co.candidates)
    log = tmp_path / "aws.log"
    copy_reports(co, tmp_path, "aws", FAKE_AWS.format(python=sys.executable, log=str(log), s3=str(s3)))
    assert log.read_text() == (f"s3 sync {OUTPUT} {co.candidates}/fraud-scorer/ --only-show-errors --exclude * "
                               "--include */report.json --include */report.md\n")
    assert sorted(p.name for p in (co.candidates / "fraud-scorer" / "run-7").iterdir()) == ["report.json", "report.md"]
    with fake_github() as gh:
        code, out, err = propose(capsys, monkeypatch, co, gh.url, "--env", "staging")
    assert (code, err) == (0, "")
    assert out.startswith("staging/fraud-scorer: opened: s3://fraud-models/fraud-scorer/run-7/model/ (run run-7)")
