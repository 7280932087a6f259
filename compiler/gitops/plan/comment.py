"""The pull-request comment: Markdown that always fits GitHub's 65,536-character comment limit, summary whole.

It starts with `MARKER`, the hidden line the plan workflow looks for to edit its one comment in place. Then the
summary: infrastructure not previewed, destructive changes, the promotion gate's refusals, monthly cost, counts,
what to create before apply, what happens at apply time. The summary has a budget of its own (`SUMMARY_BUDGET`):
when its per-model lines would take more, they collapse into counts per environment (what happens at apply time
first, then the refusals, then the destructive changes), each pointing at the full plan, which the workflow keeps
as the run's `mlops-plan` artifact. Nothing is ever cut out of a summary line. Then one collapsed `<details>` per
changed environment, in what is left of the limit, trimmed from the end by whole lines, saying how much was trimmed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from mlops.diagnostics.words import markdown
from mlops.gitops.plan import UNCHANGED, EnvPlan, Plan, base_invalid_note, unpreviewed_note
from mlops.gitops.plan.words import (
    VALUE_WIDTH,
    code,
    cost_phrase,
    count,
    infra_phrase,
    object_lines,
    objects_phrase,
    resource_lines,
    status_phrase,
)

MARKER = "<!-- mlops-plan -->"
COMMENT_LIMIT = 65_536
# A third of the limit: room for destructive changes and refusals of dozens of models line by line, and for the
# details after them. What exceeds it is collapsed into counts, whose size grows with environments, not models.
SUMMARY_BUDGET = 24_000
EXAMPLES = 3                            # names listed in a collapsed line before "and N more"
ARTIFACT = "mlops-plan"                 # the name the plan workflow uploads the full plan under
_URL = re.compile(r"https://[A-Za-z0-9._~:/?#@!$&'*+,;=%-]+")
Lines = list[str]


def _pointer(link: str | None) -> str:
    """Where the full plan is: the workflow run's artifact (`link`, the run's URL), or a local command."""
    if link and _URL.fullmatch(link):
        return f"the `{ARTIFACT}` artifact of [this workflow run]({link})"
    return f"`mlops plan --full`, or the plan workflow's `{ARTIFACT}` artifact"


def where(link: str | None) -> str:
    return f"every line is in the full plan: {_pointer(link)}"


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(markdown(n) for n in names[:EXAMPLES])
    return shown + (f" and {len(names) - EXAMPLES:,} more" if len(names) > EXAMPLES else "")


def _head(p: Plan) -> Lines:
    changing, total = sum(e.status != UNCHANGED for e in p.environments), len(p.environments)
    noun, verb = ("environment" if total == 1 else "environments"), ("changes" if changing == 1 else "change")
    head = f"### mlops plan: {changing} of {total} {noun} {verb}" if changing else "### mlops plan: no changes"
    base = (f"{code(p.file)} at {code(p.base)} ({code(p.commit[:12])}) → working tree"
            + ("" if p.base_exists else f"; the spec does not exist at {code(p.base)}: everything is added"))
    out = [MARKER, head, "", base, ""]
    if p.base_invalid:
        out += ["> [!CAUTION]", f"> **The spec at {code(p.base)} is invalid**: {base_invalid_note(p, markdown, code)}",
                ""]
    if p.gate_notes:
        out += ["> [!IMPORTANT]", "> **Promotion gate**"] + [f"> - {markdown(n)}" for n in p.gate_notes] + [""]
    if p.unpreviewed:
        providers = sorted({x for e in p.unpreviewed for x in e.unpreviewed})
        names = ", ".join(markdown(e.name) for e in p.unpreviewed)
        out += ["> [!WARNING]",
                f"> **Infrastructure not previewed** ({names}): {unpreviewed_note(providers, markdown, code)}", ""]
    return out


_VERB = {"replace": "replaced", "remove": "removed"}


def _hazards(p: Plan, collapsed: bool, link: str | None) -> Lines:
    if not p.hazards:
        return []
    out = ["> [!CAUTION]", "> **Destructive changes**"]
    if not collapsed:
        return out + [f"> - **{markdown(env)}**: {markdown(h.message)}" for env, h in p.hazards] + [""]
    for e in p.environments:
        groups: dict[tuple[str, str], list[str]] = {}
        for h in e.hazards:
            groups.setdefault((h.role, h.action), []).append(h.name)
        said = [f"{count(len(names), role)} {_VERB.get(action, action)} ({_names(names)})"
                for (role, action), names in groups.items()]
        out += [f"> - **{markdown(e.name)}**: {'; '.join(said)}"] if said else []
    return out + [f"> - {where(link)}", ""]


_REFUSED = {"no-source": "{source} does not exist at {ref}", "new-model": "models {source} does not run at {ref}",
            "new-version": "versions {source} has not run at {ref}"}


def _refusals(p: Plan, collapsed: bool, link: str | None) -> Lines:
    if not p.refusals:
        return []
    out = ["> [!WARNING]", "> **Refused by the promotion gate** (`mlops apply` refuses these too)"]
    if not collapsed:
        return out + [f"> - {markdown(r.message)}" for r in p.refusals] + [""]
    for e in p.environments:
        if not e.refusals:
            continue
        kinds = Counter(r.kind for r in e.refusals)
        why = "; ".join(f"{n:,} because {_REFUSED.get(k, 'of {source} at {ref}')}".format(
            source=e.refusals[0].source, ref=p.base) for k, n in kinds.items())
        models = len({r.model for r in e.refusals})
        out.append(f"> - **{markdown(e.name)}**: {count(len(e.refusals), 'artifact')} of {count(models, 'model')} "
                   f"refused ({markdown(why)}); for example:")
        out += [f">   - {markdown(next(r.message for r in e.refusals if r.kind == k))}" for k in kinds]
    return out + [f"> - {where(link)}", ""]


def _costs(p: Plan) -> Lines:
    out = ["**Monthly cost**", ""] + [f"- {markdown(cost_phrase(e))}" for e in p.environments] + [""]
    out += ["| environment | target | infrastructure | Kubernetes objects |", "|---|---|---|---|"]
    for e in p.environments:
        infra, objs = (e.status, e.status) if e.status in ("added", "removed") else (infra_phrase(e), objects_phrase(e))
        out.append(f"| {markdown(e.name)} | {markdown(e.target)} | {infra} | {objs} |")
    return out


def _rollouts(p: Plan, collapsed: bool, link: str | None) -> Lines:
    if not any(e.rollouts for e in p.environments):
        return []
    out = ["", "**At apply time**", ""]
    if not collapsed:
        return out + [f"- **{markdown(e.name)}**: {markdown(s)}" for e in p.environments for s in e.rollouts]
    for e in p.environments:
        if e.rollouts:
            kinds = Counter(e.kinds) if len(e.kinds) == len(e.rollouts) else Counter()
            what = ", ".join(f"{n:,} {k}" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
            out.append(f"- **{markdown(e.name)}**: {count(len(e.rollouts), 'model')} change"
                       + (f": {markdown(what)}" if what else ""))
    return out + [f"- {where(link)}"]


def _before_apply(p: Plan) -> Lines:
    """What the user creates first: one line per environment at most, so never collapsed."""
    said = [f"- **{markdown(e.name)}**: {markdown(s)}" for e in p.environments for s in e.before_apply]
    return ["", "**Before apply**", "", *said] if said else []


def summary(p: Plan, level: int = 0, link: str | None = None) -> str:
    """The summary with the first `level` sections collapsed (0: none; 1: apply time; 2: and refusals; 3: all)."""
    out = _head(p) + _hazards(p, level >= 3, link) + _refusals(p, level >= 2, link) + _costs(p)
    out += _before_apply(p) + _rollouts(p, level >= 1, link)
    out += [""] + [f"_{markdown(n)}_" for n in p.notes] if p.notes else []
    return "\n".join(out) + "\n"


def _details(e: EnvPlan, width: int | None) -> tuple[str, Lines, str]:
    """The opening, the body lines and the closing of one environment's collapsed details."""
    opener = f"<details><summary>{markdown(e.name)}: {markdown(status_phrase(e))}</summary>\n"
    body: Lines = []
    if e.infra:
        body += ["**Infrastructure** (resources.json)", ""]
        for c in e.infra:
            first, *fields = resource_lines(c, code, width)
            body += [f"- {first}"] + [f"  - {f}" for f in fields]
        body.append("")
    if e.objects:
        body += ["**Kubernetes objects**", ""]
        for o in e.objects:
            first, *fields = object_lines(o, code, width)
            body += [f"- {first}"] + [f"  - {f}" for f in fields]
    while body and not body[-1]:
        body.pop()
    return opener, body, "\n\n</details>"


def _trimmed_note(lines: int, chars: int, link: str | None) -> str:
    return (f"_{lines:,} detail line{'s' if lines != 1 else ''} ({chars:,} characters) trimmed to fit GitHub's "
            f"{COMMENT_LIMIT:,}-character comment limit: see {_pointer(link)} for all of it._")


def _trim(blocks: list[tuple[str, Lines, str]], budget: int) -> tuple[str, int, int]:
    """The details within `budget` characters, and how many lines and characters were left out."""
    out, cut_lines, cut_chars = [], 0, 0
    notice = "- … (trimmed)"
    for opener, body, closer in blocks:
        shell = f"\n{opener}\n" + f"{closer}\n"
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
    return "".join(out), cut_lines, cut_chars


def as_markdown(p: Plan, limit: int | None = COMMENT_LIMIT, link: str | None = None,
                width: int | None = VALUE_WIDTH, summary_budget: int = SUMMARY_BUDGET) -> str:
    """The comment within `limit` characters (None: the full plan, nothing collapsed or trimmed)."""
    blocks = [_details(e, width) for e in p.environments if e.status != UNCHANGED]
    full_details = "".join(f"\n{o}\n" + "\n".join(b) + f"{c}\n" for o, b, c in blocks)
    if limit is None:
        return summary(p, 0, link) + full_details
    head = next((s for s in (summary(p, level, link) for level in range(4)) if len(s) <= min(summary_budget, limit)),
                None)
    if head is None:
        return _overflow(p, limit, link)
    if len(head) + len(full_details) <= limit:
        return head + full_details
    note_room = len(_trimmed_note(10**9, 10**12, link)) + 2
    kept, lines, chars = _trim(blocks, limit - len(head) - note_room)
    return head + kept + "\n" + _trimmed_note(lines, chars, link) + "\n"


def _overflow(p: Plan, limit: int, link: str | None) -> str:
    """Even collapsed, the summary of this many environments exceeds `limit`: keep its head and say so."""
    text = summary(p, 3, link)
    tail = (f"\n_the summary of {len(p.environments):,} environments is longer than the comment can hold: "
            f"{where(link)}._\n")
    cut = text[: max(limit - len(tail), 0)]
    return cut[: cut.rfind("\n") + 1] + tail


