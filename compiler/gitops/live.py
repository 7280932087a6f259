"""`mlops plan --live`: the real `pulumi preview` of each environment's stacks, beside the offline plan.

Only where it can run: the Pulumi CLI installed and a backend configured (else one plain "skipped" note).
Existing stacks only: a preview never creates a stack (a missing one means everything would be created).
The working tree's build goes to a temporary folder, removed afterwards.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mlops.gitops.stacks import PulumiUnavailable, StackFailed, Stacks, backend_missing, cli_missing
from mlops.pipeline import compile_spec
from mlops.targets import SdkMissing
from mlops.write import write

SKIPPED = "live preview skipped: "


@dataclass(frozen=True)
class Live:
    notes: tuple[str, ...]
    failed: bool                     # a preview that could run failed (the plan's exit code says so)
    unavailable: str | None = None   # why no preview could run: asked for explicitly, that fails the plan too


def _phrase(summary: dict[str, int]) -> str:
    changes = {op: n for op, n in summary.items() if op != "same" and n}
    return ", ".join(f"{n} to {op}" for op, n in changes.items()) or "no changes"


def preview(path: str, envs: Sequence[str], stacks: Stacks | None = None,
            missing: Callable[[], str | None] = lambda: cli_missing() or backend_missing()) -> Live:
    """Preview the infra then the workloads stack of each environment in `envs` that the working tree has."""
    reason = missing()
    if reason:
        return Live((SKIPPED + reason,), False, reason)
    if stacks is None:
        from mlops.gitops.stacks import AutomationStacks

        stacks = AutomationStacks()
    try:
        build = compile_spec(path, list(envs))
    except SdkMissing as exc:
        return Live((SKIPPED + str(exc),), False)
    notes: list[str] = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="mlops-live-") as tmp:
        write(Path(tmp), [e.name for e in build.environments], build.files)
        for env in build.environments:
            for layer in ("infra", "workloads"):
                where = f"live preview of {env.name} {layer} (pulumi)"
                try:
                    summary = stacks.preview(Path(tmp) / env.name / layer, env.name, lambda _line: None)
                except PulumiUnavailable as exc:
                    return Live((SKIPPED + str(exc),), False)
                except StackFailed as exc:
                    notes.append(f"{where} failed: {exc}")
                    failed = True
                    break
                if summary is None:
                    notes.append(f"{where}: no stack {env.name} yet, everything would be created")
                    break
                notes.append(f"{where}: {_phrase(summary)}")
    return Live(tuple(notes), failed)
