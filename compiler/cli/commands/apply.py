"""`mlops apply FILE --env ENV [--base REF] [--yes]`: pulumi up infra then workloads, then follow the rollout.

Exit codes: 0 healthy; 1 failed (the spec, the promotion gate, Pulumi, the rollout, or the timeout);
2 usage (an unknown environment, a promoted environment without --base, no --yes where nobody can answer);
4 the rollout is paused for a person (promote or abort it with `kubectl argo rollouts`).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from mlops import ir
from mlops.errors import Failure, Paused, UsageError

SPEC_ERROR = "nothing applied: {errors} error(s)"


def timeout(text: str) -> float:
    match = re.fullmatch(r"(\d+)(s|m|h)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"expected a duration such as 90s, 30m or 2h, not '{text}'")
    return float(int(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2)])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the mlops.yaml to apply")
    parser.add_argument("--env", required=True, metavar="ENV", help="the environment to apply")
    parser.add_argument("--base", metavar="REF",
                        help="for an environment with promotion.from: the commit its source environment last ran "
                             "(the promotion gate compares with the spec there)")
    parser.add_argument("--yes", action="store_true", help="apply without asking (required when not interactive)")
    parser.add_argument("--out", default="build", metavar="DIR",
                        help="where the Pulumi projects are written (default: build)")
    parser.add_argument("--timeout", type=timeout, default=1800.0, metavar="DURATION",
                        help="how long to follow the rollout (default: 30m)")


def _confirm(args: argparse.Namespace, env: ir.Environment) -> bool:
    if args.yes:
        return True
    answer = input(f"apply {env.name} ({env.target.name}, {env.target.provider})? type 'yes' to go on: ")
    return answer.strip().lower() == "yes"


def run(args: argparse.Namespace) -> int:
    from mlops.gitops.apply import Deps, apply
    from mlops.gitops.stacks import AutomationStacks
    from mlops.gitops.watch import HEALTHY, PAUSED, connect

    if not args.yes and not sys.stdin.isatty():
        raise UsageError("refusing to apply without --yes: nobody can confirm here (not interactive)")
    deps = Deps(AutomationStacks(), connect, lambda env: _confirm(args, env), lambda line: print(line, flush=True),
                timeout=args.timeout)
    outcome = apply(args.file, args.env, Path(args.out), args.base, deps)
    print(f"{args.env}: {outcome.state}: {outcome.detail}")
    if outcome.state == PAUSED:
        raise Paused(f"{args.env} waits for a person: promote or abort it with `kubectl argo rollouts`")
    if outcome.state != HEALTHY:
        raise Failure(f"{args.env}: the rollout did not become healthy")
    return 0
