"""`mlops validate FILE...`: every problem in every file, located, then exit 0 (valid) or 1 (invalid)."""

from __future__ import annotations

import argparse
import os
import sys

from mlops.diagnostics import Diagnostic, safe
from mlops.diagnostics import reporters as report
from mlops.errors import SpecError
from mlops.pipeline import diagnose
from mlops.spec.load import Unreadable, load


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="mlops.yaml files to check")
    parser.add_argument("--format", choices=sorted(report.REPORTERS), default="text",
                        help="output format (default: text)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing for valid files")


def run(args: argparse.Namespace) -> int:
    found: list[Diagnostic] = []
    unreadable = False
    for name in args.files:
        try:
            diagnostics = diagnose(load(name))
        except SpecError as exc:
            diagnostics = list(exc.diagnostics)
        except Unreadable as exc:
            print(f"mlops: {safe(str(exc))}", file=sys.stderr)
            unreadable = True
            continue
        found += diagnostics
        if args.format == "text" and not args.quiet and not any(d.severity == "error" for d in diagnostics):
            print(f"{safe(name)}: valid", file=sys.stderr)
    found.sort()
    sys.stdout.write(report.REPORTERS[args.format](found))
    if os.environ.get("GITHUB_ACTIONS") == "true" and args.format == "text":
        sys.stdout.write(report.github(found))
    errors = sum(d.severity == "error" for d in found)
    if errors and args.format == "text":
        print(f"{errors} error{'s' if errors != 1 else ''} found", file=sys.stderr)
    return 2 if unreadable else (1 if errors else 0)
