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
from pathlib import Path
from typing import TYPE_CHECKING

from mlops.diagnostics.redact import redact
from mlops.errors import Failure, UsageError

if TYPE_CHECKING:
    from mlops.gitops.plan import Plan

SPEC_ERROR = "cannot plan {file}: {errors} error(s)"
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
    parser.add_argument("--full", action="store_true",
                        help="every line, values whole: no comment limit, nothing collapsed or cut")
    parser.add_argument("--save", metavar="DIR",
                        help="also write the full plan into DIR as plan.md, plan.json and plan.txt (the plan workflow "
                             "keeps them as the run's mlops-plan artifact)")
    parser.add_argument("--link", metavar="URL",
                        help="where the full plan can be read (the workflow run's https URL): the comment points there")


def run(args: argparse.Namespace) -> int:
    from mlops.gitops import live
    from mlops.gitops.plan import REMOVED, plan
    from mlops.gitops.plan import report as plan_report

    result = plan(args.file, args.base, args.env)
    failed, unavailable = False, None
    if args.live:
        outcome = live.preview(args.file, [e.name for e in result.environments if e.status != REMOVED])
        result, failed = dataclasses.replace(result, notes=result.notes + outcome.notes), outcome.failed
        unavailable = outcome.unavailable
    if result.base_invalid:                # said in the plan itself; the job log gets the diagnostics too
        from mlops.diagnostics import reporters

        sys.stderr.write(reporters.text([d for d in result.base_invalid if d.severity == "error"]))
        print(f"mlops: warning: the spec at {args.base} is invalid: planned against the working tree alone",
              file=sys.stderr)
    if args.save:
        _save(Path(args.save), result)
    # A plan quotes values from both sides of the diff: it goes through the one redaction, like every message.
    sys.stdout.write(redact(plan_report.render(args.format, result, full=args.full, link=args.link)))
    if result.refusals:
        raise Failure(f"the promotion gate refuses {len(result.refusals)} artifact(s); see the plan")
    if failed:
        raise Failure("`pulumi preview` failed; see the plan")
    if unavailable:             # asked for by name: a plan without it must not pass for one with it
        raise Failure(f"--live asked for `pulumi preview`, which cannot run here: {unavailable}")
    return 2 if args.detailed_exitcode and result.changed else 0


def _save(folder: Path, result: Plan) -> None:
    from mlops.gitops.plan import report as plan_report

    try:
        folder.mkdir(parents=True, exist_ok=True)
        for fmt, name in (("markdown", "plan.md"), ("json", "plan.json"), ("text", "plan.txt")):
            (folder / name).write_text(redact(plan_report.render(fmt, result, full=True)), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the full plan into {folder}: {exc.strerror or exc}") from None
