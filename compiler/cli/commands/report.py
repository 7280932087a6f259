"""`mlops report FILE [--env ENV] [--format markdown|json] [--prometheus URL]`: the platform's inventory per
environment (models, what they serve, rollout, scaling, retraining, cost range) and, from a Prometheus that
answers, each model's last gate verdict and its data-check, drift, fairness and attribution status.

Exit codes: 0 the report was written (whatever the status says: an unreachable Prometheus is a line in it), 1 the
spec is invalid, 2 usage (an unknown environment).
"""

from __future__ import annotations

import argparse
import sys

SPEC_ERROR = "cannot report on {file}: {errors} error(s)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the mlops.yaml to report on")
    parser.add_argument("--env", action="append", metavar="ENV", help="environment (repeatable; default: all)")
    parser.add_argument("--format", choices=("markdown", "json"), default="markdown",
                        help="markdown (an issue or a wiki page) or json (for BI); default: markdown")
    parser.add_argument("--prometheus", metavar="URL",
                        help="the environment's Prometheus (e.g. http://localhost:9090 through kubectl port-forward): "
                             "where the status columns come from; without it they say 'not asked'")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                        help="how long to wait for each Prometheus answer (default: 10)")


def run(args: argparse.Namespace) -> int:
    from mlops.gitops import report
    from mlops.pipeline import environments
    from mlops.spec.load import load

    envs, _ = environments(load(args.file), args.env)
    query = report.http_query(args.prometheus, args.timeout) if args.prometheus else None
    sys.stdout.write(report.REPORTERS[args.format](report.build(envs, query, args.prometheus)))
    return 0
