"""`mlops apply`: compile one environment, check the promotion gate, `pulumi up` its infra stack then its
workloads stack, then follow the rollout on the cluster until it is healthy, paused for a person, or failed.

Nothing is applied before every check passed: the spec compiles, the promotion gate lets every new artifact
through, the Pulumi CLI and a backend are there, and the caller confirmed. The promotion gate compares with
the spec at `base`, the commit the source environment last ran (see compiler/promotion.py); an environment
with `promotion.from` cannot be applied without one.

The Pulumi side (`stacks.Stacks`) and the cluster side (`watch.Cluster`) are passed in, so tests run the
whole flow against fakes at the Automation API and kubernetes client boundaries.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlops import ir, targets
from mlops.errors import Failure, SpecError, UsageError
from mlops.gitops import promotion
from mlops.gitops.gitrev import spec_at
from mlops.gitops.plan.manifest_diff import objects
from mlops.gitops.stacks import PulumiUnavailable, Stacks, backend_missing, cli_missing
from mlops.gitops.watch import Cluster, Outcome, Workload, watch
from mlops.pipeline import Build, compile_source, environments, keep_stack_settings
from mlops.spec.load import load
from mlops.write import write


class BaseRequired(UsageError):
    """The environment is promoted from another, and no base revision says what that one ran."""


class Declined(Failure):
    """The person asked to confirm said no."""


@dataclass
class Deps:
    """What apply talks to: replaced by fakes in tests."""

    stacks: Stacks
    connect: Callable[[Mapping[str, Any]], Cluster]
    confirm: Callable[[ir.Environment], bool]
    report: Callable[[str], None]
    preflight: Callable[[], str | None] = field(default=lambda: cli_missing() or backend_missing())
    timeout: float = 1800
    poll: float = 5
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


def gate(path: str, env: ir.Environment, base: str | None) -> str:
    """What the promotion gate decided, in words: the same rule as `mlops plan` (an invalid base, or a bootstrap,
    compares with the source in the spec being applied). Raises BaseRequired, PromotionRefused, GitError."""
    if not env.promotion_from:
        return f"{env.name} has no promotion gate"
    if base is None:
        raise BaseRequired(f"{env.name} is promoted from {env.promotion_from}: give --base REF, the commit "
                           f"{env.promotion_from} last ran (in the apply workflow, github.event.before)")
    revision = spec_at(path, base)
    before: dict[str, ir.Environment] = {}
    invalid = bool(revision.unusable)
    if revision.source is not None:
        try:
            before = {e.name: e for e in environments(revision.source)[0]}
        except SpecError:
            invalid = True
    head = {e.name: e for e in environments(load(path))[0]}
    refusals = promotion.check([env], before, base, head, invalid)
    if refusals:
        raise promotion.PromotionRefused(refusals)
    said = promotion.notes([env], before, base, invalid)
    if said:
        return f"promotion gate: {'; '.join(said)}: every artifact of {env.name} runs in {env.promotion_from} too"
    return f"promotion gate: every artifact of {env.name} already ran in {env.promotion_from} at {base}"


def workloads(build: Build, env: str) -> list[Workload]:
    prefix = f"{env}/manifests/"
    files = {p[len(prefix):]: c for p, c in build.files.items() if p.startswith(prefix)}
    return sorted(Workload(kind, ns, name) for (_, kind, ns, name) in objects(files)
                  if kind in ("Rollout", "Deployment"))


def apply(path: str, env_name: str, out: Path, base: str | None, deps: Deps) -> Outcome:
    """Raises MlopsErrors: SpecError, Unreadable, UnknownEnvironment, BaseRequired, PromotionRefused, GitError,
    SdkMissing,
    PulumiUnavailable, Declined, StackFailed; returns how the rollout ended."""
    build = compile_source(load(path), [env_name])
    [env] = build.environments
    if importlib.util.find_spec("kubernetes") is None:     # what follows the rollout; every target's extra has it
        raise targets.SdkMissing(f"cannot apply {env.name}: the kubernetes client is not installed. Install the extra: "
                                 f"{targets.extra_hint([env.target.provider])}")
    deps.report(gate(path, env, base))
    missing = deps.preflight()
    if missing:
        raise PulumiUnavailable(f"cannot apply {env.name}: {missing}")
    if not deps.confirm(env):
        raise Declined(f"{env.name} not applied")
    build = keep_stack_settings(out, build)         # the stack's encryption salt and secrets survive
    write(out, [env.name], build.files)
    folder = out / env.name

    def say(line: str) -> None:                   # Pulumi's own output, indented under ours
        deps.report(f"    {line.rstrip()}")

    deps.report(f"{env.name}: pulumi up {folder / 'infra'} (stack {env.name})")
    outputs = deps.stacks.up(folder / "infra", env.name, say)
    deps.report(f"{env.name}: pulumi up {folder / 'workloads'} (stack {env.name})")
    deps.stacks.up(folder / "workloads", env.name, say)
    found = workloads(build, env.name)
    deps.report(f"{env.name}: following {len(found)} workload{'s' if len(found) != 1 else ''} in {env.namespace}")
    return watch(deps.connect(outputs), found, deps.report, timeout=deps.timeout, poll=deps.poll,
                 clock=deps.clock, sleep=deps.sleep)
