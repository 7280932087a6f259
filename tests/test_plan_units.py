"""The pieces of `mlops plan`: field paths, the replacement table, hazards, rollout sentences, trimming."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from mlops.diagnostics.words import markdown
from mlops.gitops import promotion
from mlops.gitops.plan import UNCHANGED, Cost, EnvPlan, Plan, infra_diff, narrate
from mlops.gitops.plan import report as plan_report
from mlops.gitops.plan.changes import ABSENT, FieldChange, diff
from mlops.gitops.plan.manifest_diff import ObjectChange
from mlops.pipeline import compile_spec
from tests.support import spec, write

# --- field paths ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("before", "after", "expected"), [
    ({"a": {"b": 1}}, {"a": {"b": 2}}, [("a.b", 1, 2)]),
    ({"labels": {"app.kubernetes.io/name": "x"}}, {"labels": {}}, [('labels["app.kubernetes.io/name"]', "x", ABSENT)]),
    ({"c": [{"name": "a", "v": 1}, {"name": "b", "v": 1}]}, {"c": [{"name": "z", "v": 0}, {"name": "a", "v": 1}, {"name": "b", "v": 2}]},
     [("c[z]", ABSENT, {"name": "z", "v": 0}), ("c[b].v", 1, 2)]),
    ({"s": [1, 2]}, {"s": [1, 3]}, [("s[1]", 2, 3)]),
    ({"s": [1, 2]}, {"s": [1, 2, 3]}, [("s", [1, 2], [1, 2, 3])]),
    ({"k": None}, {}, [("k", None, ABSENT)]),
])
def test_field_paths(before: Any, after: Any, expected: list[tuple[str, Any, Any]]) -> None:
    assert [(c.path, c.before, c.after) for c in diff(before, after)] == expected


# --- infrastructure ------------------------------------------------------------------------------------------

def graph(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resources": list(resources)}


def res(type_: str, name: str, inputs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": type_, "name": name, "parent": extra.pop("parent", None), "protect": extra.pop("protect", False),
            "inputs": inputs, **extra}


NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
EKS = "aws:eks/cluster:Cluster"


@pytest.mark.parametrize(("type_", "before", "after", "action"), [
    (EKS, {"name": "a", "version": "1.30"}, {"name": "a", "version": "1.31"}, "update"),
    (EKS, {"name": "a"}, {"name": "b"}, "replace"),
    (NODE_GROUP, {"instanceTypes": ["m7i.xlarge"]}, {"instanceTypes": ["m7i.2xlarge"]}, "replace"),
    (NODE_GROUP, {"scalingConfig": {"maxSize": 4}}, {"scalingConfig": {"maxSize": 6}}, "update"),
    ("aws:ecr/repository:Repository", {"name": "p/a"}, {"name": "p/b"}, "replace"),
    ("aws:ecr/repository:Repository", {"imageTagMutability": "MUTABLE"}, {"imageTagMutability": "IMMUTABLE"}, "update"),
    ("gcp:container/cluster:Cluster", {"location": "europe-west4"}, {"location": "europe-west1"}, "replace"),
    ("gcp:container/cluster:Cluster", {"minMasterVersion": "1.30"}, {"minMasterVersion": "1.31"}, "update"),
    ("gcp:container/nodePool:NodePool", {"nodeConfig": {"machineType": "a"}}, {"nodeConfig": {"machineType": "b"}}, "replace"),
    ("azure-native:containerservice:AgentPool", {"maxCount": 2}, {"maxCount": 3}, "update"),
    ("azure-native:containerservice:AgentPool", {"vmSize": "a"}, {"vmSize": "b"}, "replace"),
    ("some:unlisted:Type", {"name": "a"}, {"name": "b"}, "update"),
])
def test_which_input_changes_replace(type_: str, before: dict[str, Any], after: dict[str, Any], action: str) -> None:
    [change] = infra_diff.diff_graphs(graph(res(type_, "x", before)), graph(res(type_, "x", after)))
    assert change.action == action
    assert bool(change.reasons) == (action == "replace")


def test_a_replaced_provider_replaces_what_it_manages_and_a_type_change_is_remove_plus_add() -> None:
    before = graph(res("pulumi:providers:aws", "p", {"region": "eu-west-1"}),
                   res(NODE_GROUP, "pool", {"scalingConfig": {"maxSize": 1}}, provider="p"),
                   res(EKS, "c", {"name": "c"}, provider="p", protect=True))
    after = graph(res("pulumi:providers:aws", "p", {"region": "eu-central-1"}),
                  res(NODE_GROUP, "pool", {"scalingConfig": {"maxSize": 2}}, provider="p"),
                  res("gcp:container/cluster:Cluster", "c", {"name": "c"}))
    changes = {(c.type, c.name): c for c in infra_diff.diff_graphs(before, after)}
    assert changes[("pulumi:providers:aws", "p")].action == "replace"
    pool = changes[(NODE_GROUP, "pool")]
    assert pool.action == "replace" and pool.reasons == ("its provider p is replaced",) and pool.fields
    assert changes[(EKS, "c")].action == "remove" and changes[(EKS, "c")].protect
    assert changes[("gcp:container/cluster:Cluster", "c")].action == "add"
    flagged = infra_diff.hazards(tuple(changes.values()))
    assert [(h.role, h.action) for h in flagged] == [("cluster", "remove"), ("node pool", "replace")]
    assert "is replaced by c (gcp:container/cluster:Cluster)" in flagged[0].message and "protected" in flagged[0].message


def test_a_changed_parent_replaces_and_unchanged_resources_are_not_listed() -> None:
    same = res("aws:ec2/vpc:Vpc", "vpc", {"cidrBlock": "10.0.0.0/16"})
    changes = infra_diff.diff_graphs(graph(same, res("aws:iam/role:Role", "r", {}, parent="a")),
                                     graph(same, res("aws:iam/role:Role", "r", {}, parent="b")))
    assert [(c.name, c.action, c.reasons) for c in changes] == [("r", "replace", ("its parent changed",))]


def test_node_pools_deleted_and_registries_replaced_are_destructive_updates_are_not() -> None:
    before = graph(res(NODE_GROUP, "gpu", {}), res("aws:ecr/repository:Repository", "repo", {"name": "a"}, protect=True),
                   res(EKS, "c", {"version": "1.30"}))
    after = graph(res("aws:ecr/repository:Repository", "repo", {"name": "b"}, protect=True), res(EKS, "c", {"version": "1.31"}))
    flagged = infra_diff.hazards(infra_diff.diff_graphs(before, after))
    assert [(h.role, h.action, h.name) for h in flagged] == [("registry", "replace", "repo"), ("node pool", "remove", "gpu")]
    assert flagged[0].message.startswith("registry repo (aws:ecr/repository:Repository) is replaced (deleted and created "
                                         "again), because name cannot change in place: with the images")


# --- rollout sentences ---------------------------------------------------------------------------------------

CANARY = {"strategy": "canary", "steps": [25, 50], "interval": "90s", "analysis": {"maxErrorRate": 0.005}}


def model(tmp_path: Path, rollout: dict[str, Any], artifact: str = "s3://models/a/v1") -> Any:
    """Model `m` (rolling when `rollout` has no strategy; ab models carry no artifact of their own)."""
    m: dict[str, Any] = {"framework": "sklearn"}
    m.update({"artifact": artifact} if rollout.get("strategy") != "ab" else {})
    m.update({"rollout": rollout} if rollout.get("strategy") else {})
    doc = spec({"m": m})
    return compile_spec(write(tmp_path, doc), layers=()).environments[0].models[0]


TEMPLATE = (ObjectChange("change", "apps/v1", "Deployment", "ns", "m", "m", (FieldChange("spec.template.x", 1, 2),)),)


@pytest.mark.parametrize(("rollout", "expected"), [
    (CANARY, "m: canary v1 → v2, 25% → 50%, 1 min 30 s per step, rolled back if error rate > 0.5%"),
    ({"strategy": "canary", "steps": [50]}, "m: canary v1 → v2, 50%, 5 min per step, promoted on time, no analysis"),
    ({"strategy": "blue-green", "analysis": {"maxLatencyP99": "200ms"}},
     "m: blue-green v1 → v2: the new version starts as a preview beside the active one; only requests with the "
     "header x-mlops-preview: true reach it. Its analysis measures those requests for 5 min: without them it is "
     "inconclusive and the rollout pauses for a person (kubectl argo rollouts promote m -n shop-dev, or send preview "
     "traffic); rolled back if p99 > 200ms; if it passes, it waits for a person all the same"),
    ({"strategy": "blue-green", "autoPromote": True},
     "m: blue-green v1 → v2: the new version starts as a preview beside the active one; only requests with the "
     "header x-mlops-preview: true reach it; the active Service switches to it after 5 min, unanalysed"),
    ({"strategy": "recreate"}, "m: recreate v1 → v2: every old pod stops before the new ones start (a short outage)"),
    ({}, "m: rolling update v1 → v2, up to 25% extra pods, none removed before its replacement is ready"),
])
def test_a_new_version_is_told_by_strategy(tmp_path: Path, rollout: dict[str, Any], expected: str) -> None:
    old, new = model(tmp_path, rollout), model(tmp_path, rollout, "s3://models/a/v2")
    assert narrate.sentence(old, new, TEMPLATE, "shop-dev") == expected


def test_ab_and_shadow_sentences(tmp_path: Path) -> None:
    ab = {"strategy": "ab", "variants": {"a": {"artifact": "s3://models/a/v1", "weight": 80}, "b": {"artifact": "s3://models/a/v2", "weight": 20}}}
    ab2 = {"strategy": "ab", "variants": {"a": {"artifact": "s3://models/a/v1", "weight": 50}, "b": {"artifact": "s3://models/a/v3", "weight": 50}}}
    assert narrate.sentence(model(tmp_path, ab), model(tmp_path, ab2), TEMPLATE, "ns") == (
        "m: A/B a s3://models/a/v1 at 80% → 50%, b v2 → v3 at 20% → 50% (changed variants get a rolling update; the "
        "HTTPRoute moves the traffic when it is applied)")
    shadow = {"strategy": "shadow", "candidate": {"artifact": "s3://models/a/v2"}, "mirrorPercent": 10}
    shadow2 = {**shadow, "candidate": {"artifact": "s3://models/a/v3"}}
    assert narrate.sentence(model(tmp_path, shadow), model(tmp_path, shadow2), TEMPLATE, "ns") == (
        "m: shadow candidate v2 → v3 gets 10% of requests mirrored (its answers are discarded); stable s3://models/a/v1 unchanged")


def test_changes_without_new_pods_and_new_or_removed_models(tmp_path: Path) -> None:
    old = model(tmp_path, CANARY)
    hpa = (ObjectChange("change", "autoscaling/v2", "HorizontalPodAutoscaler", "ns", "m", "m", (FieldChange("spec.maxReplicas", 3, 4),)),)
    assert narrate.sentence(old, old, hpa, "ns") == "m: no new pods; HorizontalPodAutoscaler changes"
    assert narrate.sentence(old, old, (), "ns") is None
    assert narrate.sentence(None, old, (), "ns") == "m: new (canary), starts m s3://models/a/v1 at full traffic"
    assert narrate.sentence(old, None, (), "ns") == "m: removed: its objects are deleted and its route stops answering"
    rolling = model(tmp_path, {})
    assert narrate.sentence(rolling, old, hpa, "ns").startswith("m: strategy rolling → canary: its workloads are replaced")


# --- promotion gate ------------------------------------------------------------------------------------------

def test_the_gate_covers_variants_candidates_and_new_models(tmp_path: Path) -> None:
    doc = spec({"m": {"framework": "sklearn", "artifact": "s3://models/a/v1"}})
    doc["environments"] = {"staging": {"target": "t"}, "prod": {"target": "t", "promotion": {"from": "staging"}}}
    base = {e.name: e for e in compile_spec(write(tmp_path, doc), layers=()).environments}
    doc["models"]["m"]["rollout"] = {"strategy": "shadow", "candidate": {"artifact": "s3://models/a/v2"}}
    doc["models"]["n"] = {"framework": "sklearn", "artifact": "s3://models/n/v1"}
    head = compile_spec(write(tmp_path, doc), layers=()).environments
    refused = promotion.check(head, base, "main")
    assert [(r.environment, r.model, r.artifact) for r in refused] == [("prod", "m", "s3://models/a/v2"), ("prod", "n", "s3://models/n/v1")]
    assert "set environments.staging.overrides.models.m.rollout.candidate.artifact" in refused[0].message
    assert "staging has no model n at main" in refused[1].message
    assert promotion.check(head, {}, "main")[0].message.startswith(
        "prod: m would run s3://models/a/v1, which staging has not run at main (staging does not exist at main)")


# --- Markdown trimming ---------------------------------------------------------------------------------------

def huge_plan(objects: int) -> Plan:
    long = "x" * 100
    changes = tuple(ObjectChange("change", "v1", "ConfigMap", "ns", f"cm-{i:05}", None,
                                 tuple(FieldChange(f"data.k{j}", long, long + "y") for j in range(3)))
                    for i in range(objects))
    envs = tuple(EnvPlan(name, "changed", "t (onprem)", (), changes, (), ("m: no new pods; ConfigMap changes",),
                         Cost(None, "existing cluster: no cloud cost")) for name in ("dev", "prod"))
    return Plan("mlops.yaml", "origin/main", "0" * 40, True, envs)


def test_markdown_trims_details_never_the_summary() -> None:
    big = huge_plan(400)
    full = plan_report.as_markdown(big, limit=10**9)
    trimmed = plan_report.as_markdown(big)
    assert len(full) > plan_report.COMMENT_LIMIT >= len(trimmed)
    summary = full.split("\n<details>", 1)[0]
    assert trimmed.startswith(summary)
    assert trimmed.count("<details>") == trimmed.count("</details>")
    assert "- … (trimmed)" in trimmed
    note = trimmed.rstrip("\n").rsplit("\n", 1)[1]
    assert note.startswith("_") and "trimmed to fit GitHub's 65,536-character comment limit" in note
    lines = int(note[1:].split(" ", 1)[0].replace(",", ""))
    assert lines >= full.count("\n  - `data.") - trimmed.count("\n  - `data.") > 0
    small = replace(big, environments=tuple(replace(e, objects=e.objects[:3]) for e in big.environments))
    assert "trimmed" not in plan_report.as_markdown(small)


def test_markdown_escapes_free_text() -> None:
    assert markdown("a*b_<img>|x") == "a\\*b\\_\\<img>\\|x"
    assert plan_report.code("a`b") == "`` a`b ``"


def test_json_is_sorted_and_plain() -> None:
    data = json.loads(plan_report.as_json(huge_plan(1)))
    assert data["environments"][0]["objects"]["changes"][0]["fields"][0] == {"path": "data.k0", "before": "x" * 100,
                                                                              "after": "x" * 100 + "y"}
    assert data["changed"] and data["environments"][0]["cost"] == {"note": "existing cluster: no cloud cost"}
    assert UNCHANGED == "unchanged"


def test_the_kubernetes_provider_follows_its_cluster_and_a_new_context_is_a_cluster_change() -> None:
    k8s = infra_diff.KUBERNETES_PROVIDER
    release = "kubernetes:helm.sh/v3:Release"
    before = graph(res(EKS, "c", {"name": "a"}), res(k8s, "k", {"kubeconfig": "[secret]"}),
                   res(release, "keda", {"version": "1"}, provider="k"))
    after = graph(res(EKS, "c", {"name": "b"}), res(k8s, "k", {"kubeconfig": "[secret]"}),
                  res(release, "keda", {"version": "1"}, provider="k"))
    changes = {c.name: c for c in infra_diff.diff_graphs(before, after)}
    assert changes["k"].reasons == ("its cluster c is replaced",)
    assert changes["keda"].reasons == ("its provider k is replaced",)
    assert [h.name for h in infra_diff.hazards(tuple(changes.values()))] == ["c"]
    onprem = infra_diff.diff_graphs(graph(res(k8s, "k", {"context": "kind-a"}), res(release, "keda", {}, provider="k")),
                                    graph(res(k8s, "k", {"context": "kind-b"}), res(release, "keda", {}, provider="k")))
    [hazard] = infra_diff.hazards(onprem)
    assert hazard.message == ("the Kubernetes provider k points at another cluster (context cannot change in place): "
                              "add-ons and workloads are created there and deleted from the old one")


def test_long_values_are_shown_where_they_differ() -> None:
    head = "registry.example.com/" + "a" * 150
    old, new = plan_report.pair(head + ":v12", head + ":v13")
    assert old.endswith(":v12") and new.endswith(":v13") and old.startswith("…") and len(old) <= plan_report.VALUE_WIDTH
    assert plan_report.pair("x" * 200, "y" * 200) == ("x" * 119 + "…", "y" * 119 + "…")
    assert plan_report.pair(1, 2) == ("1", "2")


def test_the_plan_command_offers_every_reporter() -> None:
    from mlops.cli.commands import plan as command

    assert set(command.FORMATS) == set(plan_report.REPORTERS)
