"""Hostile report folders: what a cluster (or anyone who can write the training output) could publish. None may
crash propose, be proposed, point the spec elsewhere, or get a secret into the pull request."""

from __future__ import annotations

import json
import os

import pytest

from mlops.gitops.propose import candidates
from mlops.gitops.propose.candidates import Candidate, Rejected
from tests.support.fake_github import fake_github
from tests.support.proposals import OUTPUT, TOKEN, checkout, propose, publish, report

AWS_KEY = "AKIA" + "IOSFODNN7EXAMPLE"


def _read(tmp_path, data, **kwargs):
    return candidates.read(publish(tmp_path, "run-1", data, **kwargs), "fraud-scorer", OUTPUT)


def test_a_huge_report_is_not_read(tmp_path) -> None:
    found = _read(tmp_path, b" " * (candidates.MAX_REPORT + 1))
    assert found == Rejected("fraud-scorer", "run-1", "its report.json is 1,048,577 bytes, more than a gate report "
                                                      "(1,048,576 at most)")


@pytest.mark.parametrize("raw, reason", [
    (b"{not json", "its report.json is not JSON: Expecting property name enclosed in double quotes: line 1 column 2 "
                   "(char 1)"),
    (b'{"verdict": "pass", "x": NaN}', "its report.json is not JSON: NaN is not JSON"),
    (b"\xff\xfe", "its report.json is not JSON: 'utf-8' codec can't decode byte 0xff in position 0"),
    (b"[1, 2]", "its report.json is not a JSON object"),
    (b"[" * 100_000, "its report.json is not JSON: maximum recursion depth exceeded while decoding a JSON array from a "
                     "unicode string"),
])
def test_a_report_that_is_not_a_json_object_is_rejected(tmp_path, raw, reason) -> None:
    found = _read(tmp_path, raw)
    assert isinstance(found, Rejected) and found.reason.startswith(reason[:60])


@pytest.mark.parametrize("artifact", [
    f"{OUTPUT}run-1/../../other-team/model/",      # climbs out of the run folder
    f"{OUTPUT}run-1/./model/",
    f"{OUTPUT}run-2/model/",                        # another run's folder
    "s3://elsewhere/model/",
    f"{OUTPUT}run-1/",                              # the run folder itself
    f"{OUTPUT}run-1//model/",
])
def test_an_artifact_outside_its_run_folder_is_refused(tmp_path, artifact) -> None:
    found = _read(tmp_path, report(artifact=artifact))
    assert isinstance(found, Rejected)
    assert "is not inside its run folder s3://fraud-models/fraud-scorer/run-1/" in found.reason


@pytest.mark.parametrize("artifact", [f"{OUTPUT}run-1/%2e%2e/x/", f"{OUTPUT}run-1/model/?x=1",
                                      f"{OUTPUT}run-1/mo del/", f"{OUTPUT}run-1/mo\ndel/", "model/", 7, None])
def test_an_artifact_that_is_not_a_plain_uri_is_refused(tmp_path, artifact) -> None:
    found = _read(tmp_path, {**report(), "candidate": {"name": artifact}})
    assert isinstance(found, Rejected)
    assert found.reason.startswith(("its candidate artifact is not a plain URI", "its report.json names no candidate",
                                    "its candidate artifact model/ is not inside"))
    assert "\n" not in found.reason


def test_a_secret_in_the_artifact_is_refused_and_not_repeated(tmp_path) -> None:
    found = _read(tmp_path, report(artifact=f"https://user:{TOKEN}@example.com/run-1/model/"))
    assert isinstance(found, Rejected) and found.reason.startswith("its candidate artifact holds a secret: ")
    assert TOKEN not in found.reason


def test_links_and_odd_run_folders_are_not_followed(tmp_path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "report.json").write_text(json.dumps(report()))
    root = tmp_path / "fraud-scorer"
    root.mkdir()
    os.symlink(outside, root / "run-linked")
    (root / "run-file").write_text("x")
    publish(tmp_path, "run 1")
    passing, rejected = candidates.scan(tmp_path, "fraud-scorer", OUTPUT)
    assert passing == []
    assert rejected == [Rejected("fraud-scorer", "run 1",
                                 "its run folder's name is not a run id (letters, digits, . _ -)")]


def test_the_newest_passing_run_wins_and_ties_go_by_name(tmp_path) -> None:
    for run, when in (("run-a", 2000), ("run-b", 2000), ("run-c", 1000)):
        publish(tmp_path, run, mtime=when)
    passing, _ = candidates.scan(tmp_path, "fraud-scorer", OUTPUT)
    chosen = candidates.newest(passing)
    assert isinstance(chosen, Candidate) and chosen.run == "run-b"


def test_a_huge_body_is_cut_to_what_github_takes(tmp_path) -> None:
    found = _read(tmp_path, report(), body="x" * (candidates.MAX_BODY + 10))
    assert isinstance(found, Candidate) and len(found.body) < 65_536
    assert found.body.endswith("(the report is cut here: GitHub limits a pull request's body)\n")


def test_a_secret_looking_value_in_the_report_is_redacted_in_the_pull_request(tmp_path, capsys, monkeypatch) -> None:
    co = checkout(tmp_path)
    publish(co.candidates, "run-1", report(note=AWS_KEY), body=f"## Gate\n\nchampion at s3://x?key={AWS_KEY}\n")
    with fake_github() as gh:
        code, out, err = propose(capsys, monkeypatch, co, gh.url)
    assert code == 0, err
    (pull,) = gh.pulls
    assert AWS_KEY not in json.dumps([c.body for c in gh.calls]) + out + err
    assert "(redacted: an AWS access key)" in pull["body"]
