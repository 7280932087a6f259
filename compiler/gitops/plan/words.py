"""The words every plan reporter shares: values, field changes, counts, cost and status phrases.

Long values are cut at `VALUE_WIDTH` characters where a reader scans (the comment, the terminal); `width=None`
shows them whole (`mlops plan --full`, the full plan the workflow keeps as an artifact).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from mlops.cost import report as cost_report
from mlops.gitops.plan import EnvPlan
from mlops.gitops.plan.changes import ABSENT, FieldChange
from mlops.gitops.plan.infra_diff import ResourceChange
from mlops.gitops.plan.infra_diff import counts as infra_counts
from mlops.gitops.plan.manifest_diff import ObjectChange
from mlops.gitops.plan.manifest_diff import counts as object_counts

VALUE_WIDTH = 120
Style = Callable[[str], str]


def plain(text: str) -> str:
    return text


def code(text: str) -> str:
    """`text` as an inline code span, whatever backticks it holds."""
    longest, run = 0, 0
    for c in text:
        run = run + 1 if c == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def value(v: Any, width: int | None = VALUE_WIDTH) -> str:
    if v is ABSENT:
        return "(none)"
    text = v if isinstance(v, str) else json.dumps(v, sort_keys=True, ensure_ascii=False)
    return text if width is None or len(text) <= width else text[: width - 1] + "…"


def pair(before: Any, after: Any, width: int | None = VALUE_WIDTH) -> tuple[str, str]:
    """Both values shown, long strings from a little before where they first differ, so the change stays in view."""
    long = isinstance(before, str) and isinstance(after, str) and max(len(before), len(after)) > (width or 0)
    if width is not None and long:
        same = len(os.path.commonprefix([before, after]))
        if same > width // 2:
            start = same - width // 4
            return value("…" + before[start:], width), value("…" + after[start:], width)
    return value(before, width), value(after, width)


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


def _field_line(f: FieldChange, style: Style, width: int | None) -> str:
    old, new = pair(f.before, f.after, width)
    return f"{style(f.path)}: {style(old)} → {style(new)}"


def resource_lines(c: ResourceChange, style: Style, width: int | None = VALUE_WIDTH) -> list[str]:
    why = f" because {'; '.join(c.reasons)}" if c.reasons else ""
    lines = [f"{c.action} {style(c.type)} {style(c.name)}{why}"]
    return lines + [_field_line(f, style, width) for f in c.fields]


def object_lines(c: ObjectChange, style: Style, width: int | None = VALUE_WIDTH) -> list[str]:
    owner = f" (model {c.model})" if c.model else ""
    lines = [f"{c.action} {style(c.api_version)} {style(c.title)}{owner}"]
    return lines + [_field_line(f, style, width) for f in c.fields]


def count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
