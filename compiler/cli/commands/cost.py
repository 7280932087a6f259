"""`mlops cost FILE [--env ENV] [--format table|json|markdown] [--compare aws,gcp,azure]`: monthly cost."""

from __future__ import annotations

import argparse
import sys

from mlops.targets.base.catalog import CLOUD_PROVIDERS

SPEC_ERROR = "cannot price {file}: {errors} error(s)"
FORMATS = ("json", "markdown", "table")   # the keys of cost_report.ESTIMATES and COMPARISONS, imported only to run


def providers(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    unknown = [p for p in names if p not in CLOUD_PROVIDERS]
    if unknown or not names:
        from mlops.diagnostics.words import did_you_mean

        raise argparse.ArgumentTypeError(f"expected a comma-separated list of {', '.join(CLOUD_PROVIDERS)}"
                                         + (f", not '{unknown[0]}'{did_you_mean(unknown[0], CLOUD_PROVIDERS)}"
                                            if unknown else ""))
    return names


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the mlops.yaml to price")
    parser.add_argument("--env", action="append", metavar="ENV", help="environment to price (repeatable; default: all)")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.add_argument("--compare", type=providers, metavar="PROVIDERS",
                        help="price the same spec on each of these providers side by side, e.g. aws,gcp,azure")


def run(args: argparse.Namespace) -> int:
    from mlops.cost import compare
    from mlops.cost import estimate as cost
    from mlops.cost import report as cost_report
    from mlops.spec.load import load

    source = load(args.file)
    if args.compare:
        text = cost_report.COMPARISONS[args.format](compare.compare(source, args.compare, args.env))
    else:
        text = cost_report.ESTIMATES[args.format](cost.estimate_spec(source, args.env))
    sys.stdout.write(text)
    return 0
