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
from mlops.diagnostics import reporters as report
from mlops.diagnostics import SpecError

PAUSED_EXIT = 4


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
    parser.add_argument("--out", default="build", metavar="DIR", help="where the Pulumi projects are written (default: build)")
    parser.add_argument("--timeout", type=timeout, default=1800.0, metavar="DURATION",
                        help="how long to follow the rollout (default: 30m)")


def _confirm(args: argparse.Namespace, env: ir.Environment) -> bool:
    if args.yes:
        return True
    answer = input(f"apply {env.name} ({env.target.name}, {env.target.provider})? type 'yes' to go on: ")
    return answer.strip().lower() == "yes"


def run(args: argparse.Namespace) -> int:
    from mlops.gitops.apply import BaseRequired, Declined, Deps, apply
    from mlops.pipeline import UnknownEnvironment
    from mlops.gitops.gitrev import GitError
    from mlops.gitops.plan import BaseInvalid
    from mlops.gitops.promotion import PromotionRefused
    from mlops.gitops.stacks import AutomationStacks, PulumiUnavailable, StackFailed
    from mlops.gitops.watch import HEALTHY, PAUSED, connect

    if not args.yes and not sys.stdin.isatty():
        print("mlops: refusing to apply without --yes: nobody can confirm here (not interactive)", file=sys.stderr)
        return 2
    deps = Deps(AutomationStacks(), connect, lambda env: _confirm(args, env), lambda line: print(line, flush=True),
                timeout=args.timeout)
    try:
        outcome = apply(args.file, args.env, Path(args.out), args.base, deps)
    except SpecError as exc:
        sys.stdout.write(report.text(exc.diagnostics))
        print(f"mlops: nothing applied: {sum(d.severity == 'error' for d in exc.diagnostics)} error(s)", file=sys.stderr)
        return 1
    except BaseInvalid as exc:
        sys.stderr.write(report.text(exc.diagnostics))
        print(f"mlops: nothing applied: {exc}, so the promotion gate cannot tell what ran there", file=sys.stderr)
        return 1
    except PromotionRefused as exc:
        for refusal in exc.refusals:
            print(f"mlops: refused: {refusal.message}", file=sys.stderr)
        print("mlops: nothing applied", file=sys.stderr)
        return 1
    except (GitError, PulumiUnavailable, StackFailed) as exc:
        print(f"mlops: {exc}", file=sys.stderr)
        return 1
    except Declined as exc:
        print(f"mlops: {exc}", file=sys.stderr)
        return 1
    except (UnknownEnvironment, BaseRequired) as exc:
        print(f"mlops: {exc.args[0]}", file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.filename != args.file:
            raise
        print(f"mlops: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"{args.env}: {outcome.state}: {outcome.detail}")
    return 0 if outcome.state == HEALTHY else PAUSED_EXIT if outcome.state == PAUSED else 1
