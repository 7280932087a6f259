"""Plans that tell the truth (newuser review M8, m1, m5): no update for a `dependsOn` change alone; a removed model
and the models a node pool replacement evicts are in the destructive box; an A/B weight change is narrated as the
traffic shift it is, with what it does to replica floors; blue-green says that its analysis needs preview traffic;
a new shadow model gets its mirror, not "full traffic"; latency limits come back in the unit they are written in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlops.gitops.plan import infra_diff, narrate
from mlops.pipeline import compile_spec
from tests.support import ROOT
from tests.support.cli import run
from tests.support.gitrepo import Repo
from tests.support.specs import spec, write

NORTH_STAR = (ROOT / "examples" / "north-star" / "mlops.yaml").read_text(encoding="utf-8")


def plan(capsys: pytest.CaptureFixture[str], repo: Repo) -> dict[str, Any]:
    code, out, err = run(capsys, "plan", str(repo.spec), "--base", "HEAD", "--format", "json")
    assert code in (0, 1), err
    return {e["name"]: e for e in json.loads(out)["environments"]}


def test_a_depends_on_change_alone_is_no_update() -> None:
    release = {"type": "kubernetes:helm.sh/v3:Release", "name": "keda", "parent": None, "protect": False,
               "inputs": {"chart": "keda"}}
    before = {"resources": [{**release, "dependsOn": ["pool-general", "pool-tpu"]}]}
    after = {"resources": [{**release, "dependsOn": ["pool-general"]}]}
    assert infra_diff.diff_graphs(before, after) == ()
    changed = {"resources": [{**release, "dependsOn": ["pool-general"], "inputs": {"chart": "keda2"}}]}
    [update] = infra_diff.diff_graphs(before, changed)
    assert [f.path for f in update.fields] == ["chart"]


def test_a_removed_model_is_destructive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path, NORTH_STAR)
    repo.edit("    promotion:\n", "    overrides:\n      models: {embedder: null}\n    promotion:\n")
    production = plan(capsys, repo)["production"]
    [removed] = [h for h in production["destructive"] if h["role"] == "model"]
    assert removed["name"] == "embedder" and removed["action"] == "remove"
    assert removed["message"].startswith("model embedder is removed: its objects are deleted and its route stops")
    code, out, _ = run(capsys, "plan", str(repo.spec), "--base", "HEAD")
    assert "> - **production**: model embedder is removed" in out.split("<details>", 1)[0]


def test_a_replaced_node_pool_names_the_models_it_evicts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path, NORTH_STAR)
    repo.edit("      capacity: spot ", "      capacity: on-demand ")
    envs = plan(capsys, repo)
    for name in ("production", "staging"):
        [pool] = [h for h in envs[name]["destructive"] if h["role"] == "node pool"]
        assert pool["action"] == "replace"
        # The GPU pool is tainted: only the model pinned to it runs there.
        assert pool["message"].endswith("its nodes go and their pods are evicted: pool gpu runs models ranker"), pool


def test_an_ab_weight_change_is_a_traffic_shift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path, NORTH_STAR)
    repo.edit("scaling: {min: 0, max: 4, metric: rps", "scaling: {min: 2, max: 4, metric: rps")
    repo.commit()
    repo.edit("weight: 80}", "weight: 50}")
    repo.edit("weight: 20}", "weight: 50}")
    staging = plan(capsys, repo)["staging"]
    [said] = [s for s in staging["rollouts"] if s.startswith("ranker:")]
    # min 2 is a disruption budget every weighted variant keeps (ir/serving.py): at 50/50 neither variant drops to
    # one replica or loses its PodDisruptionBudget, so the shift moves traffic and nothing else
    assert said == ("ranker: A/B traffic shift, no new pods: control registry://ranker:v3 at 80% → 50%, treatment "
                    "registry://ranker:v4 at 20% → 50%, all at once when the HTTPRoute is applied")


def model(tmp_path: Path, rollout: dict[str, Any], scaling: dict[str, Any] | None = None) -> Any:
    doc = spec({"m": {"framework": "sklearn", "artifact": "s3://models/a/v1", "rollout": rollout,
                      **({"scaling": scaling} if scaling else {})}})
    return compile_spec(write(tmp_path, doc), layers=()).environments[0].models[0]


def test_latency_comes_back_as_written(tmp_path: Path) -> None:
    for written, shown in (("12s", "p99 > 12s"), ("250ms", "p99 > 250ms"), ("1500ms", "p99 > 1500ms")):
        m = model(tmp_path, {"strategy": "canary", "analysis": {"maxLatencyP99": written}})
        assert narrate.analysis_words(m.rollout.analysis) == shown


def test_blue_green_with_analysis_says_what_it_measures_and_when(tmp_path: Path) -> None:
    rollout = {"strategy": "blue-green", "autoPromote": True, "analysis": {"maxErrorRate": 0.01}}
    new = model(tmp_path, rollout, {"min": 0, "max": 2, "metric": "rps", "target": 10})
    said = narrate.sentence(model(tmp_path, rollout, {"min": 0, "max": 2, "metric": "rps", "target": 10}), new,
                            (narrate_change(),), "ns")
    assert said is not None and "only requests with the header x-mlops-preview: true reach it" in said
    assert "once it is ready the active Service switches to it; then its analysis measures the live traffic" in said
    assert "while the old version keeps running: switched back to it if error rate > 1%" in said
    assert said.endswith("without traffic it is inconclusive and the rollout pauses for a person (with scaling.min 0 "
                         "and no traffic the model may run no pod at all)")


def narrate_change() -> Any:
    from mlops.gitops.plan.changes import FieldChange
    from mlops.gitops.plan.manifest_diff import ObjectChange

    return ObjectChange("change", "argoproj.io/v1alpha1", "Rollout", "ns", "m", "m",
                        (FieldChange("spec.template.metadata.x", 1, 2),))


def test_a_new_shadow_model_gets_its_mirror_not_full_traffic(tmp_path: Path) -> None:
    m = model(tmp_path, {"strategy": "shadow", "candidate": {"artifact": "s3://models/a/v2"}, "mirrorPercent": 25})
    assert narrate.sentence(None, m, (), "ns") == (
        "m: new (shadow), starts m s3://models/a/v1 answering every request, and m-candidate s3://models/a/v2 getting "
        "25% of them mirrored (its answers are discarded)")
