"""Plan reporters: Markdown (a pull-request comment), JSON (bots) and text (a terminal). They return text.

Markdown puts the summary first (destructive changes, promotion refusals, monthly cost, counts, what happens
at apply time), then one collapsed `<details>` per changed environment. It fits GitHub's 65,536-character
comment limit by trimming details, never the summary, and says how much it trimmed. It starts with `MARKER`,
the hidden line the plan workflow looks for to update its one comment instead of adding another.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from mlops.cost import report as cost_report
from mlops.diagnostics.words import markdown
from mlops.gitops.plan import UNCHANGED, EnvPlan, Plan, unpreviewed_note
from mlops.gitops.plan.changes import ABSENT, FieldChange
from mlops.gitops.plan.infra_diff import ResourceChange
from mlops.gitops.plan.infra_diff import counts as infra_counts
from mlops.gitops.plan.manifest_diff import ObjectChange
from mlops.gitops.plan.manifest_diff import counts as object_counts

MARKER = "<!-- mlops-plan -->"
COMMENT_LIMIT = 65_536
VALUE_WIDTH = 120


def code(text: str) -> str:
    """`text` as an inline code span, whatever backticks it holds."""
    longest, run = 0, 0
    for c in text:
        run = run + 1 if c == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def value(v: Any) -> str:
    if v is ABSENT:
        return "(none)"
    text = v if isinstance(v, str) else json.dumps(v, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def _phrase(counts: dict[str, int], words: dict[str, str]) -> str:
    said = [f"{counts[k]} {w}" for k, w in words.items() if counts.get(k)]
    return ", ".join(said) or "no change"


def infra_phrase(e: EnvPlan) -> str:
    if e.unpreviewed:
        return "not previewed"
    return _phrase(infra_counts(e.infra), {"add": "to add", "update": "to update", "replace": "to replace",
                                           "remove": "to remove"})


def objects_phrase(e: EnvPlan) -> str:
    return _phrase(object_counts(e.objects), {"add": "added", "change": "changed", "remove": "removed"})


def cost_phrase(e: EnvPlan) -> str:
    if e.cost.delta is None:
        return f"{e.name}: {e.cost.note}"
    return cost_report.delta_line(e.cost.delta)


def status_phrase(e: EnvPlan) -> str:
    if e.status in ("added", "removed"):
        return f"environment {e.status}"
    return f"infrastructure {infra_phrase(e)}; Kubernetes objects {objects_phrase(e)}"


def pair(before: Any, after: Any) -> tuple[str, str]:
    """Both values shown, long strings from a little before where they first differ, so the change stays in view."""
    if isinstance(before, str) and isinstance(after, str) and max(len(before), len(after)) > VALUE_WIDTH:
        same = len(os.path.commonprefix([before, after]))
        if same > VALUE_WIDTH // 2:
            start = same - VALUE_WIDTH // 4
            return value("…" + before[start:]), value("…" + after[start:])
    return value(before), value(after)


def _field_line(f: FieldChange, style: Callable[[str], str]) -> str:
    old, new = pair(f.before, f.after)
    return f"{style(f.path)}: {style(old)} → {style(new)}"


def resource_lines(c: ResourceChange, style: Callable[[str], str]) -> list[str]:
    why = f" because {'; '.join(c.reasons)}" if c.reasons else ""
    lines = [f"{c.action} {style(c.type)} {style(c.name)}{why}"]
    return lines + [_field_line(f, style) for f in c.fields]


def object_lines(c: ObjectChange, style: Callable[[str], str]) -> list[str]:
    owner = f" (model {c.model})" if c.model else ""
    lines = [f"{c.action} {style(c.api_version)} {style(c.title)}{owner}"]
    return lines + [_field_line(f, style) for f in c.fields]


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
        "infra": {"counts": infra_counts(e.infra), "changes": [c.as_dict() for c in e.infra],
                  "previewed": not e.unpreviewed,
                  **({"note": unpreviewed_note(e.unpreviewed)} if e.unpreviewed else {})},
        "objects": {"counts": object_counts(e.objects), "changes": [c.as_dict() for c in e.objects]},
    }


def as_json(p: Plan) -> str:
    data = {"file": p.file, "base": p.base, "commit": p.commit, "baseExists": p.base_exists,
            "changed": p.changed, "refused": bool(p.refusals), "notes": list(p.notes),
            "warnings": [d.as_dict() for d in p.warnings],
            "environments": [_env_json(e) for e in p.environments]}
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=_number) + "\n"


# --- text --------------------------------------------------------------------------------------------------

def _plain(text: str) -> str:
    return text


def as_text(p: Plan) -> str:
    out = [f"mlops plan: {p.file} at {p.base} ({p.commit[:12]}) -> working tree"
           + ("" if p.base_exists else f" (the spec does not exist at {p.base}: everything is added)")]
    out += [f"NOT PREVIEWED {e.name}: {unpreviewed_note(e.unpreviewed)}" for e in p.unpreviewed]
    out += [f"DESTRUCTIVE {env}: {h.message}" for env, h in p.hazards]
    out += [f"REFUSED {r.message}" for r in p.refusals]
    out += [f"note: {n}" for n in p.notes]
    for e in p.environments:
        out += ["", f"{e.name}: {e.target}: {status_phrase(e)}", f"  cost: {cost_phrase(e)}"]
        out += [f"  at apply time: {s}" for s in e.rollouts]
        for c in e.infra:
            out += ["  " + line if i == 0 else "      " + line for i, line in enumerate(resource_lines(c, _plain))]
        for o in e.objects:
            out += ["  " + line if i == 0 else "      " + line for i, line in enumerate(object_lines(o, _plain))]
    out.append("")
    out.append("no changes" if not p.changed else
               f"{sum(e.status != UNCHANGED for e in p.environments)} of {len(p.environments)} environment(s) change")
    return "\n".join(out) + "\n"


# --- Markdown ----------------------------------------------------------------------------------------------

def _summary(p: Plan) -> list[str]:
    changing, count = sum(e.status != UNCHANGED for e in p.environments), len(p.environments)
    noun, verb = ("environment" if count == 1 else "environments"), ("changes" if changing == 1 else "change")
    head = f"### mlops plan: {changing} of {count} {noun} {verb}" if changing else "### mlops plan: no changes"
    base = (f"{code(p.file)} at {code(p.base)} ({code(p.commit[:12])}) → working tree"
            + ("" if p.base_exists else f"; the spec does not exist at {code(p.base)}: everything is added"))
    out = [MARKER, head, "", base, ""]
    if p.unpreviewed:
        providers = sorted({x for e in p.unpreviewed for x in e.unpreviewed})
        names = ", ".join(markdown(e.name) for e in p.unpreviewed)
        out += ["> [!WARNING]",
                f"> **Infrastructure not previewed** ({names}): {unpreviewed_note(providers, markdown, code)}", ""]
    if p.hazards:
        out += ["> [!CAUTION]", "> **Destructive changes**"]
        out += [f"> - **{markdown(env)}**: {markdown(h.message)}" for env, h in p.hazards]
        out.append("")
    if p.refusals:
        out += ["> [!WARNING]", "> **Refused by the promotion gate** (`mlops apply` refuses these too)"]
        out += [f"> - {markdown(r.message)}" for r in p.refusals] + [""]
    out += ["**Monthly cost**", ""] + [f"- {markdown(cost_phrase(e))}" for e in p.environments] + [""]
    out += ["| environment | target | infrastructure | Kubernetes objects |", "|---|---|---|---|"]
    for e in p.environments:
        infra, objs = (e.status, e.status) if e.status in ("added", "removed") else (infra_phrase(e), objects_phrase(e))
        out.append(f"| {markdown(e.name)} | {markdown(e.target)} | {infra} | {objs} |")
    said = [f"- **{markdown(e.name)}**: {markdown(s)}" for e in p.environments for s in e.rollouts]
    out += (["", "**At apply time**", ""] + said) if said else []
    out += [""] + [f"_{markdown(n)}_" for n in p.notes] if p.notes else []
    return out


def _details(e: EnvPlan) -> tuple[str, list[str], str]:
    """The opening, the body lines and the closing of one environment's collapsed details."""
    opener = f"<details><summary>{markdown(e.name)}: {markdown(status_phrase(e))}</summary>\n"
    body: list[str] = []
    if e.infra:
        body += ["**Infrastructure** (resources.json)", ""]
        for c in e.infra:
            first, *fields = resource_lines(c, code)
            body += [f"- {first}"] + [f"  - {f}" for f in fields]
        body.append("")
    if e.objects:
        body += ["**Kubernetes objects**", ""]
        for o in e.objects:
            first, *fields = object_lines(o, code)
            body += [f"- {first}"] + [f"  - {f}" for f in fields]
    while body and not body[-1]:
        body.pop()
    return opener, body, "\n\n</details>"


def _trimmed_note(lines: int, chars: int) -> str:
    return (f"_{lines:,} detail line{'s' if lines != 1 else ''} ({chars:,} characters) trimmed to fit GitHub's "
            f"{COMMENT_LIMIT:,}-character comment limit: run `mlops plan` locally, or with `--format json`, "
            f"for all of it._")


def as_markdown(p: Plan, limit: int = COMMENT_LIMIT) -> str:
    """The comment; details are trimmed (from the end, whole lines) to keep it within `limit` characters."""
    summary = "\n".join(_summary(p)) + "\n"
    blocks = [_details(e) for e in p.environments if e.status != UNCHANGED]
    full = summary + "".join(f"\n{o}\n" + "\n".join(b) + f"{c}\n" for o, b, c in blocks)
    if len(full) <= limit:
        return full
    budget = limit - len(summary) - len(_trimmed_note(10**9, 10**12)) - 2
    out, cut_lines, cut_chars = [], 0, 0
    for opener, body, closer in blocks:
        shell = f"\n{opener}\n" + f"{closer}\n"
        notice = "- … (trimmed)"
        if budget < len(shell) + len(notice) + 1:
            cut_lines, cut_chars = cut_lines + len(body), cut_chars + sum(len(b) + 1 for b in body)
            continue
        budget -= len(shell) + len(notice) + 1
        kept = []
        for i, line in enumerate(body):
            if len(line) + 1 > budget:
                rest = body[i:]
                cut_lines, cut_chars = cut_lines + len(rest), cut_chars + sum(len(b) + 1 for b in rest)
                kept.append(notice)
                break
            kept.append(line)
            budget -= len(line) + 1
        out.append(f"\n{opener}\n" + "\n".join(kept) + f"{closer}\n")
    return summary + "".join(out) + "\n" + _trimmed_note(cut_lines, cut_chars) + "\n"


REPORTERS: dict[str, Callable[[Plan], str]] = {"markdown": as_markdown, "json": as_json, "text": as_text}
