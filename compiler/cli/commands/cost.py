"""`mlops cost FILE [--env ENV] [--format table|json|markdown] [--compare aws,gcp,azure]`: monthly cost."""

from __future__ import annotations

import argparse
import sys

from mlops.diagnostics import reporters as report
from mlops.diagnostics import SpecError
from mlops.targets.base.catalog import CLOUD_PROVIDERS

FORMATS = ("json", "markdown", "table")   # the keys of cost_report.ESTIMATES and COMPARISONS, imported only to run


def providers(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    unknown = [p for p in names if p not in CLOUD_PROVIDERS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"expected a comma-separated list of {', '.join(CLOUD_PROVIDERS)}"
                                         + (f", not '{unknown[0]}'" if unknown else ""))
    return names


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the mlops.yaml to price")
    parser.add_argument("--env", action="append", metavar="ENV", help="environment to price (repeatable; default: all)")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.add_argument("--compare", type=providers, metavar="PROVIDERS",
                        help="price the same spec on each of these providers side by side, e.g. aws,gcp,azure")


def run(args: argparse.Namespace) -> int:
    from mlops.cost import compare, estimate as cost, report as cost_report
    from mlops.pipeline import UnknownEnvironment
    from mlops.spec.load import load

    try:
        source = load(args.file)
        if args.compare:
            text = cost_report.COMPARISONS[args.format](compare.compare(source, args.compare, args.env))
        else:
            text = cost_report.ESTIMATES[args.format](cost.estimate_spec(source, args.env))
    except SpecError as exc:
        sys.stdout.write(report.REPORTERS["json" if args.format == "json" else "text"](exc.diagnostics))
        print(f"cannot price {args.file}: {sum(d.severity == 'error' for d in exc.diagnostics)} error(s)", file=sys.stderr)
        return 1
    except cost.CostError as exc:
        print(f"mlops: cannot price {args.file}: {exc}", file=sys.stderr)
        return 1
    except UnknownEnvironment as exc:
        print(f"mlops: {exc.args[0]}", file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.filename != args.file:
            raise
        print(f"mlops: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0
