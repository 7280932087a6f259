"""`mlops plan FILE --base REF`: what applying the working tree's spec changes, per environment, against REF.

Exit codes: 0 planned (with --detailed-exitcode: 0 no change, 2 changes), 1 error (an invalid spec on either
side, an unknown revision, a promotion-gate refusal, a live preview that failed). Without --detailed-exitcode
an unreadable FILE or an unknown --env is a usage error (2), as for the other commands; with it, every error
is 1, so that 2 always means "changes".
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from mlops.diagnostics import reporters as report
from mlops.diagnostics import SpecError

FORMATS = ("markdown", "json", "text")   # the keys of plan_report.REPORTERS, imported only to run


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the mlops.yaml to plan")
    parser.add_argument("--base", required=True, metavar="REF",
                        help="git revision to compare with, e.g. origin/main (the spec at the same path there)")
    parser.add_argument("--env", action="append", metavar="ENV", help="environment to plan (repeatable; default: all)")
    parser.add_argument("--format", choices=FORMATS, default="markdown",
                        help="markdown (a pull-request comment, the default), json or text")
    parser.add_argument("--detailed-exitcode", action="store_true", help="exit 0 no change, 2 changes, 1 error")
    parser.add_argument("--live", action="store_true",
                        help="add `pulumi preview` of each stack, where the pulumi CLI and a backend are available")


def run(args: argparse.Namespace) -> int:
    from mlops.gitops import live
    from mlops.gitops.plan import report as plan_report
    from mlops.pipeline import UnknownEnvironment
    from mlops.gitops.gitrev import GitError
    from mlops.gitops.plan import REMOVED, BaseInvalid, plan

    usage = 1 if args.detailed_exitcode else 2
    try:
        result = plan(args.file, args.base, args.env)
    except SpecError as exc:
        sys.stdout.write(report.REPORTERS["json" if args.format == "json" else "text"](exc.diagnostics))
        print(f"mlops: cannot plan {args.file}: {sum(d.severity == 'error' for d in exc.diagnostics)} error(s)",
              file=sys.stderr)
        return 1
    except BaseInvalid as exc:
        sys.stderr.write(report.text(exc.diagnostics))
        print(f"mlops: {exc}: nothing to compare with (fix it there, or plan against another --base)", file=sys.stderr)
        return 1
    except GitError as exc:
        print(f"mlops: {exc}", file=sys.stderr)
        return 1
    except UnknownEnvironment as exc:
        print(f"mlops: {exc.args[0]}", file=sys.stderr)
        return usage
    except OSError as exc:
        if exc.filename != args.file:
            raise
        print(f"mlops: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return usage
    failed = False
    if args.live:
        outcome = live.preview(args.file, [e.name for e in result.environments if e.status != REMOVED])
        result, failed = dataclasses.replace(result, notes=result.notes + outcome.notes), outcome.failed
    sys.stdout.write(plan_report.REPORTERS[args.format](result))
    if result.refusals:
        print(f"mlops: the promotion gate refuses {len(result.refusals)} artifact(s); see the plan", file=sys.stderr)
        return 1
    if failed:
        return 1
    return 2 if args.detailed_exitcode and result.changed else 0
