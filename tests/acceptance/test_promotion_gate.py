"""The promotion gate's advice works (newuser review m2): a new model is kept out of the promoted environment
for one change; a platform and its promoted environment start in ONE change with `promotion.bootstrap`; a spec
invalid at the base no longer deadlocks every pull request (its fix included): it is planned against the spec
alone, loudly, and `mlops apply` follows the same rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlops.gitops import apply
from mlops.pipeline import environments
from mlops.spec.load import load
from tests.support import ROOT
from tests.support.cli import run
from tests.support.gitrepo import Repo

NORTH_STAR = (ROOT / "examples" / "north-star" / "mlops.yaml").read_text(encoding="utf-8")
NEW_MODEL = ("  churn:\n    framework: sklearn\n    artifact: registry://churn:v1\n"
             "    resources: {cpu: \"1\", memory: 2Gi}\n")
PROMOTION = "    promotion:\n      from: staging"
BOOTSTRAP = PROMOTION + "\n      bootstrap: true"


def plan(capsys: pytest.CaptureFixture[str], repo: Repo) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, "plan", str(repo.spec), "--base", "HEAD", "--format", "json", "--detailed-exitcode")
    return code, json.loads(out)


def refusals(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for e in data["environments"] for r in e["refusals"]]


def test_a_new_models_advice_works(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path, NORTH_STAR)
    repo.write(NORTH_STAR + NEW_MODEL)
    code, data = plan(capsys, repo)
    [refused] = refusals(data)
    assert code == 1 and refused["kind"] == "new-model" and refused["model"] == "churn"
    advice = "set environments.production.overrides.models.churn: null"
    assert advice in refused["message"]
    repo.edit(PROMOTION, "    overrides:\n      models: {churn: null}\n" + PROMOTION)   # as the advice says
    code, data = plan(capsys, repo)
    assert code == 2 and refusals(data) == []
    repo.commit()                                                   # merged and applied: staging runs churn
    repo.edit("    overrides:\n      models: {churn: null}\n", "")  # then the override goes
    code, data = plan(capsys, repo)
    assert code == 2 and refusals(data) == []


def test_a_promoted_environment_bootstraps_in_one_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path, None)                      # the first pull request: no spec at the base
    repo.write(NORTH_STAR)
    code, data = plan(capsys, repo)
    assert code == 1 and {r["kind"] for r in refusals(data)} == {"no-source"}
    assert ("set environments.production.promotion.bootstrap: true (production then takes what staging runs in the "
            "same change, applied after it") in refusals(data)[0]["message"]
    repo.edit(PROMOTION, BOOTSTRAP)
    code, data = plan(capsys, repo)
    assert code == 2 and refusals(data) == []
    assert data["gate"] == ["production is bootstrapped (promotion.bootstrap): staging does not exist at HEAD, so "
                            "production takes what staging runs in this change, applied after it; remove "
                            "promotion.bootstrap once staging is live"]
    code, out, _ = run(capsys, "plan", str(repo.spec), "--base", "HEAD")
    assert "> [!IMPORTANT]\n> **Promotion gate**\n> - production is bootstrapped" in out
    # Still a gate: production takes only what staging takes in the same change.
    repo.edit("  production:\n", "  production:\n    overrides:\n      models: {embedder: {artifact: "
              "registry://embedder:v9}}\n")
    code, data = plan(capsys, repo)
    [refused] = refusals(data)
    assert code == 1 and refused["artifact"] == "registry://embedder:v9"
    assert "which staging does not run in this change either" in refused["message"]


def test_bootstrap_has_no_effect_once_the_source_exists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path, NORTH_STAR)
    repo.edit(PROMOTION, BOOTSTRAP)
    repo.edit("artifact: registry://fraud-scorer:v12", "artifact: registry://fraud-scorer:v13")
    code, data = plan(capsys, repo)
    assert code == 1 and [r["kind"] for r in refusals(data)] == ["new-version"]
    assert data["gate"] == ["production: promotion.bootstrap has no effect, staging exists at HEAD: remove it"]


def test_an_invalid_base_is_planned_against_the_spec_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path, NORTH_STAR.replace("framework: xgboost", "framework: xgbost"))
    repo.write(NORTH_STAR)                                          # the fix
    code, out, err = run(capsys, "plan", str(repo.spec), "--base", "HEAD", "--detailed-exitcode")
    assert code == 2, err
    assert "HEAD:mlops.yaml:" in err and "unknown framework 'xgbost'" in err
    assert "mlops: warning: the spec at HEAD is invalid: planned against the working tree alone" in err
    summary = out.split("<details>", 1)[0]
    assert "> [!CAUTION]\n> **The spec at `HEAD` is invalid**: 1 error, the first: `HEAD:mlops.yaml:58:16: " in summary
    assert "everything shows as added" in summary and "Refused" not in summary
    code, data = plan(capsys, repo)
    assert data["baseInvalid"][0]["message"].startswith("unknown framework 'xgbost'")
    assert data["gate"][0].startswith("production is compared with what staging runs in this change")
    repo.edit("  production:\n", "  production:\n    overrides:\n      models: {embedder: {artifact: "
              "registry://embedder:v9}}\n")
    code, data = plan(capsys, repo)
    assert code == 1 and [r["artifact"] for r in refusals(data)] == ["registry://embedder:v9"]


def test_apply_follows_the_same_rule(tmp_path: Path) -> None:
    repo = Repo(tmp_path, NORTH_STAR.replace("framework: xgboost", "framework: xgbost"))
    repo.write(NORTH_STAR)
    [production] = environments(load(str(repo.spec)), ["production"])[0]
    said = apply.gate(str(repo.spec), production, "HEAD")
    assert said.startswith("promotion gate: production is compared with what staging runs in this change: the spec "
                           "at HEAD is invalid")
    (tmp_path / "first").mkdir()
    empty = Repo(tmp_path / "first", None)
    empty.write(NORTH_STAR.replace(PROMOTION, BOOTSTRAP))
    [production] = environments(load(str(empty.spec)), ["production"])[0]
    assert "production is bootstrapped (promotion.bootstrap)" in apply.gate(str(empty.spec), production, "HEAD")


def test_a_base_that_is_not_yaml_is_planned_against_the_spec_alone(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A spec that does not even parse at the base (a broken merge) must not block the pull request fixing it."""
    repo = Repo(tmp_path, NORTH_STAR.replace("models:\n", "models:\n  : [\n", 1))
    repo.write(NORTH_STAR)                                          # the fix
    code, out, err = run(capsys, "plan", str(repo.spec), "--base", "HEAD", "--detailed-exitcode")
    assert code == 2, err
    assert "HEAD:mlops.yaml:" in err
    assert "mlops: warning: the spec at HEAD is invalid: planned against the working tree alone" in err
    assert "> [!CAUTION]\n> **The spec at `HEAD` is invalid**" in out
    code, data = plan(capsys, repo)
    assert data["baseInvalid"] and data["gate"][0].startswith("production is compared with what staging runs")
    [production] = environments(load(str(repo.spec)), ["production"])[0]
    assert "the spec at HEAD is invalid" in apply.gate(str(repo.spec), production, "HEAD")
