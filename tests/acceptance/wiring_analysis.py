"""Wiring rule `analysis-refs`: every AnalysisTemplate a Rollout names exists and gets every argument it needs.

Argo Rollouts v1.9.0 looks a template up by name in the Rollout's namespace, or a ClusterAnalysisTemplate with
`clusterScope: true` (argoproj/argo-rollouts@v1.9.0:pkg/apis/rollouts/v1alpha1/types.go:790-797); the references sit
in `canary.analysis` (background, types.go:300), each canary step's `analysis` (668) and blue-green's
`prePromotionAnalysis`/`postPromotionAnalysis` (207, 212). The Rollout's `args` are merged into the template's by
name, a name the template does not declare being ignored, and an argument left with neither `value` nor `valueFrom`
fails the AnalysisRun ("args.%s was not resolved", utils/analysis/helpers.go:225-253). A metric's `{{args.X}}`
must name a declared argument for the same reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .wiring_build import Build, Obj, Violation, name

_USES = re.compile(r"\{\{\s*args\.([A-Za-z0-9_-]+)\s*\}\}")


def references(rollout: Obj) -> Iterator[tuple[str, Obj]]:
    """(where, RolloutAnalysis) of every analysis a Rollout's strategy starts."""
    strategy = rollout["spec"].get("strategy", {})
    canary, blue_green = strategy.get("canary") or {}, strategy.get("blueGreen") or {}
    if canary.get("analysis"):
        yield "canary.analysis", canary["analysis"]
    for i, step in enumerate(canary.get("steps") or []):
        if step.get("analysis"):
            yield f"canary.steps[{i}].analysis", step["analysis"]
    for key in ("prePromotionAnalysis", "postPromotionAnalysis"):
        if blue_green.get(key):
            yield f"blueGreen.{key}", blue_green[key]


def _templates(b: Build) -> dict[tuple[str, str | None, str], Obj]:
    """Templates by (kind, namespace, name); a ClusterAnalysisTemplate has no namespace."""
    out: dict[tuple[str, str | None, str], Obj] = {}
    for t in b.of_kind("AnalysisTemplate", "ClusterAnalysisTemplate"):
        namespace = t["metadata"].get("namespace") if t["kind"] == "AnalysisTemplate" else None
        out[(t["kind"], namespace, t["metadata"]["name"])] = t
    return out


def _given(analysis: Obj) -> set[str]:
    return {a["name"] for a in analysis.get("args") or [] if "value" in a or "valueFrom" in a}


def _declared(template: Obj) -> tuple[set[str], set[str]]:
    """(every argument the template declares, those with no default)."""
    args = template["spec"].get("args") or []
    return {a["name"] for a in args}, {a["name"] for a in args if "value" not in a and "valueFrom" not in a}


def _used(template: Obj) -> set[str]:
    return set(_USES.findall(str(template["spec"].get("metrics", []))))


def analysis_refs(b: Build) -> Iterator[Violation]:
    templates = _templates(b)
    for rollout in b.of_kind("Rollout"):
        namespace = rollout["metadata"].get("namespace")
        for where, analysis in references(rollout):
            for ref in analysis.get("templates") or []:
                key: Any = (("ClusterAnalysisTemplate", None, ref["templateName"]) if ref.get("clusterScope")
                            else ("AnalysisTemplate", namespace, ref["templateName"]))
                template = templates.get(key)
                at = f"{b.case} {name(rollout)} {where}"
                if template is None:
                    yield Violation("analysis-refs", at, f"{key[0]} {ref['templateName']} does not exist"
                                    + (f" in {namespace}" if key[1] else ""))
                    continue
                declared, needed = _declared(template)
                for arg in sorted(needed - _given(analysis)):
                    yield Violation("analysis-refs", at, f"args.{arg} of {ref['templateName']} is not given")
                for arg in sorted(_used(template) - declared):
                    yield Violation("analysis-refs", at, f"{ref['templateName']} uses args.{arg}, never declared")
