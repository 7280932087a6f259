"""`mlops plan` end to end in a temporary git repository: the base side is read from git, the other from the
working tree, both compiled in memory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT
from tests.support.cli import run
from tests.support.gitrepo import Repo

NORTH_STAR = (ROOT / "examples" / "north-star" / "mlops.yaml").read_text(encoding="utf-8")
QUICKSTART = (ROOT / "examples" / "quickstart" / "mlops.yaml").read_text(encoding="utf-8")
STAGING_SCALING = "          scaling: {max: 3}\n"
STAGING_V13 = STAGING_SCALING + "          artifact: registry://fraud-scorer:v13\n"
SENTENCE = ("fraud-scorer: canary v12 → v13, 10% → 30% → 60%, 5 min per step, "
            "rolled back if error rate > 1% or p99 > 250ms")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path, NORTH_STAR)


def plan_json(capsys: pytest.CaptureFixture[str], repo: Repo, *extra: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, "plan", str(repo.spec), "--base", "HEAD", "--format", "json", "--detailed-exitcode",
                       *extra)
    return code, json.loads(out)


def env(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(e for e in data["environments"] if e["name"] == name)


def test_an_artifact_change_lists_that_models_rollout_objects_and_says_how_it_rolls_out(
        repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.edit(STAGING_SCALING, STAGING_V13)
    code, data = plan_json(capsys, repo)
    assert code == 2 and data["changed"] and not data["refused"]
    staging, production = env(data, "staging"), env(data, "production")
    assert production["status"] == "unchanged" and production["objects"]["changes"] == []
    # the registry keeps the deployed tag, not the one it replaces (infra review S5): an update, nothing destroyed
    [keep] = staging["infra"]["changes"]
    assert keep["action"] == "update" and keep["name"] == "fraud-platform-staging-registry-repository"
    assert [(f["before"], f["after"]) for f in keep["fields"]] == [("v12", "v13")]
    assert staging["destructive"] == []
    [change] = staging["objects"]["changes"]
    assert (change["action"], change["kind"], change["name"], change["model"]) == (
        "change", "Rollout", "fraud-scorer", "fraud-scorer")
    [image] = change["fields"]
    assert image["path"] == "spec.template.spec.initContainers[model].image"
    assert image["before"].endswith("/fraud-scorer:v12") and image["after"].endswith("/fraud-scorer:v13")
    assert staging["rollouts"] == [SENTENCE]
    assert staging["cost"]["line"].startswith("staging: ±0.00/month at max")


def test_the_markdown_comment_has_the_marker_the_summary_and_collapsed_details(
        repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.edit(STAGING_SCALING, STAGING_V13)
    code, out, _ = run(capsys, "plan", str(repo.spec), "--base", "HEAD")
    assert code == 0
    assert out.startswith("<!-- mlops-plan -->\n### mlops plan: 1 of 2 environments changes\n")
    summary, details = out.split("<details>", 1)
    assert f"- **staging**: {SENTENCE}" in summary
    assert "- production: ±0.00/month at max (±0.00 at min), now 455.34..2,859.08" in summary
    assert "| staging | gcp-staging (gcp) | 1 to update | 1 changed |" in summary
    assert details.startswith("<summary>staging: infrastructure 1 to update; Kubernetes objects 1 changed</summary>")
    assert "`spec.template.spec.initContainers[model].image`" in details and out.count("</details>") == 1


def test_the_promotion_gate_refuses_an_artifact_the_source_environment_has_not_run(
        repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.edit("artifact: registry://fraud-scorer:v12", "artifact: registry://fraud-scorer:v13")
    code, data = plan_json(capsys, repo)
    assert code == 1 and data["refused"]
    [refusal] = env(data, "production")["refusals"]
    assert refusal["artifact"] == "registry://fraud-scorer:v13" and refusal["from"] == "staging"
    assert "staging runs registry://fraud-scorer:v12 there" in refusal["message"]
    assert ("ship it to staging first (e.g. set environments.staging.overrides.models.fraud-scorer.artifact)"
            in refusal["message"])
    assert env(data, "staging")["refusals"] == []
    code, out, err = run(capsys, "plan", str(repo.spec), "--base", "HEAD")
    assert code == 1 and "**Refused by the promotion gate**" in out and "promotion gate refuses 1 artifact" in err


def test_the_promotion_gate_accepts_what_the_source_environment_ran_at_the_base(
        repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.edit(STAGING_SCALING, STAGING_V13)
    repo.commit(message="staging runs v13")
    repo.edit(STAGING_V13, STAGING_SCALING)
    repo.edit("artifact: registry://fraud-scorer:v12", "artifact: registry://fraud-scorer:v13")
    code, data = plan_json(capsys, repo)
    assert code == 2 and not data["refused"]
    assert env(data, "production")["rollouts"] == [SENTENCE]
    assert env(data, "staging")["status"] == "unchanged"


def test_a_gpu_pool_max_is_an_infrastructure_change_only(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.edit("scaling: {min: 0, max: 4}", "scaling: {min: 0, max: 6}")
    code, data = plan_json(capsys, repo)
    assert code == 2
    for name, pool in (("production", "aws:eks/nodeGroup:NodeGroup"), ("staging", "gcp:container/nodePool:NodePool")):
        e = env(data, name)
        assert e["objects"]["changes"] == [] and e["rollouts"] == [] and e["destructive"] == []
        [change] = e["infra"]["changes"]
        assert (change["action"], change["type"], change["role"]) == ("update", pool, "node pool")
        assert [(f["before"], f["after"]) for f in change["fields"]] == [(4, 6)]
        assert e["cost"]["change"]["max"] > 0 and e["cost"]["change"]["min"] == 0
    assert env(data, "production")["infra"]["changes"][0]["fields"][0]["path"] == "scalingConfig.maxSize"


def test_switching_a_targets_provider_flags_the_cluster_replacement(repo: Repo,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    repo.edit("    provider: gcp\n    region: europe-west4\n    project: fraud-staging-123\n",
              "    provider: aws\n    region: eu-west-1\n"   # staging's drift baseline stays gs://
              "    storageCredentials: {gs: {secretRef: {name: gcs-reader}}}\n")
    code, data = plan_json(capsys, repo)
    assert code == 2
    staging = env(data, "staging")
    flagged = {(d["role"], d["action"], d["type"]) for d in staging["destructive"]}
    assert ("cluster", "remove", "gcp:container/cluster:Cluster") in flagged
    assert ("registry", "remove", "gcp:artifactregistry/repository:Repository") in flagged
    [cluster] = [d for d in staging["destructive"] if d["role"] == "cluster"]
    assert "is replaced by fraud-platform-staging-eks-cluster (aws:eks/cluster:Cluster)" in cluster["message"]
    assert "protected" in cluster["message"]
    assert staging["rollouts"] == ["the cluster changes: every model is deployed anew on the new cluster, each at full "
                                   "traffic from the start, and removed from the old one"]
    assert env(data, "production")["status"] == "unchanged"
    code, out, _ = run(capsys, "plan", str(repo.spec), "--base", "HEAD")
    assert out.index("> [!CAUTION]") < out.index("**Monthly cost**") < out.index("<details>")


def test_no_change_exits_0_with_detailed_exitcode(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = plan_json(capsys, repo)
    assert code == 0 and not data["changed"]
    assert all(e["status"] == "unchanged" for e in data["environments"])
    code, out, _ = run(capsys, "plan", str(repo.spec), "--base", "HEAD", "--format", "text", "--detailed-exitcode")
    assert code == 0 and out.endswith("no changes\n")


def test_a_spec_missing_at_the_base_is_all_added(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path, None)
    repo.write(QUICKSTART)
    code, data = plan_json(capsys, repo)
    assert code == 2 and not data["baseExists"]
    dev = env(data, "dev")
    assert dev["status"] == "added" and dev["objects"]["counts"]["add"] == len(dev["objects"]["changes"]) > 10
    assert dev["rollouts"] == ["iris: new (rolling), starts iris "
                               "https://storage.example.com/models/iris/v1/model.joblib at full traffic"]
    assert dev["cost"] == {"note": "existing cluster: no cloud cost"}


def test_an_unknown_revision_or_environment_is_an_error(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "plan", str(repo.spec), "--base", "origin/nope", "--detailed-exitcode")
    assert code == 1 and "unknown git revision 'origin/nope'" in err
    code, _, err = run(capsys, "plan", str(repo.spec), "--base", "HEAD", "--env", "stagin")
    assert code == 2 and "did you mean 'staging'" in err
    code, _, _ = run(capsys, "plan", str(repo.spec), "--base", "HEAD", "--env", "stagin", "--detailed-exitcode")
    assert code == 1


def test_one_environment(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.edit(STAGING_SCALING, STAGING_V13)
    code, data = plan_json(capsys, repo, "--env", "production")
    assert code == 0 and [e["name"] for e in data["environments"]] == ["production"]


def test_live_that_cannot_run_says_so_and_fails(repo: Repo, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """An explicit --live that cannot preview fails (newuser: `--live` exit code): the plan is still printed."""
    monkeypatch.setattr("shutil.which", lambda name: None)
    code, out, err = run(capsys, "plan", str(repo.spec), "--base", "HEAD", "--live", "--format", "text")
    assert code == 1 and "note: live preview skipped: the pulumi CLI is not installed" in out
    assert err.startswith("mlops: --live asked for `pulumi preview`, which cannot run here: the pulumi CLI is not "
                          "installed: install it from https://www.pulumi.com/docs/install/")


def test_a_huge_diff_is_trimmed_to_one_github_comment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def spec(version: str) -> str:
        doc = {"apiVersion": "mlops/v1", "kind": "Platform", "metadata": {"name": "big"},
               "targets": {"local": {"provider": "onprem", "context": "kind",
                                     "storageCredentials": {"s3": {"secretRef": {"name": "s3-reader"}}}}},
               "environments": {"dev": {"target": "local"}},
               "models": {f"m{i:02}": {"framework": "sklearn", "artifact": f"s3://models/m{i:02}/{version}",
                                       "env": {f"SETTING_{j}": f"{version}-" + "x" * 150 for j in range(12)}}
                          for i in range(30)}}
        return json.dumps(doc)          # JSON is YAML

    repo = Repo(tmp_path, spec("v1"))
    repo.write(spec("v2"))
    code, out, _ = run(capsys, "plan", str(repo.spec), "--base", "HEAD", "--detailed-exitcode")
    assert code == 2 and 60_000 < len(out) <= 65_536
    summary = out.split("<details>", 1)[0]
    assert summary.count("- **dev**: m") == 30 and "| dev | local (onprem) | no change | 30 changed |" in summary
    assert out.count("<details>") == out.count("</details>") == 1
    assert "- … (trimmed)" in out and out.rstrip().endswith("for all of it._")
    code, full, _ = run(capsys, "plan", str(repo.spec), "--base", "HEAD", "--format", "json")
    assert len(json.loads(full)["environments"][0]["objects"]["changes"]) == 30


LOOP = (ROOT / "examples" / "loop" / "mlops.yaml").read_text(encoding="utf-8")
PATCH_VALUE = "value: high-priority}"


def test_what_a_patch_changes_shows_in_the_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path, LOOP)
    repo.edit(PATCH_VALUE, "value: critical}")
    code, data = plan_json(capsys, repo)
    assert code == 2
    for name in ("staging", "production"):
        [change] = env(data, name)["objects"]["changes"]
        assert (change["kind"], change["name"]) == ("Rollout", "assistant")
        assert [(f["path"], f["before"], f["after"]) for f in change["fields"]] == [
            ("spec.template.spec.priorityClassName", "high-priority", "critical")]


def test_a_patch_on_a_path_that_does_not_exist_fails_the_plan_located(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path, LOOP)
    repo.edit("path: /spec/template/spec/priorityClassName", "path: /spec/template/spec/affinity/nodeAffinity")
    code, out, err = run(capsys, "plan", str(repo.spec), "--base", "HEAD")
    assert code == 1 and "Traceback" not in out + err
    assert (": error: add at /spec/template/spec/affinity/nodeAffinity: Rollout/assistant has no "
            "/spec/template/spec/affinity [at $.models.assistant.patches[0].patch[0].path]") in out + err


def test_the_loop_spec_narrates_training_and_contract_changes_where_they_apply(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loop = (ROOT / "examples" / "loop" / "mlops.yaml").read_text(encoding="utf-8")
    repo = Repo(tmp_path, loop.replace("values: [fr, de, es, it]", "values: [fr, de, it]"))
    for old, new in (("values: [fr, de, it]", "values: [fr, de, es, it]"), ("max: 100000", "max: 50000"),
                     ('schedule: "0 3 * * 1"', 'schedule: "0 3 * * *"'), ("roc_auc: {min: 0.90", "roc_auc: {min: 0.92"),
                     ("fraud-trainer:2026.11", "fraud-trainer:2026.12")):
        repo.edit(old, new)
    code, data = plan_json(capsys, repo)
    assert code == 2
    contract = "fraud-scorer: data contract: amount max 100000 → 50000; country now allows `es`"
    training = ("fraud-scorer: now retrains every day at 03:00 UTC, was Mondays at 03:00 UTC (and when its drift "
                "alert fires, "
                "as before); training image 2026.11 → 2026.12; gate roc_auc min 0.9 → 0.92")
    assert env(data, "staging")["rollouts"][1:] == [training, contract]      # staging trains it
    assert env(data, "production")["rollouts"][1:] == [contract]            # production checks its live data
    # the daily schedule prices 30.42 runs a month instead of 4.35, at min only
    assert env(data, "staging")["cost"]["line"] == "staging: ±0.00/month at max (+48.64 at min), now 841.02..4,955.92"
    code, out, _ = run(capsys, "plan", str(repo.spec), "--base", "HEAD", "--format", "text")
    assert training in out and contract in out
    readme = (ROOT / "README.md").read_text(encoding="utf-8")    # the README's example is this plan's words
    assert f"  {training}\n  {contract}\n" in readme


def test_the_loop_spec_narrates_how_a_run_runs_and_who_reviews_its_proposals(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path, (ROOT / "examples" / "loop" / "mlops.yaml").read_text(encoding="utf-8"))
    for old, new in (("timeout: 6h", "timeout: 4h"), ('resources: {cpu: "8", memory: 32Gi}',
                                                      'resources: {cpu: "8", memory: 24Gi}'),
                     ("reviewers: [risk-ml]", "reviewers: [risk-ml, fraud-leads]")):
        repo.edit(old, new)
    code, data = plan_json(capsys, repo)
    assert code == 2
    assert env(data, "staging")["rollouts"][1:] == [
        "fraud-scorer: training memory 32Gi → 24Gi; training timeout 6h → 4h; its proposals now also ask "
        "fraud-leads to review"]
    assert env(data, "production")["rollouts"][1:] == []                   # production does not train it


def test_pull_secrets_added_name_the_namespaces_to_create_them_in(repo: Repo,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Staging (GKE) gets pull secrets: the plan says, before apply, where the Secret must exist; production, whose
    target has none, says nothing."""
    repo.edit("    project: fraud-staging-123\n",
              "    project: fraud-staging-123\n    images: {pullSecrets: [ar-pull]}\n")
    code, data = plan_json(capsys, repo)
    assert code == 2 and env(data, "production")["beforeApply"] == []
    [said] = env(data, "staging")["beforeApply"]
    assert said.startswith("create the pull Secret ar-pull (kubernetes.io/dockerconfigjson) in each of ")
    assert ": argo-rollouts, envoy-gateway-system, fraud-platform-staging, keda, monitoring;" in said
    repo.commit()
    assert env(plan_json(capsys, repo)[1], "staging")["beforeApply"] == []     # unchanged since the base: nothing
