"""mlops.gitops.plan.report: Markdown (trimmed to one GitHub comment), JSON, and values shown where they differ."""

from __future__ import annotations

import json
from dataclasses import replace

from mlops.gitops.plan import UNCHANGED, Cost, EnvPlan, Plan
from mlops.gitops.plan import report as plan_report
from mlops.gitops.plan.changes import FieldChange
from mlops.gitops.plan.manifest_diff import ObjectChange


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
    assert plan_report.code("a`b") == "`` a`b ``"


def test_json_is_sorted_and_plain() -> None:
    data = json.loads(plan_report.as_json(huge_plan(1)))
    assert data["environments"][0]["objects"]["changes"][0]["fields"][0] == {"path": "data.k0", "before": "x" * 100,
                                                                              "after": "x" * 100 + "y"}
    assert data["changed"] and data["environments"][0]["cost"] == {"note": "existing cluster: no cloud cost"}
    assert UNCHANGED == "unchanged"


def test_long_values_are_shown_where_they_differ() -> None:
    head = "registry.example.com/" + "a" * 150
    old, new = plan_report.pair(head + ":v12", head + ":v13")
    assert old.endswith(":v12") and new.endswith(":v13") and old.startswith("…") and len(old) <= plan_report.VALUE_WIDTH
    assert plan_report.pair("x" * 200, "y" * 200) == ("x" * 119 + "…", "y" * 119 + "…")
    assert plan_report.pair(1, 2) == ("1", "2")
