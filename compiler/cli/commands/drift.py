"""`mlops drift FILE --env ENV`: `pulumi refresh --preview-only` of the environment's infra and workloads stacks.

Exit codes: 0 no drift (with --detailed-exitcode: 0 no drift, 2 drift), 1 error (the spec, Pulumi, a missing SDK
or CLI), 2 usage (an unknown environment; with --detailed-exitcode every error is 1, so that 2 means drift).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

SPEC_ERROR = "cannot look for drift: {errors} error(s)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the mlops.yaml whose environment to check")
    parser.add_argument("--env", required=True, metavar="ENV", help="the environment to check")
    parser.add_argument("--out", default="build", metavar="DIR",
                        help="where the Pulumi projects are written (default: build)")
    parser.add_argument("--format", choices=("text", "markdown"), default="text",
                        help="text, or markdown (the drift workflow's issue)")
    parser.add_argument("--detailed-exitcode", action="store_true", help="exit 0 no drift, 2 drift, 1 error")


def run(args: argparse.Namespace) -> int:
    from mlops.gitops import drift
    from mlops.gitops.stacks import AutomationStacks

    found = drift.detect(args.file, args.env, Path(args.out), AutomationStacks())
    sys.stdout.write(drift.as_markdown(found) if args.format == "markdown" else drift.as_text(found))
    return 2 if args.detailed_exitcode and found.drifted else 0
