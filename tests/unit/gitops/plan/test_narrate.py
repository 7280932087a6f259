"""mlops.gitops.plan.narrate: one sentence per model saying how its change rolls out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlops.gitops.plan import narrate
from mlops.gitops.plan.changes import FieldChange
from mlops.gitops.plan.manifest_diff import ObjectChange
from mlops.pipeline import compile_spec
from tests.support.specs import spec, write

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
     "header x-mlops-preview: true reach it; it waits for a person: kubectl argo rollouts promote m -n shop-dev; then "
     "its analysis measures the live traffic for 5 min while the old version keeps running: switched back to it if "
     "p99 > 200ms; without traffic it is inconclusive and the rollout pauses for a person"),
    ({"strategy": "blue-green", "autoPromote": True, "analysis": {"maxErrorRate": 0.01}},
     "m: blue-green v1 → v2: the new version starts as a preview beside the active one; only requests with the "
     "header x-mlops-preview: true reach it; once it is ready the active Service switches to it; then its analysis "
     "measures the live traffic for 5 min while the old version keeps running: switched back to it if error rate > "
     "1%; without traffic it is inconclusive and the rollout pauses for a person"),
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
    ab = {"strategy": "ab", "variants": {"a": {"artifact": "s3://models/a/v1", "weight": 80},
                                         "b": {"artifact": "s3://models/a/v2", "weight": 20}}}
    ab2 = {"strategy": "ab", "variants": {"a": {"artifact": "s3://models/a/v1", "weight": 50},
                                          "b": {"artifact": "s3://models/a/v3", "weight": 50}}}
    assert narrate.sentence(model(tmp_path, ab), model(tmp_path, ab2), TEMPLATE, "ns") == (
        "m: A/B a s3://models/a/v1 at 80% → 50%, b v2 → v3 at 20% → 50% (changed variants get a rolling update; the "
        "HTTPRoute moves the traffic when it is applied)")
    shadow = {"strategy": "shadow", "candidate": {"artifact": "s3://models/a/v2"}, "mirrorPercent": 10}
    shadow2 = {**shadow, "candidate": {"artifact": "s3://models/a/v3"}}
    assert narrate.sentence(model(tmp_path, shadow), model(tmp_path, shadow2), TEMPLATE, "ns") == (
        "m: shadow candidate v2 → v3 gets 10% of requests mirrored (its answers are discarded); "
        "stable s3://models/a/v1 unchanged")


def test_changes_without_new_pods_and_new_or_removed_models(tmp_path: Path) -> None:
    old = model(tmp_path, CANARY)
    hpa = (ObjectChange("change", "autoscaling/v2", "HorizontalPodAutoscaler", "ns", "m", "m",
                        (FieldChange("spec.maxReplicas", 3, 4),)),)
    assert narrate.sentence(old, old, hpa, "ns") == "m: no new pods; HorizontalPodAutoscaler changes"
    assert narrate.sentence(old, old, (), "ns") is None
    assert narrate.sentence(None, old, (), "ns") == "m: new (canary), starts m s3://models/a/v1 at full traffic"
    assert narrate.sentence(old, None, (), "ns") == "m: removed: its objects are deleted and its route stops answering"
    rolling = model(tmp_path, {})
    assert narrate.sentence(rolling, old, hpa, "ns").startswith(
        "m: strategy rolling → canary: its workloads are replaced")
