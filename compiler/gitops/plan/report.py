"""Plan reporters: Markdown (a pull-request comment, `mlops.gitops.plan.comment`), JSON (bots) and text (a
terminal). They return text.

`render` is what the command calls: the comment within GitHub's limit, or (`full`) everything, with values whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from mlops.cost import report as cost_report
from mlops.gitops.plan import UNCHANGED, EnvPlan, Plan, base_invalid_note, unpreviewed_note
from mlops.gitops.plan.comment import ARTIFACT, COMMENT_LIMIT, MARKER, SUMMARY_BUDGET, as_markdown
from mlops.gitops.plan.infra_diff import counts as infra_counts
from mlops.gitops.plan.manifest_diff import counts as object_counts
from mlops.gitops.plan.words import (
    VALUE_WIDTH,
    code,
    cost_phrase,
    object_lines,
    pair,
    plain,
    resource_lines,
    status_phrase,
    value,
)

__all__ = ["ARTIFACT", "COMMENT_LIMIT", "MARKER", "REPORTERS", "SUMMARY_BUDGET", "VALUE_WIDTH", "as_json",
           "as_markdown", "as_text", "code", "pair", "render", "value"]


# --- JSON --------------------------------------------------------------------------------------------------

def _number(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(v)   # as `mlops cost --format json` writes amounts
    raise TypeError(f"not JSON serializable: {type(v).__name__}")


def _env_json(e: EnvPlan) -> dict[str, Any]:
    delta = e.cost.delta
    return {
        "name": e.name, "status": e.status, "target": e.target,
        "destructive": [h.as_dict() for h in e.hazards],
        "refusals": [r.as_dict() for r in e.refusals],
        "cost": ({"before": vars(delta.before), "after": vars(delta.after), "change": vars(delta.change),
                  "line": cost_report.delta_line(delta)} if delta else {"note": e.cost.note}),
        "rollouts": list(e.rollouts),
        "beforeApply": list(e.before_apply),
        "infra": {"counts": infra_counts(e.infra), "changes": [c.as_dict() for c in e.infra],
                  "previewed": not e.unpreviewed,
                  **({"note": unpreviewed_note(e.unpreviewed)} if e.unpreviewed else {})},
        "objects": {"counts": object_counts(e.objects), "changes": [c.as_dict() for c in e.objects]},
    }


def as_json(p: Plan) -> str:
    data = {"file": p.file, "base": p.base, "commit": p.commit, "baseExists": p.base_exists,
            "changed": p.changed, "refused": bool(p.refusals), "notes": list(p.notes),
            "warnings": [d.as_dict() for d in p.warnings],
            "baseInvalid": [d.as_dict() for d in p.base_invalid], "gate": list(p.gate_notes),
            "environments": [_env_json(e) for e in p.environments]}
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=_number) + "\n"


# --- text --------------------------------------------------------------------------------------------------

def _indented(lines: list[str]) -> list[str]:
    return ["  " + line if i == 0 else "      " + line for i, line in enumerate(lines)]


def as_text(p: Plan, width: int | None = VALUE_WIDTH) -> str:
    out = [f"mlops plan: {p.file} at {p.base} ({p.commit[:12]}) -> working tree"
           + ("" if p.base_exists else f" (the spec does not exist at {p.base}: everything is added)")]
    out += [f"BASE INVALID: the spec at {p.base} is invalid: {base_invalid_note(p)}"] if p.base_invalid else []
    out += [f"GATE {n}" for n in p.gate_notes]
    out += [f"NOT PREVIEWED {e.name}: {unpreviewed_note(e.unpreviewed)}" for e in p.unpreviewed]
    out += [f"DESTRUCTIVE {env}: {h.message}" for env, h in p.hazards]
    out += [f"REFUSED {r.message}" for r in p.refusals]
    out += [f"note: {n}" for n in p.notes]
    for e in p.environments:
        out += ["", f"{e.name}: {e.target}: {status_phrase(e)}", f"  cost: {cost_phrase(e)}"]
        out += [f"  before apply: {s}" for s in e.before_apply]
        out += [f"  at apply time: {s}" for s in e.rollouts]
        for c in e.infra:
            out += _indented(resource_lines(c, plain, width))
        for o in e.objects:
            out += _indented(object_lines(o, plain, width))
    out.append("")
    out.append("no changes" if not p.changed else
               f"{sum(e.status != UNCHANGED for e in p.environments)} of {len(p.environments)} environment(s) change")
    return "\n".join(out) + "\n"


REPORTERS: dict[str, Callable[[Plan], str]] = {"markdown": as_markdown, "json": as_json, "text": as_text}


def render(fmt: str, p: Plan, *, full: bool = False, link: str | None = None) -> str:
    """`fmt` of `p`: the comment within GitHub's limit (or, `full`, every line with values whole)."""
    width = None if full else VALUE_WIDTH
    if fmt == "markdown":
        return as_markdown(p, None if full else COMMENT_LIMIT, link, width)
    if fmt == "text":
        return as_text(p, width)
    return as_json(p)
